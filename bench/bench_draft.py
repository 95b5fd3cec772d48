"""Drafting a week's column on top of a newsroom-scale database.

    python bench/bench_draft.py [--n 1000000] [--runs 3]

Uses the benchmarks' shared database of N synthetic comments over four weeks (bench/database.py:
built once through the project's storage functions, 30% approved). Drafts the week
2024-01-08..14 (a quarter of all comments) `runs` times and prints the median and the
slowest run (the first loads the segmenter), with the time spent ranking stories.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.database import dashboard_database  # noqa: E402
from moderation.db import connect  # noqa: E402
from moderation.drafting.draft import build_draft, utc_range  # noqa: E402
from moderation.settings import DraftSettings  # noqa: E402
from moderation.storage import drafts as draft_store  # noqa: E402

WEEK = (date(2024, 1, 8), date(2024, 1, 14))


def main() -> None:
    """Build once, then time drafting one week."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="stored comments")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    db = connect(dashboard_database(args.n))
    span = utc_range(*WEEK)
    in_week = db.execute(
        "SELECT COUNT(*) FROM comments WHERE created_at >= ? AND created_at < ?", span
    ).fetchone()[0]
    if not in_week:
        sys.exit(
            "no comments dated in the week 2024-01-08..14: the database was built before "
            "bench/synthetic.py dated comments in their month; delete it and run again"
        )
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
        f"comments in the week {in_week:,}\n"
        f"ranking stories (first run, cold): {ranking:.3f} s\n"
        f"draft of a week ({len(body['sections'])} stories, {quotes} quotes proposed): "
        f"median {statistics.median(times):.3f} s, slowest {max(times):.3f} s over {args.runs} runs"
    )


if __name__ == "__main__":
    main()
