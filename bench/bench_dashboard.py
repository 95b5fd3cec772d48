"""Dashboard latency with a newsroom-scale database, through the WSGI app.

    python bench/bench_dashboard.py [--n 1000000] [--requests 200]

Builds (once, kept under bench/out/, see bench/database.py) a database of N synthetic
comments across five channels and 2,000 stories, with scores (sentiment drawn at random:
this measures the dashboard, not the scorer) and ~3% flagged. Then times the queue, a
filtered queue, a story view, Chinese full-text search and a column export, median and p95,
and prints EXPLAIN QUERY PLAN for the hot queries.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.database import (  # noqa: E402
    BENCH_PASSWORD,
    BENCH_USER,
    dashboard_database,
    ensure_bench_user,
    out_dir,
)
from moderation.db import connect  # noqa: E402


def timed(client, url: str, runs: int) -> tuple[float, float]:
    """Median and p95 milliseconds of GET `url`."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def rare_pair(db) -> str | None:
    """A two-character word in a few dozen comments: the case a scan was slowest at."""
    row = db.execute(
        "SELECT substr(term, 1, 2) FROM comments_fts_vocab WHERE doc BETWEEN 5 AND 50 "
        "AND unicode(term) > 19968 AND unicode(substr(term, 2)) > 19968 LIMIT 1"
    ).fetchone()
    return row[0] if row else None


def print_plans(db) -> None:
    """EXPLAIN QUERY PLAN of the hot queries, as the dashboard runs them."""
    from moderation.storage import queue
    from moderation.storage.search import fts_phrase

    cases = {
        "pending queue, newest": (queue.QueueFilter(), "newest"),
        "pending queue, channel + sentiment <= 0.3": (
            queue.QueueFilter(channel="wechat-zzrb", sentiment_max=0.3),
            "newest",
        ),
        "pending queue, most negative": (queue.QueueFilter(), "negative"),
        "flagged queue": (queue.QueueFilter(queue="flagged"), "newest"),
    }
    print("EXPLAIN QUERY PLAN")
    for name, (filters, order) in cases.items():
        print(f"  {name}:")
        for line in queue.explain(db, filters, order):
            print(f"    {line}")
    print("  search, candidate stream (trigram FTS5, descending rowid):")
    for row in db.execute(
        "EXPLAIN QUERY PLAN SELECT rowid FROM comments_fts WHERE comments_fts MATCH ? "
        "AND rowid < ? ORDER BY rowid DESC LIMIT 500",
        [fts_phrase("下雪了"), 2**62],
    ):
        print(f"    {row[3]}")
    print("  two-character search, trigrams starting with the pair (fts5vocab):")
    for row in db.execute(
        "EXPLAIN QUERY PLAN SELECT term FROM comments_fts_vocab WHERE term >= ? AND term < ?",
        ["菜价", "菜价\U0010ffff"],
    ):
        print(f"    {row[3]}")


def export_times(db, quotes: int = 200) -> None:
    """Build (once) an edition of `quotes` approved comments in 10 sections; time each export."""
    from moderation.export.formats import export_edition
    from moderation.storage import editions

    edition = editions.get_edition(db, "2024-02-02")
    if edition is None:
        edition = editions.create_edition(db, "2024-02-02", "融媒·观察", "bench")
        story_ids = [
            row[0]
            for row in db.execute(
                "SELECT story_id FROM comments WHERE status = 'approved' "
                "AND author_name IS NOT NULL "
                "GROUP BY story_id "
                "ORDER BY COUNT(*) DESC LIMIT 10"
            )
        ]
        for story_id in story_ids:
            section_id = editions.add_section(db, edition, story_id, "bench")
            for (comment_id,) in db.execute(
                "SELECT id FROM comments WHERE story_id = ? AND status = 'approved' "
                "AND author_name IS NOT NULL LIMIT ?",
                [story_id, quotes // len(story_ids)],
            ).fetchall():
                editions.select_quote(db, edition, section_id, comment_id, "bench")
        edition = editions.get_edition(db, "2024-02-02")
    count = db.execute(
        "SELECT COUNT(*) FROM edition_quotes WHERE edition_id = ?", [edition["id"]]
    ).fetchone()[0]
    print(f"column export, edition of {count} quotes (ms, median of 5)")
    for fmt, encoding in (
        ("txt", "utf-8"),
        ("txt", "gb18030"),
        ("docx", "utf-8"),
        ("csv", "utf-8"),
        ("json", "utf-8"),
    ):
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            content = export_edition(db, edition, fmt, encoding).content
            samples.append((time.perf_counter() - started) * 1000)
        print(
            f"  {fmt + ' ' + encoding:40} {statistics.median(samples):8.1f}"
            f"   ({len(content):,} bytes)"
        )


def main() -> None:
    """Build or reuse the database, then measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    path = dashboard_database(args.n)
    out = out_dir()
    from moderation import create_app
    from moderation.settings import settings_from_mapping

    settings = settings_from_mapping(
        {"database": {"path": str(path)}, "data_dir": str(out)}, base_dir=out
    )
    db = connect(path)
    ensure_bench_user(db)
    app = create_app(settings, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    client.post("/login", data={"name": BENCH_USER, "password": BENCH_PASSWORD})
    story = db.execute(
        "SELECT story_id FROM comments GROUP BY story_id ORDER BY COUNT(*) DESC LIMIT 1"
    ).fetchone()[0]
    urls = {
        "queue (pending, newest)": "/",
        "queue, filtered (channel+sentiment)": "/?channel=wechat-zzrb&smax=0.3",
        "queue, most negative": "/?order=negative",
        "queue, flagged": "/?queue=flagged",
        "story view": f"/stories/{story}",
        "search 下雪了 (FTS trigram)": "/search?q=下雪了",
        "search 菜价 (2 chars)": "/search?q=菜价",
        "search 下雪了 菜价 (two terms)": "/search?q=下雪了+菜价",
        "search 驫鱻驫 (3 chars, no hit)": "/search?q=驫鱻驫",
        "search 驫鱻 (2 chars, no hit)": "/search?q=驫鱻",
    }
    rare = rare_pair(db)
    if rare:
        urls[f"search {rare} (2 chars, rare)"] = f"/search?q={rare}"
    print(f"dashboard latency, {args.n:,} comments, {args.requests} requests each (ms)")
    print(f"  {'page':40} {'median':>8} {'p95':>8}")
    for name, url in urls.items():
        client.get(url)  # warm caches, as a working day would
        median, p95 = timed(client, url, args.requests)
        print(f"  {name:40} {median:8.1f} {p95:8.1f}")
    export_times(db)
    print_plans(db)
    size = path.stat().st_size / 1e6
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  database {size:,.0f} MB; peak RSS {peak:,.0f} MB")


if __name__ == "__main__":
    main()
