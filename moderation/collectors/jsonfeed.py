"""JSON feed channels (株洲新闻网, 掌上株洲): stories from a JSON Feed 1.1, comments per story.

Stories: ``GET feed_url`` -> JSON Feed 1.1 (``items[]`` with ``id, url, title,
date_published, authors[]`` and the extension ``_zzrb: {"reporter", "page_views"}``),
following ``next_url`` while the page still holds stories published within `story_days`.

Comments: ``GET comments_url?story_id=ID&limit=N[&cursor=C]`` ->
``{"story_id", "comments": [{"id", "author", "author_id", "content", "created", "likes",
"reply_to", "ip", "reports"}], "next_cursor", "has_more"}`` (``ip``: the commenter's
address, for the IP 属地, kept out of the raw payload; ``reports``: readers' reports the site
counted; both optional, see docs/operator-duties.md), in the order the site changed them (a comment
edited after the cursor comes again with its new text). The full shape is in
docs/channels.md. Content is plain text: it is stored as given, entities are not decoded.

Cursor::

    {"stories": {"<story id>": {"cursor": "<next_cursor>", "date": "YYYY-MM-DD"}}}

Bad data: a story or comment item with a missing or mistyped field is skipped with the
reason recorded; a feed or comments answer without its list is a BadPayload.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from moderation.collectors.base import BadPayload, CollectedComment, CollectedStory, Page
from moderation.collectors.common import (
    parse_time,
    plain_text,
    story_time,
    utc_iso,
)
from moderation.collectors.http import HttpClient, HttpOptions, field, secret_from_env
from moderation.declare import setting
from moderation.timeutil import local_today


@dataclass(frozen=True, kw_only=True)
class Options(HttpOptions):
    """`type = "jsonfeed"` keys (plus the HTTP keys of HttpOptions)."""

    feed_url: str = setting(help="URL of the story feed.")
    comments_url: str = setting(help="URL of a story's comments.")
    token_env: str = setting(
        "", "Environment variable with a bearer token for both endpoints; empty = none."
    )
    story_days: int = setting(
        14, "Read comments of stories published within this many days.", min=1, max=3650
    )
    max_feed_pages: int = setting(
        20, "Never follow next_url further than this many pages.", min=1, max=10000
    )
    comment_page_size: int = setting(100, "Comments asked for per call.", min=1, max=1000)


class Collector:
    """Walks the feed newest first; after each feed page, reads new comments of its stories."""

    def __init__(self, channel, options: Options, settings=None):
        self.channel = channel
        self.options = options
        self.http = HttpClient(options, f"jsonfeed {channel.name}")
        if options.token_env:
            token = secret_from_env(options.token_env, f"the API token of {channel.name}")
            self.http.session.headers["Authorization"] = f"Bearer {token}"
        self.origin = channel.label or channel.name

    def pages(self, cursor: dict | None) -> Iterator[Page]:
        """Feed pages (stories) interleaved with each recent story's comment pages."""
        horizon = (local_today() - timedelta(days=self.options.story_days)).isoformat()
        known = {
            story_id: dict(entry)
            for story_id, entry in ((cursor or {}).get("stories") or {}).items()
            if entry.get("date", "") >= horizon
        }
        try:
            yield from self.walk(known, horizon)
        finally:
            self.http.close()

    def walk(self, known: dict[str, dict], horizon: str) -> Iterator[Page]:
        """Follow next_url from the feed's first page while stories are recent enough."""
        url: str | None = self.options.feed_url
        for _ in range(self.options.max_feed_pages):
            if not url:
                return
            feed = self.http.json("GET", url)
            page = Page(cursor={"stories": known})
            for item in field(feed, "items", list, "feed"):
                self.add_story(page, item)
            yield page
            recent = [s for s in page.stories if (s.published_at or horizon) >= horizon]
            for story in recent:
                yield from self.story_comments(story, known)
            if page.stories and not recent:
                return  # the feed is newest first: everything further is older
            url = field(feed, "next_url", str, "feed", default=None)

    def add_story(self, page: Page, item: Any) -> None:
        """Parse one feed item into the page, skipping (with a reason) a malformed one."""
        try:
            page.stories.append(self.story(item))
        except (BadPayload, ValueError) as error:
            page.skipped.append(f"feed item skipped: {error}")

    def story(self, item: Any) -> CollectedStory:
        """One JSON Feed item as a story; its date becomes Beijing local time."""
        if not isinstance(item, dict):
            raise BadPayload(f"feed item is a {type(item).__name__}, expected an object")
        story_id = str(field(item, "id", (str, int), "feed item"))
        where = f"feed item {story_id}"
        extension = field(item, "_zzrb", dict, where, default={})
        authors = field(item, "authors", list, where, default=[])
        names = [
            a["name"] for a in authors if isinstance(a, dict) and isinstance(a.get("name"), str)
        ]
        published = field(item, "date_published", str, where, default=None)
        return CollectedStory(
            native_id=story_id,
            title=plain_text(field(item, "title", str, where)),
            url=field(item, "url", str, where, default=None),
            published_at=story_time(published) if published else None,
            reporter=field(extension, "reporter", str, where, default=None)
            or "、".join(names)
            or None,
            intro=field(item, "summary", str, where, default=None),
            origin=self.origin,
            page_views=field(extension, "page_views", int, where, default=None),
        )

    def story_comments(self, story: CollectedStory, known: dict[str, dict]) -> Iterator[Page]:
        """One page per comments call for one story, from its saved cursor."""
        entry = known.setdefault(story.native_id, {"cursor": None})
        entry["date"] = (story.published_at or local_today().isoformat())[:10]
        while True:
            params = {"story_id": story.native_id, "limit": self.options.comment_page_size}
            if entry["cursor"]:
                params["cursor"] = entry["cursor"]
            payload = self.http.json("GET", self.options.comments_url, params=params)
            where = f"comments of {story.native_id}"
            page = Page()
            for item in field(payload, "comments", list, where):
                self.add_comment(page, story.native_id, item)
            previous = entry["cursor"]
            entry["cursor"] = field(payload, "next_cursor", str, where, default=previous)
            page.cursor = {"stories": known}
            yield page
            more = field(payload, "has_more", bool, where, default=False)
            if not more or not page.comments and not page.skipped or entry["cursor"] == previous:
                return

    def add_comment(self, page: Page, story_id: str, item: Any) -> None:
        """Parse one comment into the page, skipping (with a reason) a malformed one."""
        try:
            page.comments.append(self.comment(story_id, item))
        except (BadPayload, ValueError) as error:
            page.skipped.append(f"comment on {story_id} skipped: {error}")

    def comment(self, story_id: str, item: Any) -> CollectedComment:
        """One comments-endpoint item, normalised."""
        if not isinstance(item, dict):
            raise BadPayload(f"comment item is a {type(item).__name__}, expected an object")
        comment_id = str(field(item, "id", (str, int), f"comment on {story_id}"))
        where = f"comment {comment_id}"
        name = field(item, "author", str, where, default="").strip() or None
        author_id = field(item, "author_id", (str, int), where, default=None)
        reply_to = field(item, "reply_to", (str, int), where, default=None)
        author = author_id if author_id is not None else name
        reports = field(item, "reports", int, where, default=None)
        return CollectedComment(
            native_id=comment_id,
            story_native_id=story_id,
            text=field(item, "content", str, where).strip(),
            created_at=utc_iso(parse_time(field(item, "created", str, where))),
            author_key=f"{self.channel.name}:{author or '匿名'}",
            author_name=name,
            likes=field(item, "likes", int, where, default=0),
            reply_to=str(reply_to) if reply_to is not None else None,
            origin=self.origin,
            raw={key: value for key, value in item.items() if key != "ip"},
            ip=field(item, "ip", str, where, default=None),
            reports=reports if reports is None or reports >= 0 else 0,
        )
