"""One alert evaluation pass over every rule at N stored comments (target: under 200 ms).

    python bench/bench_alerts.py [--n 1000000] [--passes 20]

On the shared bench database (bench/database.py), inside a transaction rolled back at the
end: the default rules plus five keyword subscriptions of twenty words each, and a flood of
40 negative comments on one story in the last ten minutes. Prints the first pass (which
fires the flood's alert) and the steady passes after it (median, p95, max), and how many
comments the windows held.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.database import dashboard_database  # noqa: E402
from moderation.alerts.conditions import DEFAULT_RULES  # noqa: E402
from moderation.collectors.base import CollectedComment  # noqa: E402
from moderation.db import connect  # noqa: E402
from moderation.sending.alert_evaluation import evaluate  # noqa: E402
from moderation.storage import alerts as store  # noqa: E402
from moderation.storage import comments as comment_store  # noqa: E402
from moderation.storage import scores as score_store  # noqa: E402
from moderation.timeutil import iso, parse_iso  # noqa: E402

WORDS = [
    "事故", "塌方", "停水", "停电", "爆炸", "火灾", "坠楼", "中毒", "踩踏", "围堵",
    "罢工", "上访", "暴雨", "内涝", "失联", "溺水", "食物中毒", "燃气", "拆迁", "欠薪",
]  # fmt: skip


def add_flood(db, now) -> int:
    """40 negative comments on the newest story in the ten minutes before `now`."""
    story = db.execute("SELECT native_id, channel FROM stories ORDER BY id DESC LIMIT 1").fetchone()
    flood = [
        CollectedComment(
            native_id=f"flood-{n}",
            story_native_id=story[0],
            text=f"太不像话了，这件事必须给个说法！{n}",
            created_at=iso(now - timedelta(minutes=10) + timedelta(seconds=n * 10)),
            author_key=f"flood:{n}",
        )
        for n in range(40)
    ]
    comment_store.save_comments(db, story[1], flood, {})
    ids = [row[0] for row in db.execute("SELECT id FROM comments WHERE native_id LIKE 'flood-%'")]
    score_store.save_scores(
        db,
        [
            {
                "comment_id": i,
                "sentiment": 0.02,
                "label": "negative",
                "model_version": "bench",
                "flags": [],
                "dup_group": None,
            }
            for i in ids
        ],
    )
    return len(ids)


def main() -> None:
    """Build or reuse the database, install rules and a flood, time the passes."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--passes", type=int, default=20)
    args = parser.parse_args()
    print(f"alert evaluation at {args.n:,} stored comments")
    db = connect(dashboard_database(args.n))
    latest = db.execute("SELECT max(created_at) FROM comments").fetchone()[0]
    now = parse_iso(latest) + timedelta(minutes=1)
    db.conn.execute("BEGIN")
    try:
        flooded = add_flood(db, now)
        for rule in DEFAULT_RULES:
            store.save_rule(db, dict(rule), "bench")
        for number in range(5):
            words = WORDS[number * 4 :] + WORDS[: number * 4]
            store.save_rule(
                db, {"name": f"关键词{number}", "kind": "keyword", "params": {"words": words}}, "b"
            )
        window = db.execute(
            "SELECT count(*) FROM comments WHERE created_at >= ?", [iso(now - timedelta(hours=1))]
        ).fetchone()[0]
        started = time.perf_counter()
        first = evaluate(db, now)
        first_ms = (time.perf_counter() - started) * 1000
        steady = []
        for number in range(args.passes):
            started = time.perf_counter()
            evaluate(db, now + timedelta(seconds=number + 1))
            steady.append((time.perf_counter() - started) * 1000)
    finally:
        db.conn.execute("ROLLBACK")
        db.close()
    steady.sort()
    p95 = steady[min(len(steady) - 1, int(len(steady) * 0.95))]
    print(f"  rules       : {len(DEFAULT_RULES) + 5} (defaults + 5 keyword lists of 20 words)")
    print(f"  windows     : {window:,} comments in the last hour ({flooded} of them a flood)")
    print(f"  first pass  : {first_ms:.1f} ms, {len(first.fired)} alert(s) fired")
    print(
        f"  steady pass : median {statistics.median(steady):.1f} ms, p95 {p95:.1f} ms, "
        f"max {steady[-1]:.1f} ms over {len(steady)} passes (target < 200 ms)"
    )


if __name__ == "__main__":
    main()
