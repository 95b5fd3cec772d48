"""The weekly 新闻点击排行榜: read counts per story across channels, in the page's format.

A story's count for a range is, per channel copy, the WeChat daily reads summed over the
range when the channel reports daily reads, else the feed's running `page_views` total;
copies of the same story (one canonical story) are added up. Stories published in the range
(Beijing time) are ranked. Counts of 10,000 and more print as 万次 with one decimal (half
up, as the page: 2976312 -> 297.6万次); smaller counts print whole, as `8765次`.
A story without a reporter prints without the ` 记者:` part.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from moderation.storage.ranking import stories_with_reads
from moderation.timeutil import BEIJING

TOP = 10


@dataclass(frozen=True)
class RankedStory:
    """One line pair of the ranking."""

    story_id: int
    title: str
    reads: int
    published: Date
    reporter: str | None
    channels: tuple[str, ...]


def local_date(timestamp: str) -> Date:
    """The newsroom's calendar date of an ISO-8601 timestamp (naive = newsroom time)."""
    moment = datetime.fromisoformat(timestamp)
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(BEIJING).date()


def month_day(day: Date) -> str:
    """`1月22日`, no leading zeros."""
    return f"{day.month}月{day.day}日"


def format_count(reads: int) -> str:
    """`297.6万次` from 10,000 up, else `8765次`."""
    if reads >= 10000:
        tenths = (Decimal(reads) / 10000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return f"{tenths}万次"
    return f"{reads}次"


def rank_stories(db, start: Date, end: Date, top: int = TOP) -> list[RankedStory]:
    """The `top` most read stories published in [start, end], one per canonical story."""
    groups: dict[int, list[dict]] = {}
    for row in stories_with_reads(db, start, end):
        groups.setdefault(row["canonical_id"], []).append(row)
    ranked = []
    for canonical_id, copies in groups.items():
        main = next((c for c in copies if c["id"] == canonical_id), copies[0])
        published = local_date(main["published_at"])
        if not start <= published <= end:
            continue
        reads = sum(
            (c["reads_in_range"] or 0) if c["has_daily_reads"] else (c["page_views"] or 0)
            for c in copies
        )
        reporter = main["reporter"] or next((c["reporter"] for c in copies if c["reporter"]), None)
        channels = tuple(sorted({c["channel"] for c in copies}))
        ranked.append(
            RankedStory(canonical_id, main["title"], reads, published, reporter, channels)
        )
    ranked.sort(key=lambda story: (-story.reads, story.published, story.story_id))
    return ranked[:top]


def heading(start: Date, end: Date) -> str:
    """`新闻点击排行榜(1月19日-1月25日)`, half-width parentheses as printed."""
    return f"新闻点击排行榜({month_day(start)}-{month_day(end)})"


def entry_lines(story: RankedStory) -> tuple[str, str]:
    """`- 标题` and `访问量:297.6万次,发布时间:1月22日 记者:孙晓静` (half-width : and ,)."""
    counts = f"访问量:{format_count(story.reads)},发布时间:{month_day(story.published)}"
    if story.reporter:
        counts += f" 记者:{story.reporter}"
    return f"- {story.title}", counts


def ranking_text(start: Date, end: Date, stories: list[RankedStory]) -> str:
    """The block as printed: heading, a blank line, two lines per story."""
    lines = [line for story in stories for line in entry_lines(story)]
    return heading(start, end) + "\n\n" + "\n".join(lines) + "\n"


def ranking_docx(start: Date, end: Date, stories: list[RankedStory]) -> bytes:
    """The block as a Word document, the same lines, reproducible byte for byte."""
    from moderation.export.docx_export import ranking_docx as build

    return build(heading(start, end), [entry_lines(s) for s in stories], end.isoformat())
