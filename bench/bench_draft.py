"""Drafting a week's column on top of a newsroom-scale database.

    python bench/bench_draft.py [--n 1000000] [--runs 3]

Builds (once, cached under bench/out/) a database of N synthetic comments over four weeks,
2,000 stories and five channels, written through the project's storage functions as
collection would (stories, comments, scores; 30% approved by `decide_many`). Then drafts the
week 2024-01-08..14 (a quarter of all comments) `runs` times and prints the median and the
slowest run, with the time spent ranking stories.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic import comments, stories  # noqa: E402
from moderation.db import connect  # noqa: E402
from moderation.drafting.draft import build_draft, utc_range  # noqa: E402
from moderation.settings import DraftSettings  # noqa: E402
from moderation.storage import comments as comment_store  # noqa: E402
from moderation.storage import drafts as draft_store  # noqa: E402
from moderation.storage import scores  # noqa: E402
from moderation.storage import stories as story_store  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
WEEK = (date(2024, 1, 8), date(2024, 1, 14))
BATCH = 20_000


def build(path: Path, count: int) -> None:
    """Write `count` comments with scores into a fresh database at `path`."""
    rng = random.Random(11)
    db = connect(path)
    story_ids: dict[str, dict[str, int]] = defaultdict(dict)
    with db.atomic():
        for channel, story in stories(2000):
            story_ids[channel][story.native_id] = story_store.upsert_story(db, channel, story)
    batch: list = []
    started = time.perf_counter()
    for number, item in enumerate(comments(count), start=1):
        batch.append(item)
        if len(batch) == BATCH or number == count:
            _flush(db, batch, story_ids, rng)
            batch = []
            rate = number / (time.perf_counter() - started)
            print(f"\r  building: {number:,}/{count:,} ({rate:,.0f}/s)", end="", file=sys.stderr)
    print(file=sys.stderr)
    db.execute("ANALYZE")
    db.close()


def _flush(db, batch, story_ids, rng) -> None:
    by_channel = defaultdict(list)
    for channel, comment in batch:
        by_channel[channel].append(comment)
    with db.atomic():
        for channel, items in by_channel.items():
            comment_store.save_comments(db, channel, items, story_ids[channel])
        rows = scores.unscored(db, len(batch))
        scores.save_scores(db, [_score(row, rng) for row in rows])
        approved = [row["id"] for row in rows if rng.random() < 0.3]
        comment_store.decide_many(db, approved, "approve", actor="bench")


def _score(row: dict, rng) -> dict:
    """A score drawn at random: this measures the drafting, not the scorer."""
    sentiment = rng.betavariate(2, 2)
    codes = ["negative"] if sentiment < 0.3 else []
    if rng.random() < 0.03:
        codes.append(rng.choice(["suspect", "personal_data", "spam_link", "low_information"]))
    return {
        "comment_id": row["id"],
        "sentiment": sentiment,
        "label": "negative" if sentiment < 0.3 else "positive" if sentiment > 0.7 else "neutral",
        "model_version": "bench",
        "flags": [{"code": code} for code in codes],
        "dup_group": row["id"],
    }


def main() -> None:
    """Build once, then time drafting one week."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="stored comments")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    path = OUT / f"draft-{args.n}.db"
    if not path.exists():
        build(path, args.n)
    db = connect(path)
    stored = db.execute("SELECT COUNT(*) FROM comments").fetchone()[0]
    span = utc_range(*WEEK)
    in_week = db.execute(
        "SELECT COUNT(*) FROM comments WHERE created_at >= ? AND created_at < ?", span
    ).fetchone()[0]
    started = time.perf_counter()
    draft_store.story_response(db, *span)
    ranking = time.perf_counter() - started
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        body = build_draft(db, *WEEK, DraftSettings())
        times.append(time.perf_counter() - started)
    quotes = sum(len(s["picks"]) + len(s["alternates"]) for s in body["sections"])
    print(
        f"stored comments {stored:,}; in the week {in_week:,}\n"
        f"ranking stories (first run, cold): {ranking:.3f} s\n"
        f"draft of a week ({len(body['sections'])} stories, {quotes} quotes proposed): "
        f"median {statistics.median(times):.3f} s, slowest {max(times):.3f} s over {args.runs} runs"
    )


if __name__ == "__main__":
    main()
