"""The demo channel: the seed page's printed comments plus realistic sample comments,
shipped inside the package so a first-time user sees a real-looking queue."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources

from moderation.collectors.base import CollectedComment, CollectedStory, Page
from moderation.declare import setting


@dataclass(frozen=True)
class Options:
    """Demo channel keys."""

    page_size: int = setting(50, "Comments per page the demo hands out.", min=1, max=10000)
    data_file: str = setting(
        "", "Another JSON file in the same shape as the sample; empty = the packaged sample."
    )


def load_sample(path: str = "") -> dict:
    """The demo data: {"stories": [...], "comments": [...]}."""
    if path:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    text = resources.files("moderation.collectors").joinpath("demo_data.json").read_text("utf-8")
    return json.loads(text)


def to_utc(timestamp: str) -> str:
    """ISO-8601 with any offset -> ISO-8601 UTC, the storage convention."""
    moment = datetime.fromisoformat(timestamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class Collector:
    """Pages through the sample; the cursor is the offset of the next comment."""

    def __init__(self, channel, options: Options, settings=None):
        self.channel = channel
        self.options = options
        self.sample = load_sample(options.data_file)

    def stories(self) -> list[CollectedStory]:
        """Every sample story."""
        return [
            CollectedStory(
                native_id=story["id"],
                title=story["title"],
                url=story.get("url"),
                published_at=story.get("published"),
                reporter=story.get("reporter"),
                intro=story.get("intro"),
                origin=story.get("source"),
                page_views=story.get("page_views"),
            )
            for story in self.sample["stories"]
        ]

    def pages(self, cursor: dict | None) -> Iterator[Page]:
        """Yield the stories first, then comments in pages of `page_size`."""
        offset = int((cursor or {}).get("offset", 0))
        comments = self.sample["comments"]
        stories = self.stories()
        if offset == 0 or offset >= len(comments):
            offset = 0  # a finished run starts over: re-reading is harmless (dedupe)
        while offset < len(comments):
            chunk = comments[offset : offset + self.options.page_size]
            offset += len(chunk)
            yield Page(
                stories=stories,
                comments=[self.comment(item) for item in chunk],
                cursor={"offset": offset},
            )
            stories = []

    @staticmethod
    def comment(item: dict) -> CollectedComment:
        """One sample comment, normalised."""
        return CollectedComment(
            native_id=item["id"],
            story_native_id=item["story"],
            text=item["text"],
            created_at=to_utc(item["created"]),
            author_key="demo:" + item["author"],
            author_name=item["author"],
            likes=int(item.get("likes") or 0),
            reply_to=item.get("reply_to"),
            origin=item.get("source"),
        )
