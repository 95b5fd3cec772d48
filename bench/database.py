"""The benchmarks' database of N synthetic comments, built once and shared by the scripts.

It is written through the project's own storage functions (so it follows every migration),
built under a temporary name and renamed only when complete (an interrupted build never
passes for a finished one), and checked on every use: a file holding another number of
comments stops the benchmark with a clear message instead of measuring the wrong thing.
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from bench.synthetic import comments, stories
from moderation.db import connect
from moderation.storage import comments as comment_store
from moderation.storage import scores as score_store
from moderation.storage import stories as story_store

BATCH = 20_000
FLAGS = ["negative", "suspect", "personal_data", "spam_link", "low_information"]
STATUS_ACTIONS = (("approve", 3), ("reject", 1), (None, 6))  # 30% approved, 10% rejected
BENCH_USER, BENCH_PASSWORD = "bench", "bench password"


def out_dir() -> Path:
    """Where benchmarks keep their databases: $MODERATION_BENCH_OUT, else bench/out/."""
    folder = os.environ.get("MODERATION_BENCH_OUT") or Path(__file__).resolve().parent / "out"
    return Path(folder)


def dashboard_database(count: int) -> Path:
    """The database of `count` comments (built on first use); exits if it holds another count."""
    path = out_dir() / f"dashboard-{count}.db"
    if not path.exists():
        build(path, count)
    stored = stored_comments(path)
    print(f"  {path.name}: {stored:,} comments stored")
    if stored != count:
        sys.exit(f"{path} holds {stored:,} comments, not {count:,}: delete it and run again")
    return path


def ensure_bench_user(db) -> None:
    """The admin account the benchmarks log in as (created once per database)."""
    from moderation.storage import users

    if users.get_user(db, BENCH_USER) is None:
        users.add_user(db, BENCH_USER, "admin", BENCH_PASSWORD)


def stored_comments(path: Path) -> int:
    """How many comments the database at `path` holds."""
    db = connect(path, migrate=False)
    try:
        return db.table("comments").count
    finally:
        db.close()


def build(path: Path, count: int) -> None:
    """Write `count` scored comments into `path`, through a temporary file renamed at the end."""
    partial = path.with_name(path.name + ".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    db = connect(partial)
    fill(db, count)
    ensure_bench_user(db)
    db.execute("ANALYZE")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    os.replace(partial, path)


def fill(db, count: int) -> None:
    """Stories, then comments in batches, each batch scored and partly decided."""
    rng = random.Random(7)
    with db.atomic():
        for channel, story in stories(2000):
            story_store.upsert_story(db, channel, story)
    started, done = time.perf_counter(), 0
    for batch in batches(comments(count), BATCH):
        with db.atomic():
            first_new = db.execute("SELECT COALESCE(MAX(id), 0) FROM comments").fetchone()[0]
            for channel in sorted({channel for channel, _ in batch}):
                mine = [comment for name, comment in batch if name == channel]
                comment_store.save_comments(db, channel, mine, {})
            ids = [
                row[0] for row in db.execute("SELECT id FROM comments WHERE id > ?", [first_new])
            ]
            score_store.save_scores(db, [random_score(rng, comment_id) for comment_id in ids])
            decide_some(db, rng, ids)
        done += len(batch)
        rate = done / (time.perf_counter() - started)
        print(f"\r  building: {done:,}/{count:,} ({rate:,.0f}/s)", end="", file=sys.stderr)
    print(file=sys.stderr)


def batches(items, size: int) -> Iterator[list]:
    """Consecutive lists of `size` items (the last one shorter)."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def random_score(rng: random.Random, comment_id: int) -> dict:
    """A score row with a random sentiment and ~3% flags: this measures the dashboard."""
    sentiment = rng.betavariate(2, 2)
    codes = [code for code in FLAGS if rng.random() < 0.006]
    if sentiment < 0.3:
        codes.append("negative")
    return {
        "comment_id": comment_id,
        "sentiment": sentiment,
        "label": "negative" if sentiment < 0.3 else "neutral",
        "model_version": "bench",
        "flags": [
            {"code": code, "reason": code, "action": "review", "spans": []} for code in codes
        ],
        "dup_group": comment_id,
    }


def decide_some(db, rng: random.Random, ids: list[int]) -> None:
    """Approve about 30% and reject about 10% of `ids`, as moderators would have."""
    actions, weights = zip(*STATUS_ACTIONS, strict=True)
    chosen: dict[str, list[int]] = {}
    for comment_id in ids:
        action = rng.choices(actions, weights)[0]
        if action:
            chosen.setdefault(action, []).append(comment_id)
    for action, comment_ids in chosen.items():
        comment_store.decide_many(db, comment_ids, action, actor="bench")
