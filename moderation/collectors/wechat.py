"""WeChat official account (公众号): articles with their daily reads, and readers' comments.

Protocol (all POST, JSON bodies, errors as `{"errcode": N, "errmsg": ...}` with HTTP 200):

* the token, its refresh on 40001/42001/40014, the quota answers and the HTTP retries are
  the shared client's (:mod:`moderation.collectors.wechat_api`), the one the push side
  writes with.
* ``/datacube/getarticletotaldetail`` lists the articles of a date window with their
  daily ``read_user``/``share_user``: each article becomes a story.
* ``/cgi-bin/comment/list`` pages an article's comments by offset until ``begin >= total``.

Cursor::

    {"listed_until": "YYYY-MM-DD",            # last day whose article list was read
     "articles": {"<msgid>": {"title": ..., "date": "YYYY-MM-DD"}},   # comments re-read
     "resume": {"article": "<msgid>", "offset": N} | null}           # a pass in progress

WeChat has no "since" for comments, so every run re-reads the comments of each article
published in the last `track_days` days (dedupe is on the comment id); a run killed
mid-pass resumes at the saved article and offset.

Bad data: an article or comment item missing a field (or with a field of the wrong type)
is skipped with the reason recorded (a comment without ``openid`` is not: WeChat leaves it
out for a reader commenting under a non-WeChat identity); a response whose envelope is
wrong (no ``list``, ``total`` not a number; digits sent as a string are taken) is a
BadPayload that stops the run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from moderation.collectors.base import (
    BadPayload,
    ChannelUnavailable,
    CollectedComment,
    CollectedStory,
    Page,
)
from moderation.collectors.common import (
    plain_text,
    pseudonym,
    story_time,
    unix_to_utc,
)
from moderation.collectors.http import HttpOptions, field, integer, secret_from_env
from moderation.collectors.wechat_api import Api, article_ids, describe, errcode
from moderation.declare import setting
from moderation.timeutil import local_today

SKIP_ERRORS = {
    88000: "comments are not open for this article",
    88001: "article not found",
    88002: "article is restricted",
}
MAX_PAGE = 49  # comment/list refuses count >= 50


def _iso_date_or_empty(text: str) -> None:
    """A start_date: empty, or a day as YYYY-MM-DD."""
    if text:
        try:
            date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text!r} is not YYYY-MM-DD") from None


@dataclass(frozen=True, kw_only=True)
class Options(HttpOptions):
    """`type = "wechat"` keys (plus the HTTP keys of HttpOptions)."""

    appid: str = setting(help="The official account's AppID.")
    appsecret_env: str = setting(
        "ZZRB_WECHAT_SECRET", "Environment variable holding the AppSecret."
    )
    base_url: str = setting("https://api.weixin.qq.com", "The API's address.")
    start_date: str = setting(
        "",
        "First article day to list (YYYY-MM-DD); empty = track_days ago.",
        check=_iso_date_or_empty,
    )
    window_days: int = setting(
        1, "Days per getarticletotaldetail call: the API takes one day.", min=1, max=31
    )
    refresh_days: int = setting(
        2, "Re-list the last N days each run so daily reads stay current.", min=0, max=365
    )
    track_days: int = setting(
        7, "Re-read an article's comments for N days after publication.", min=1, max=365
    )
    comment_page_size: int = setting(
        MAX_PAGE,
        "Comments per comment/list call (the API refuses 50 or more).",
        min=1,
        max=MAX_PAGE,
    )


def pseudonym_key(channel, settings) -> str:
    """The key for pseudonymous author ids: the env var named by export.pseudonym_key_env.

    Without settings (unit tests only) the key is a fixed per-channel fallback, so ids are
    stable but not secret.
    """
    if settings is None:
        return f"moderation-fallback:{channel.name}"
    return secret_from_env(
        settings.export.pseudonym_key_env, "a long random key for pseudonymous author ids"
    )


class Collector:
    """Lists an account's articles by day, then re-reads each tracked article's comments."""

    def __init__(self, channel, options: Options, settings=None):
        self.channel = channel
        self.options = options
        self.api = Api(options, f"wechat {channel.name}")
        self.author_hash_key = pseudonym_key(channel, settings)
        self.http = self.api.http
        self.origin = channel.label or channel.name

    # -- protocol ---------------------------------------------------------------------

    def call(self, path: str, body: dict) -> dict:
        """POST `body` to an API path through the shared client (token, retries, quota).

        Returns the payload; skip codes are returned, any other errcode raises.
        """
        payload = self.api.call(path, body)
        code = errcode(payload, path)
        if code and code not in SKIP_ERRORS:
            raise ChannelUnavailable(f"{path}: {describe(payload)}")
        return payload

    # -- pages ------------------------------------------------------------------------

    def pages(self, cursor: dict | None) -> Iterator[Page]:
        """Article windows first (stories + reads), then a comment pass over tracked articles."""
        state = _State.load(cursor)
        today = local_today()  # once: a run that crosses midnight lists and prunes alike
        try:
            yield from self.article_pages(state, today)
            yield from self.comment_pages(state, today)
        finally:
            self.http.close()

    def article_pages(self, state: _State, today: date) -> Iterator[Page]:
        """One page per date window: the articles of those days, as stories."""
        last = today - timedelta(days=1)  # the datacube has no figures for today yet
        start = (
            date.fromisoformat(self.options.start_date)
            if self.options.start_date
            else today - timedelta(days=self.options.track_days)
        )
        first = state.next_day(start)
        first = max(start, min(first, last - timedelta(days=self.options.refresh_days - 1)))
        while first <= last:
            end = min(last, first + timedelta(days=self.options.window_days - 1))
            payload = self.call(
                "/datacube/getarticletotaldetail",
                {"begin_date": first.isoformat(), "end_date": end.isoformat()},
            )
            items = field(payload, "list", list, "getarticletotaldetail", default=[])
            page = Page()
            for item in items:
                self.add_article(page, state, item, today)
            state.listed_until = max(state.listed_until or "", end.isoformat())
            page.cursor = state.dump()
            yield page
            first = end + timedelta(days=1)

    def add_article(self, page: Page, state: _State, item: Any, today: date) -> None:
        """Parse one article into a story (or a skip note) and track its comments."""
        try:
            story = self.story(item)
        except (BadPayload, ValueError) as error:
            page.skipped.append(f"article skipped: {error}")
            return
        page.stories.append(story)
        day = story.published_at[:10]
        if day >= (today - timedelta(days=self.options.track_days)).isoformat():
            state.articles[story.native_id] = {"title": story.title, "date": day}

    def story(self, item: Any) -> CollectedStory:
        """One getarticletotaldetail item as a story with its daily reads."""
        if not isinstance(item, dict):
            raise BadPayload(f"article item is a {type(item).__name__}, expected an object")
        msgid = field(item, "msgid", str, "article")
        where = f"article {msgid}"
        day = date.fromisoformat(field(item, "ref_date", str, where))
        reads = []
        for detail in field(item, "detail_list", list, where, default=[]):
            if not isinstance(detail, dict):
                raise BadPayload(f"{where}: detail_list holds a {type(detail).__name__}")
            reads.append(
                (
                    date.fromisoformat(field(detail, "stat_date", str, where)).isoformat(),
                    field(detail, "read_user", int, where, default=0),
                    field(detail, "share_user", int, where, default=None),
                )
            )
        return CollectedStory(
            native_id=msgid,
            title=plain_text(field(item, "title", str, where)),
            published_at=story_time(day),
            origin=self.origin,
            page_views=sum(count for _day, count, _shares in reads) if reads else None,
            daily_reads=tuple(reads),
        )

    def comment_pages(self, state: _State, today: date) -> Iterator[Page]:
        """Page through the comments of every tracked article, resuming a killed pass."""
        horizon = (today - timedelta(days=self.options.track_days)).isoformat()
        state.articles = {m: a for m, a in state.articles.items() if a["date"] >= horizon}
        order = sorted(state.articles, key=lambda msgid: (state.articles[msgid]["date"], msgid))
        start, offset = 0, 0
        if state.resume and state.resume.get("article") in state.articles:
            start, offset = order.index(state.resume["article"]), int(state.resume["offset"])
        for position in range(start, len(order)):
            after = order[position + 1] if position + 1 < len(order) else None
            yield from self.article_comments(state, order[position], offset, after)
            offset = 0
        if state.resume is not None:  # the article to resume at is no longer tracked
            state.resume = None
            yield Page(cursor=state.dump())

    def article_comments(
        self, state: _State, msgid: str, offset: int, after: str | None
    ) -> Iterator[Page]:
        """One page per comment/list call for one article, from `offset` to the end."""
        msg_data_id, index = article_ids(msgid)
        title = state.articles[msgid]["title"]
        next_article = {"article": after, "offset": 0} if after else None
        seen: set[str] = set()
        begin = offset
        while True:
            payload = self.call(
                "/cgi-bin/comment/list",
                {
                    "msg_data_id": msg_data_id,
                    "index": index,
                    "begin": begin,
                    "count": self.options.comment_page_size,
                    "type": 0,
                },
            )
            code = errcode(payload)
            if code in SKIP_ERRORS:
                state.resume = next_article
                reason = f"{SKIP_ERRORS[code]} ({describe(payload)})"
                yield Page(cursor=state.dump(), skipped=[f"《{title}》 {msgid} skipped: {reason}"])
                return
            where = f"comment/list {msgid}"
            total = integer(payload, "total", where)
            items = field(payload, "comment", list, where, default=[])
            page = Page()
            for item in items:
                self.add_comment(page, msgid, item, seen)
            begin += len(items)
            done = begin >= total or not items
            state.resume = next_article if done else {"article": msgid, "offset": begin}
            page.cursor = state.dump()
            yield page
            if done:
                return

    def add_comment(self, page: Page, msgid: str, item: Any, seen: set[str]) -> None:
        """Parse one comment into the page, skipping (with a reason) a malformed one."""
        try:
            comment = self.comment(msgid, item)
        except (BadPayload, ValueError) as error:
            page.skipped.append(f"comment on {msgid} skipped: {error}")
            return
        if comment.native_id in seen:
            return  # offsets shifted under us: a comment repeated on the next page
        seen.add(comment.native_id)
        page.comments.append(comment)

    def comment(self, msgid: str, item: Any) -> CollectedComment:
        """One comment/list item, normalised; the openid becomes a keyed hash."""
        if not isinstance(item, dict):
            raise BadPayload(f"comment item is a {type(item).__name__}, expected an object")
        comment_id = field(item, "user_comment_id", (int, str), f"comment on {msgid}")
        where = f"comment {comment_id} on {msgid}"
        author_key = self.author_key(item, f"{msgid}:{comment_id}", where)
        raw = {**item, "openid": author_key} if "openid" in item else dict(item)
        return CollectedComment(
            native_id=f"{msgid}:{comment_id}",
            story_native_id=msgid,
            text=plain_text(field(item, "content", str, where)),
            created_at=unix_to_utc(field(item, "create_time", (int, float, str), where)),
            author_key=author_key,
            origin=self.origin,
            featured=item.get("comment_type") == 1,
            raw=raw,  # the raw openid is never kept
        )

    def author_key(self, item: dict, native_id: str, where: str) -> str:
        """The keyed hash of the comment's openid; without one, a key of its own.

        comment/list leaves openid out for a reader who commented under a non-WeChat
        identity (its page: 用户如果用非微信身份评论,不返回openid): the comment is kept, and
        since nothing says two such comments share a reader, each is its own author.
        """
        openid = field(item, "openid", str, where, default="")
        if openid:
            return pseudonym("wx", self.author_hash_key, openid)
        return pseudonym("wx", self.author_hash_key, f"no-openid:{native_id}")


@dataclass
class _State:
    """The cursor, as the collector works on it."""

    listed_until: str | None
    articles: dict[str, dict]
    resume: dict | None

    @classmethod
    def load(cls, cursor: dict | None) -> _State:
        """The state saved by the last page of an earlier run (or a fresh one)."""
        cursor = cursor or {}
        return cls(
            listed_until=cursor.get("listed_until"),
            articles=dict(cursor.get("articles") or {}),
            resume=cursor.get("resume"),
        )

    def next_day(self, start: date) -> date:
        """The first day not yet listed."""
        if not self.listed_until:
            return start
        return date.fromisoformat(self.listed_until) + timedelta(days=1)

    def dump(self) -> dict:
        """A JSON-able copy to save with a page."""
        return {
            "listed_until": self.listed_until,
            "articles": {msgid: dict(article) for msgid, article in self.articles.items()},
            "resume": dict(self.resume) if self.resume else None,
        }
