"""Issue 20's figures: queue pages full of maximum-length comments, and how long deciding a
big duplicate group holds the write lock.

    python bench/bench_limits.py [--comments 1000] [--group 10000] [--rounds 5]

1. `--comments` comments of [limits] text_chars characters each (20,000 by default), each
   with a few flagged spans, pending in the queue: every queue page (20 cards) is fetched
   `--rounds` times through the Flask app; prints median, p95 and max milliseconds.
2. A duplicate group of `--group` comments approved from the dashboard
   (POST /groups/<id>/approve): prints each write transaction's longest hold of the lock
   and the longest wait of another writer trying to commit meanwhile, beside the same
   group decided the old way (one transaction).

Issue 24's figures (run alone with `--only-issue24`):

3. `--campaign` comments (100,000 by default) posted by as many authors: 70% one text, 30%
   that text with a number after it; scored by `score_pending` into an empty database.
   Prints seconds, comments per second and the process's peak memory (target: 60 s, 1 GB).
4. `--crafted` comments (1,000 by default) of crafted patterns (the link pattern's worst
   case "a。" and its relatives), scored by the Scorer at 1,000, 10,000 and 20,000
   characters: time per comment side by side (linear cost: per character it stays flat).
"""

from __future__ import annotations

import argparse
import html
import math
import os
import random
import re
import resource
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from moderation import create_app  # noqa: E402
from moderation.db import connect  # noqa: E402
from moderation.settings import settings_from_mapping  # noqa: E402
from moderation.storage import comments as comment_store  # noqa: E402
from moderation.storage import (
    decisions,  # noqa: E402
    users,  # noqa: E402
)

CLAUSES = "株洲下雪了环卫工人辛苦了，交通安全要注意；公交晚点路面结冰，致敬坚守的你们！"


def long_text(rng: random.Random, length: int) -> str:
    """A comment of exactly `length` characters of newsroom-like text."""
    pieces, size = [], 0
    while size < length:
        start = rng.randrange(len(CLAUSES))
        piece = CLAUSES[start:] + CLAUSES[:start]
        pieces.append(piece)
        size += len(piece)
    return "".join(pieces)[:length]


def add_comments(db, count: int, text_of, group: int | None = None) -> list[int]:
    """Insert `count` pending comments (scored, with flagged spans) and return their ids."""
    first = (db.execute("SELECT MAX(id) FROM comments").fetchone()[0] or 0) + 1
    ids = list(range(first, first + count))
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO comments (id, channel, native_id, story_id, author_key, text, "
            "created_at, collected_at, status) VALUES (?, 'bench', ?, 1, ?, ?, ?, ?, 'pending')",
            [
                (i, f"n{i}", f"a{i % 97}", text_of(i), f"2024-01-{1 + i % 28:02d}T08:00:00+00:00",
                 "2024-02-01")
                for i in ids
            ],
        )  # fmt: skip
        spans = (
            '[{"code": "suspect", "reason": "可疑词", "action": "review", "spans": ['
            + ",".join(
                f'{{"start": {s}, "end": {s + 2}, "text": "辛苦"}}'
                for s in range(100, 19_000, 1500)
            )
            + "]}]"
        )
        db.conn.executemany(
            "INSERT INTO scores (comment_id, sentiment, label, model_version, flags, flag_codes, "
            "dup_group, scored_at) VALUES (?, 0.4, 'neutral', 'bench', ?, 'suspect', ?, '2024')",
            [(i, spans, group if group is None else first) for i in ids],
        )
    return ids


def app_and_client(path: Path, folder: Path):
    """The dashboard app on the bench database, logged in as an admin."""
    settings = settings_from_mapping(
        {"database": {"path": str(path)}, "data_dir": str(folder)}, base_dir=folder
    )
    app = create_app(settings, WTF_CSRF_ENABLED=False, SECRET_KEY="bench")
    client = app.test_client()
    response = client.post("/login", data={"name": "bench", "password": "bench password"})
    assert response.status_code == 302
    return settings, client


def queue_pages(client, rounds: int) -> None:
    """Fetch every pending-queue page `rounds` times; print median, p95 and max."""
    samples = []
    for _ in range(rounds):
        url = "/"
        while url:
            started = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
            body = response.get_data(as_text=True)
            found = re.search(r'<a href="([^"]+)" class="next-page">', body)
            url = html.unescape(found.group(1)) if found else None
    samples.sort()
    p95 = samples[min(len(samples) - 1, math.ceil(len(samples) * 0.95) - 1)]
    print(f"  queue pages: {len(samples)} requests, median {statistics.median(samples):.1f} ms, "
          f"p95 {p95:.1f} ms, max {samples[-1]:.1f} ms")  # fmt: skip


class LockWatch:
    """Another writer committing a tiny change in a loop: its longest wait for the lock."""

    def __init__(self, path: Path):
        self.path = path
        self.waits: list[float] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        while not self.stop.is_set():
            started = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            self.waits.append(time.perf_counter() - started)
            conn.execute("UPDATE channels SET updated_at = ? WHERE name = 'bench'", [started])
            conn.execute("COMMIT")
            time.sleep(0.005)
        conn.close()

    def __enter__(self):
        self.thread.start()
        return self

    def longest_ms(self) -> float:
        """The longest wait in ms; 0 when the watched work was over before the writer's first
        try (a small group at the test suite's tiny size: max() of no waits had failed)."""
        return 1000 * max(self.waits, default=0.0)

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def timed_transactions():
    """Wrap decisions.decide (one write transaction each) to record how long each held the
    lock."""
    holds: list[float] = []
    original = decisions.decide

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            holds.append(time.perf_counter() - started)

    decisions.decide = timed
    return holds, original


def group_decision(path: Path, client, db, size: int) -> None:
    """Approve a `size`-comment group from the dashboard; print lock holds and waits."""
    ids = add_comments(db, size, lambda i: "同一条刷屏内容，请大家转发", group=0)
    holds, original = timed_transactions()
    try:
        with LockWatch(path) as watch:
            started = time.perf_counter()
            response = client.post(f"/groups/{ids[0]}/approve", data={"force": "1"})
            total = time.perf_counter() - started
    finally:
        decisions.decide = original
    assert response.status_code == 302
    approved = db.execute(
        "SELECT COUNT(*) FROM comments WHERE status = 'approved' AND id >= ?", [ids[0]]
    ).fetchone()[0]
    assert approved == size, approved
    print(f"  group of {size:,} approved in {total:.2f} s, {len(holds)} transactions: "
          f"longest lock hold {1000 * max(holds):.1f} ms; another writer's longest wait "
          f"{watch.longest_ms():.1f} ms over {len(watch.waits)} commits")  # fmt: skip
    with LockWatch(path) as watch:
        started = time.perf_counter()
        comment_store.decide_many(db, ids, "reject", "bench")  # the old way: one transaction
        hold = time.perf_counter() - started
    print(f"  the same group in one transaction: lock held {1000 * hold:.1f} ms; another "
          f"writer's longest wait {watch.longest_ms():.1f} ms")  # fmt: skip


CAMPAIGN = "大家快去投票支持这个项目，链接在我主页，一起来吧！"
CRAFTED = ("a。", "1-。", "x.", "。ab", "http://", "a@", "微信a", "qq1", "aa-", "8。")


def peak_mb() -> float:
    """The process's peak resident memory so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def campaign(folder: Path, size: int) -> None:
    """Score `size` campaign comments from distinct authors; print time and peak memory."""
    from moderation import pipeline
    from moderation.storage import duplicate_index

    settings = settings_from_mapping(
        {"database": {"path": str(folder / "campaign.db")}, "data_dir": str(folder)},
        base_dir=folder,
    )
    db = connect(settings.database_path)
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO comments (id, channel, native_id, story_id, author_key, text, "
            "created_at, collected_at, status) VALUES (?, 'web', ?, NULL, ?, ?, "
            "'2024-01-02T00:00:00+00:00', '2024-01-02', 'pending')",
            [
                (i, f"n{i}", f"author{i}", CAMPAIGN if i % 10 < 7 else f"{CAMPAIGN}{i}")
                for i in range(1, size + 1)
            ],
        )
    pipeline.current_scorer(db, settings)  # the model loads before the clock starts
    before = peak_mb()
    started = time.perf_counter()
    scored = pipeline.score_pending(db, settings)
    seconds = time.perf_counter() - started
    groups, flagged = db.execute(
        "SELECT COUNT(DISTINCT dup_group), SUM(instr(flag_codes, 'mass_posting') > 0) FROM scores"
    ).fetchone()
    print(f"campaign: {scored:,} comments from {size:,} authors scored in {seconds:.1f} s "
          f"({scored / seconds:,.0f}/s); {groups} duplicate group(s), {flagged:,} flagged "
          f"mass_posting; peak memory {peak_mb():,.0f} MB (before scoring {before:,.0f} MB, "
          f"index {len(duplicate_index._HELD)} held)")  # fmt: skip
    db.close()


def crafted(folder: Path, count: int) -> None:
    """Score `count` crafted comments at each length; print ms per comment side by side."""
    from moderation import pipeline

    settings = settings_from_mapping(
        {"database": {"path": str(folder / "crafted.db")}, "data_dir": str(folder)},
        base_dir=folder,
    )
    db = connect(settings.database_path)
    scorer = pipeline.current_scorer(db, settings)
    sizes = (1_000, 10_000, 20_000)
    rows = {}
    for unit in CRAFTED:
        for length in sizes:
            text = (unit * length)[:length]
            runs = max(1, count // len(CRAFTED))
            started = time.perf_counter()
            for _ in range(runs):
                result = scorer.score(text)
            rows[unit, length] = (1000 * (time.perf_counter() - started) / runs, result)
    print(f"crafted: {count:,} comments a length, time per comment (ms) and per 1,000 characters")
    print("  pattern    " + "".join(f"{n:>10,} ch" for n in sizes) + "   ms/1k ch at 1k / 20k")
    for unit in CRAFTED:
        cells = "".join(f"{rows[unit, n][0]:>13.2f}" for n in sizes)
        per_k = [rows[unit, n][0] / (n / 1000) for n in (sizes[0], sizes[-1])]
        timeouts = sum("scoring_timeout" in str(rows[unit, n][1].flags) for n in sizes)
        print(f"  {unit!r:10} {cells}   {per_k[0]:.2f} / {per_k[1]:.2f}"
              + (f"  ({timeouts} timed out)" if timeouts else ""))  # fmt: skip
    db.close()


def main() -> None:
    """Build a database in a temporary folder, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--comments", type=int, default=1000)
    parser.add_argument("--group", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--campaign", type=int, default=100_000)
    parser.add_argument("--crafted", type=int, default=1000)
    parser.add_argument("--only-issue24", action="store_true", help="only sections 3 and 4")
    args = parser.parse_args()
    from moderation.scoring.fast_segment import CACHE_DIR_ENV, default_cache_dir

    os.environ.setdefault(CACHE_DIR_ENV, default_cache_dir())  # the model tables, built once
    with tempfile.TemporaryDirectory() as name:
        if args.campaign:
            campaign(Path(name), args.campaign)
        if args.crafted:
            crafted(Path(name), args.crafted)
    if args.only_issue24:
        return
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        path = folder / "bench.db"
        db = connect(path)
        db.execute(
            "INSERT INTO stories (id, channel, native_id, title, collected_at) "
            "VALUES (1, 'bench', 's1', '基准测试稿件', '2024-01-01')"
        )
        db.execute("INSERT INTO channels (name, type) VALUES ('bench', 'demo')")
        users.add_user(db, "bench", "admin", "bench password")
        settings, client = app_and_client(path, folder)
        length = settings.limits.text_chars
        rng = random.Random(7)
        started = time.perf_counter()
        add_comments(db, args.comments, lambda i: long_text(rng, length))
        print(f"{args.comments:,} pending comments of {length:,} characters "
              f"(built in {time.perf_counter() - started:.1f} s)")  # fmt: skip
        queue_pages(client, args.rounds)
        db.execute("UPDATE comments SET status = 'approved'")
        group_decision(path, client, db, args.group)
        db.close()


if __name__ == "__main__":
    main()
