"""Queue pages and counts on a big database: `python bench/queue_pages.py [--n N] [--db PATH]`.

On the benchmarks' database of N synthetic comments (default a million, built once by
bench/database.py) or on the database at PATH, times the first page, a page deep into the
queue (keyset), the capped counts, and prints each queue query's plan.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.database import dashboard_database  # noqa: E402
from moderation.db import connect  # noqa: E402
from moderation.storage import queue as queue_store  # noqa: E402
from moderation.storage.queue import QueueFilter  # noqa: E402


def timed(label: str, function):
    """Run `function`, print how long it took, return its result."""
    started = time.perf_counter()
    result = function()
    print(f"{label:42s} {1000 * (time.perf_counter() - started):8.1f} ms")
    return result


def walk(db, order: str) -> None:
    """Time page 1 and page 202 of the pending queue in one order; print the plan."""
    filters = QueueFilter()
    rows, after = timed(
        f"pending/{order} page 1", lambda: queue_store.list_queue(db, filters, order)
    )
    for _ in range(200):
        rows, after = queue_store.list_queue(db, filters, order, after)
    timed(f"pending/{order} page 202", lambda: queue_store.list_queue(db, filters, order, after))
    print("   plan:", " | ".join(queue_store.explain(db, filters, order, after)))


def main() -> None:
    """Build if needed, then time and explain."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="an existing database instead of the bench one")
    args = parser.parse_args()
    db = connect(args.db or dashboard_database(args.n))
    for order in queue_store.ORDERS:
        walk(db, order)
    for queue in queue_store.QUEUES:
        timed(f"count {queue} (capped)", lambda q=queue: queue_store.count(db, QueueFilter(q)))
    timed("flagged page 1", lambda: queue_store.list_queue(db, QueueFilter(queue="flagged")))


if __name__ == "__main__":
    main()
