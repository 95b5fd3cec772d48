"""Weibo (微博): the comments under the newsroom's posts, read with `since_id`.

Protocol: ``GET /2/comments/show.json?access_token=...&id=<status id>&since_id=...&count=...``
(plus ``max_id`` to page down) -> ``{"comments": [{"id", "idstr", "created_at": "Wed Jun 01
00:50:25 +0800 2011", "text", "user": {"id", "screen_name"}, "reply_comment"?}],
"total_number"}``, newest first. Errors: ``{"error", "error_code", "request"}`` (usually
with HTTP 400/403); 10022/10023/10024 are rate limits: the run stops and the next
scheduled run tries again.

The posts to watch are configured, each with the story it belongs to (title, date, url),
because the link to the website's story is editorial knowledge the API does not give.

Cursor, per status id::

    {"statuses": {"<status id>": {"since_id": "<highest comment id stored>",
                                  "max_id": "<next page's max_id>" | null,
                                  "top": "<highest id seen in this pass>" | null}}}

Comments newer than `since_id` are read newest first, page by page down with `max_id`;
`since_id` moves up to `top` only once the pass reaches it, so a run killed mid-pass
resumes at `max_id` and loses nothing. A pass ends only on an empty page, on
``next_cursor`` 0, or on reaching `since_id`: Weibo filters hidden and deleted comments out
of a page, so a page shorter than `count` does not mean the end. `error_code` may come as
a number or a string. A comment whose `user` is null (a deleted account) is stored with a
placeholder author.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from moderation.collectors import http
from moderation.collectors.base import (
    AuthFailed,
    BadPayload,
    ChannelUnavailable,
    CollectedComment,
    CollectedStory,
    Page,
    RateLimited,
)
from moderation.collectors.common import plain_text, story_time, utc_iso
from moderation.collectors.http import HttpClient, HttpOptions, secret_from_env
from moderation.declare import setting
from moderation.digits import whole_number

RATE_LIMITS = frozenset({10022, 10023, 10024})
AUTH_ERRORS = frozenset({10006, 21301, 21314, 21315, 21316, 21317, 21319, 21327, 21332})
STATUS_GONE = frozenset({20101, 20132})  # the post was deleted / cannot be read
TIME_FORMAT = "%a %b %d %H:%M:%S %z %Y"
DELETED_USER_NAME = "已注销用户"


def error_code(payload: Any) -> int | str | None:
    """A Weibo answer's error_code as an integer (it may come as "10023"), else as given."""
    code = payload.get("error_code") if isinstance(payload, dict) else None
    number = whole_number(code)
    return code if number is None else number


@dataclass(frozen=True, kw_only=True)
class Options(HttpOptions):
    """`type = "weibo"` keys (plus the HTTP keys of HttpOptions)."""

    statuses: list[dict] = setting(
        [], "The posts whose comments are read: [[channels.statuses]] {id, title, published, url}."
    )
    access_token_env: str = setting(
        "ZZRB_WEIBO_TOKEN", "Environment variable holding the access token."
    )
    base_url: str = setting("https://api.weibo.com", "The API's address.")
    biz_base_url: str = setting(
        "",
        "The commercial API's address (comments/destroy/biz); empty: https://c.api.weibo.com "
        "with the default base_url, else base_url.",
    )
    count: int = setting(50, "Comments per call (the API allows up to 200).", min=1, max=200)

    def __post_init__(self):
        for number, status in enumerate(self.statuses):
            where = f"statuses[{number}]"
            if not isinstance(status, dict):
                raise ValueError(f"{where}: expected a table {{id, title, published, url}}")
            unknown = set(status) - {"id", "title", "published", "url"}
            if unknown:
                raise ValueError(f"{where}.{sorted(unknown)[0]}: unknown key")
            if whole_number(str(status.get("id", ""))) is None:
                raise ValueError(f"{where}.id: expected the status id (digits)")
            if not isinstance(status.get("title"), str) or not status["title"].strip():
                raise ValueError(f"{where}.title: missing (the story this post belongs to)")


OPEN_API = "https://api.weibo.com"
COMMERCIAL_API = "https://c.api.weibo.com"


def biz_base(options: Options) -> str:
    """Where the commercial (…/biz) calls go: Weibo serves them on c.api.weibo.com, not on
    the open API's host (open.weibo.com/wiki/C/2/comments/destroy/biz). A base_url of one's
    own (a proxy, a stand-in) serves both unless biz_base_url says otherwise."""
    if options.biz_base_url:
        return options.biz_base_url.rstrip("/")
    base = options.base_url.rstrip("/")
    return COMMERCIAL_API if base == OPEN_API else base


def _last_page(payload: dict) -> bool:
    """Whether Weibo says no older page follows (next_cursor 0, as a number or a string)."""
    cursor = payload.get("next_cursor")
    return cursor is not None and str(cursor).strip() == "0"


def quota_answer(reply) -> str | None:
    """The rate-limit error in a Weibo answer's body, whatever its HTTP status."""
    try:
        payload = json.loads(reply.body)
    except (ValueError, UnicodeDecodeError):
        return None
    code = error_code(payload)
    if code in RATE_LIMITS:
        return f"error_code {code}: {payload.get('error', '')}".strip()
    return None


class Collector:
    """Reads the new comments of each configured Weibo post."""

    def __init__(self, channel, options: Options, settings=None):
        self.channel = channel
        self.options = options
        self.token = secret_from_env(options.access_token_env, "the Weibo access token")
        self.http = HttpClient(options, f"weibo {channel.name}", rate_limited=quota_answer)
        self.origin = channel.label or channel.name
        self.url = options.base_url.rstrip("/") + "/2/comments/show.json"

    def pages(self, cursor: dict | None) -> Iterator[Page]:
        """Each configured post's comments newer than its `since_id`, newest first."""
        saved = (cursor or {}).get("statuses") or {}
        state = {str(s["id"]): dict(saved.get(str(s["id"])) or {}) for s in self.options.statuses}
        try:
            for status in self.options.statuses:
                yield from self.status_pages(status, state)
        finally:
            self.http.close()

    def story(self, status: dict) -> CollectedStory:
        """The story a configured post belongs to."""
        published = status.get("published")
        return CollectedStory(
            native_id=str(status["id"]),
            title=status["title"].strip(),
            url=status.get("url"),
            published_at=story_time(published) if published else None,
            origin=self.origin,
        )

    def status_pages(self, status: dict, state: dict[str, dict]) -> Iterator[Page]:
        """One page per call, paging down with max_id until since_id is reached."""
        status_id = str(status["id"])
        entry = state[status_id]
        entry.setdefault("since_id", "0")
        stories = [self.story(status)]
        while True:
            payload = self.call(status_id, entry)
            if payload is None:
                yield Page(stories=stories, cursor={"statuses": state}, skipped=[entry.pop("gone")])
                return
            items = http.field(payload, "comments", list, f"comments of {status_id}")
            page = Page(stories=stories, cursor={"statuses": state})
            ids = [self.add_comment(page, status_id, item) for item in items]
            ids = [number for number in ids if number is not None]
            if items and not ids:  # without an id there is no max_id to page on from
                raise BadPayload(f"comments of {status_id}: no comment on the page has an id")
            done = not ids or _last_page(payload)
            if ids:
                entry["top"] = entry.get("top") or str(max(ids))
                done = done or min(ids) <= int(entry["since_id"]) + 1
                entry["max_id"] = str(min(ids) - 1)
            if done:
                entry.update(since_id=entry.get("top") or entry["since_id"], max_id=None, top=None)
            yield page
            if done:
                return
            stories = []

    def call(self, status_id: str, entry: dict) -> dict | None:
        """One comments/show call; None (with entry["gone"] set) if the post is gone."""
        params = {
            "access_token": self.token,
            "id": status_id,
            "since_id": entry["since_id"],
            "count": self.options.count,
        }
        if entry.get("max_id"):
            params["max_id"] = entry["max_id"]
        reply = self.http.send("GET", self.url, params=params)
        payload = self.http.decode(reply)
        code = error_code(payload)
        if code is None and reply.status < 400:
            return payload
        problem = f"error_code {code}: {payload.get('error', reply.excerpt())}"
        if code in RATE_LIMITS:
            raise RateLimited(f"rate limited ({problem}); backing off until the next run")
        if code in AUTH_ERRORS or reply.status == 401:
            raise AuthFailed(f"access token refused ({problem}): renew it and set it again")
        if code in STATUS_GONE:
            entry["gone"] = f"weibo post {status_id} skipped: {problem}"
            return None
        raise ChannelUnavailable(f"HTTP {reply.status}, {problem}")

    def add_comment(self, page: Page, status_id: str, item: Any) -> int | None:
        """Parse one comment into the page; return its numeric id (None if unusable)."""
        try:
            comment = self.comment(status_id, item)
        except (BadPayload, ValueError) as error:
            page.skipped.append(f"comment on {status_id} skipped: {error}")
            number = item.get("idstr") or item.get("id") if isinstance(item, dict) else None
            return whole_number(str(number))
        page.comments.append(comment)
        return int(comment.native_id)

    def comment(self, status_id: str, item: Any) -> CollectedComment:
        """One Weibo comment, normalised; the screen name is the display name."""
        if not isinstance(item, dict):
            raise BadPayload(f"comment item is a {type(item).__name__}, expected an object")
        comment_id = str(item.get("idstr") or http.field(item, "id", (int, str), "comment"))
        if whole_number(comment_id) is None:
            raise BadPayload(f"comment id {comment_id!r} is not a number")
        where = f"comment {comment_id}"
        user = item.get("user")
        if user is None:  # a deleted account: keep the comment, under a placeholder
            user = {"idstr": f"deleted:{comment_id}", "screen_name": DELETED_USER_NAME}
        user = http.field({"user": user}, "user", dict, where)
        user_id = str(user.get("idstr") or http.field(user, "id", (int, str), where))
        created = datetime.strptime(http.field(item, "created_at", str, where), TIME_FORMAT)
        reply = item.get("reply_comment")
        reply_to = reply.get("idstr") or reply.get("id") if isinstance(reply, dict) else None
        return CollectedComment(
            native_id=comment_id,
            story_native_id=status_id,
            text=plain_text(http.field(item, "text", str, where)),
            created_at=utc_iso(created),
            author_key=f"wb:{user_id}",
            author_name=http.field(user, "screen_name", str, where, default=None),
            likes=_count(item.get("like_count")),
            reply_to=str(reply_to) if reply_to else None,
            origin=self.origin,
            raw=item,
        )


def _count(value: Any) -> int:
    """A counter such as like_count, which the documented comment does not always carry:
    a number (or digits), else 0. A likes figure is not worth losing the comment over."""
    return whole_number(value) or 0
