"""Queue pages and counts on a big database: `python bench/queue_pages.py [N] [PATH]`.

Builds N synthetic comments (default a million) once, then times the first page, a page deep
into the queue (keyset), the capped counts, and prints each queue query's plan.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from moderation.db import connect  # noqa: E402
from moderation.storage import queue as queue_store  # noqa: E402
from moderation.storage.queue import QueueFilter  # noqa: E402


def build(db, total: int) -> None:
    """Fill an empty database with `total` comments and scores."""
    random.seed(7)
    db.execute(
        "INSERT INTO stories (id, channel, native_id, title, collected_at, canonical_id) "
        "VALUES (1, 'bench', 's1', '基准测试稿件', '2024-01-01', 1)"
    )
    words = "株洲下雪环卫工人辛苦了交通安全点赞致敬公交晚点路面结冰"
    batch = 50_000
    with db.atomic():
        for start in range(1, total + 1, batch):
            rows, scores = [], []
            for i in range(start, min(start + batch, total + 1)):
                text = "".join(random.choice(words) for _ in range(12))
                rows.append(
                    (i, "bench", f"n{i}", 1, f"a{i % 5000}", text,
                     f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00+00:00",
                     "2024-01-01", i % 97, random.choice(["pending", "approved", "rejected"]))
                )  # fmt: skip
                flags = "spam_link" if i % 50 == 0 else ""
                scores.append((i, random.random(), "neutral", "bench", flags, "2024-01-01"))
            db.conn.executemany(
                "INSERT INTO comments (id, channel, native_id, story_id, author_key, text, "
                "created_at, collected_at, likes, status) VALUES (?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
            db.conn.executemany(
                "INSERT INTO scores (comment_id, sentiment, label, model_version, flag_codes, "
                "scored_at) VALUES (?,?,?,?,?,?)",
                scores,
            )
    db.execute("ANALYZE")


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
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    path = Path(sys.argv[2] if len(sys.argv) > 2 else f"bench/out/queue-{total}.db")
    db = connect(path)
    if not db.execute("SELECT COUNT(*) FROM comments").fetchone()[0]:
        timed(f"build {total} comments", lambda: build(db, total))
    for order in queue_store.ORDERS:
        walk(db, order)
    for queue in queue_store.QUEUES:
        timed(f"count {queue} (capped)", lambda q=queue: queue_store.count(db, QueueFilter(q)))
    timed("flagged page 1", lambda: queue_store.list_queue(db, QueueFilter(queue="flagged")))


if __name__ == "__main__":
    main()
