"""A draft of the column for a date range: the stories with most reader response, and for each
a diverse set of approved quotes in print order, plus alternates, each with its reason.

The draft is a plain, JSON-ready dict; nothing is selected until an editor accepts it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date as Date

from moderation.drafting import select as selection
from moderation.drafting.topics import topics_of
from moderation.drafting.weights import Weights, weights_from
from moderation.storage import drafts as store
from moderation.timeutil import day_bounds

QUOTE_KEYS = (
    "id", "text", "trim", "author_name", "author_key", "channel_label", "likes", "topic_label",
    "sentiment", "reason", "score", "dup_group", "copies",
)  # fmt: skip
Progress = Callable[[str, int, int], None]


def utc_range(first: Date, last: Date) -> tuple[str, str]:
    """[first 00:00, the day after last 00:00) in Beijing time, as UTC storage timestamps."""
    if last < first:
        raise ValueError(f"the range ends ({last}) before it starts ({first})")
    return day_bounds(first, last)


def response(comments: int, reads: int | None) -> float:
    """Reader response: comments across channels, weighted up by reads where known (a story
    read a million times counts its comments about three times)."""
    return comments * (1 + math.log10(1 + (reads or 0) / 10_000) / 2)


def choose_stories(rows: list[dict], count: int) -> list[dict]:
    """The `count` stories with most reader response that have approved comments to quote."""
    quotable = [row for row in rows if row["approved"]]
    for row in quotable:
        row["response"] = round(response(row["comments"], row.get("reads")), 1)
    quotable.sort(key=lambda row: (-row["response"], row["story_id"]))
    return quotable[:count]


def story_reason(row: dict) -> str:
    """Why a story is in the draft: "评论 48 · 阅读 177.8万 · 已通过 30"."""
    parts = [f"评论 {row['comments']}"]
    if row.get("reads"):
        reads = row["reads"]
        parts.append(f"阅读 {reads / 10000:.1f}万" if reads >= 10000 else f"阅读 {reads}")
    parts.append(f"已通过 {row['approved']}")
    return " · ".join(parts)


def quote_view(quote: dict) -> dict:
    """The part of a proposed quote a draft keeps."""
    return {key: quote.get(key) for key in QUOTE_KEYS}


def propose(comments: list[dict], weights: Weights, counts: selection.Counts) -> tuple:
    """(picks, alternates) for one story's candidate comments."""
    prepared = selection.prepare(comments, topics_of(comments))
    picks, alternates = selection.select(prepared, weights, counts)
    return [quote_view(q) for q in picks], [quote_view(q) for q in alternates]


def draft_section(db, row: dict, span: tuple[str, str], weights: Weights, counts) -> dict:
    """One story's section of the draft."""
    comments = store.story_candidates(db, [row["story_id"]], *span)
    picks, alternates = propose(comments, weights, counts)
    return {
        "story_id": row["story_id"],
        "title": row.get("title") or "",
        "reason": story_reason(row),
        "picks": picks,
        "alternates": alternates,
    }


def build_draft(
    db, first: Date, last: Date, draft_settings, weights: Weights | None = None,
    progress: Progress | None = None,
) -> dict:  # fmt: skip
    """The draft of the column for [first, last] (newsroom dates)."""
    span = utc_range(first, last)
    weights = weights or weights_from(draft_settings)
    counts = selection.counts_from(draft_settings)
    rows = choose_stories(store.story_response(db, *span), draft_settings.stories)
    sections = []
    for done, row in enumerate(rows, start=1):
        sections.append(draft_section(db, row, span, weights, counts))
        if progress:
            progress(row.get("title") or "", done, len(rows))
    return {"start": first.isoformat(), "end": last.isoformat(), "sections": sections}


def story_rows(db, first: Date, last: Date) -> list[dict]:
    """Every quotable story of the range with its response, most response first (for the
    editor's "add a story" list)."""
    return choose_stories(store.story_response(db, *utc_range(first, last)), 10_000)
