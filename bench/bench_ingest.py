"""End-to-end ingest: parse JSON pages -> upsert into SQLite -> score, in comments/s.

    python bench/bench_ingest.py [--n 100000] [--page 500] [--stored 1000000] [--rules extra]

One core (scoring in process). Prints store-only, score-only and end-to-end rates. With
--stored N the comments go into a copy of bench_dashboard's database of N comments (built
on first use, and given duplicate keys once), so every index and the duplicate look-ups
already hold N comments.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.database import out_dir  # noqa: E402
from bench.synthetic import comments, stories  # noqa: E402
from moderation import pipeline  # noqa: E402
from moderation.collectors.base import CollectedComment, Page  # noqa: E402
from moderation.db import Checkpointer, connect  # noqa: E402
from moderation.rules.model import Rule  # noqa: E402
from moderation.settings import settings_from_mapping  # noqa: E402
from moderation.storage import duplicate_index  # noqa: E402
from moderation.storage import rules as rule_store  # noqa: E402
from moderation.storage import stories as story_store  # noqa: E402


def json_pages(
    count: int,
    page_size: int,
    corpus: str = "clauses",
    prefix: str = "c",
    seed: int = 2,
    month: int = 1,
) -> list[bytes]:
    """The synthetic comments as JSON pages, as a channel would send them."""
    pages, batch = [], []
    for channel, comment in comments(count, corpus=corpus, prefix=prefix, seed=seed, month=month):
        batch.append((channel, asdict(comment)))
        if len(batch) == page_size:
            pages.append(json.dumps(batch, ensure_ascii=False).encode("utf-8"))
            batch = []
    if batch:
        pages.append(json.dumps(batch, ensure_ascii=False).encode("utf-8"))
    return pages


def ingest(db, settings, pages: list[bytes]) -> tuple[float, float]:
    """Parse and store every page, then score; return (store seconds, score seconds)."""
    started = time.perf_counter()
    for body in pages:
        by_channel: dict[str, list[CollectedComment]] = {}
        for channel, item in json.loads(body):
            by_channel.setdefault(channel, []).append(CollectedComment(**item))
        for channel, items in by_channel.items():
            summary = pipeline.RunSummary(channel=channel)
            pipeline._store_page(db, channel, Page(comments=items), summary)
    stored = time.perf_counter()
    pipeline.score_pending(db, settings)
    return stored - started, time.perf_counter() - stored


def stored_database(count: int, settings) -> Path:
    """bench_dashboard's database of `count` comments, with duplicate keys for every one."""
    from bench.database import dashboard_database
    from moderation.storage import duplicates

    path = dashboard_database(count)
    db = connect(path)
    last = db.execute("SELECT COALESCE(MAX(comment_id), 0) FROM dup_keys").fetchone()[0]
    while batch := db.execute(
        "SELECT id, text FROM comments WHERE id > ? ORDER BY id LIMIT 5000", [last]
    ).fetchall():
        with db.atomic():
            grouping = duplicates.assign_groups(db, batch, settings.scoring.duplicate_distance)
            db.conn.executemany(
                "UPDATE scores SET dup_group = ? WHERE comment_id = ?",
                [(group, comment_id) for comment_id, group in grouping.group_of.items()],
            )
        last = batch[-1][0]
        print(f"\r  duplicate keys for stored comments: up to id {last:,}", end="", file=sys.stderr)
    print(file=sys.stderr)
    if not db.execute("SELECT 1 FROM scores WHERE instr(flag_codes, 'mass_posting')").fetchone():
        # As the pipeline would have: campaigns flagged when their groups formed.
        from moderation.storage.scores import flag_campaign

        groups = db.execute(
            "SELECT dup_group FROM scores GROUP BY dup_group HAVING COUNT(*) > 1"
        ).fetchall()
        with db.atomic():
            for (group,) in groups:
                flag_campaign(db, group, settings.scoring.mass_posting_authors)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


def main() -> None:
    """Run the ingest benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--page", type=int, default=500)
    parser.add_argument(
        "--batch",
        type=int,
        default=0,
        help="comments scored per transaction (default: the settings')",
    )
    parser.add_argument(
        "--corpus",
        choices=["clauses", "template"],
        default="clauses",
        help="clauses of real text, or ~100 stock phrases (duplicate-heavy)",
    )
    parser.add_argument(
        "--stored",
        type=int,
        default=0,
        help="ingest into a copy of bench_dashboard's database of this many comments",
    )
    parser.add_argument(
        "--rules",
        choices=["none", "default", "extra"],
        default="default",
        help="no rules (the baseline), the default set (banned word, author levels), or it plus "
        "three rules, one reading every author's history (new authors held)",
    )
    args = parser.parse_args()
    # One core, strictly: the WAL checkpoint thread shares it with the ingest.
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as folder:
        run(args, Path(folder))


def run(args, folder: Path) -> None:
    """Ingest into a database in `folder` and print the figures."""
    data = out_dir() / "data"  # keeps the scorer cache
    scoring = {"batch_size": args.batch} if args.batch else {}
    settings = settings_from_mapping({"data_dir": str(data), "scoring": scoring}, base_dir=folder)
    if args.stored:
        shutil.copyfile(stored_database(args.stored, settings), folder / "bench.db")
    checkpointer = Checkpointer(folder / "bench.db").__enter__()  # as the scheduler runs it
    db = connect(folder / "bench.db")
    with db.atomic():
        for channel, story in stories(2000):
            story_store.upsert_story(db, channel, story)
    # On top of stored comments: new native ids and texts, from the month after them (a
    # collector brings what was written since its cursor, not more of the stored month).
    pages = json_pages(args.n, args.page, args.corpus, *(("i", 3, 2) if args.stored else ()))
    if args.rules == "extra":
        add_extra_rules(db)
    elif args.rules == "none":
        rule_store.replace_rules(db, [], "bench")
    from moderation.scoring import scorer as text_scorer

    text_scorer.scorer_for(settings)  # model load is not ingest
    started = time.perf_counter()
    duplicate_index.warm(db)  # nor is loading the stored duplicate keys, once per process
    load_seconds = time.perf_counter() - started
    store_seconds, score_seconds = ingest(db, settings, pages)
    checkpointer.__exit__(None, None, None)
    stored = db.table("comments").count
    db.close()
    total = store_seconds + score_seconds
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    on_top = f", {args.stored:,} already stored" if args.stored else ""
    print(
        f"ingest of {args.n:,} comments ({args.page} a page, {args.corpus} corpus{on_top}, "
        f"{len(rule_store.list_rules(connect(folder / 'bench.db')))} rules),"
        f" one core (CPU {min(os.sched_getaffinity(0))} only)"
    )
    print(f"  parse+store : {args.n / store_seconds:10,.0f} comments/s ({store_seconds:.1f} s)")
    print(f"  score       : {args.n / score_seconds:10,.0f} comments/s ({score_seconds:.1f} s)")
    print(f"  end to end  : {args.n / total:10,.0f} comments/s ({total:.1f} s)")
    print(f"  key index   : loaded in {load_seconds:.2f} s at start (not in the rates above)")
    print(f"  stored      : {stored:,} comments in the database after the ingest")
    size = (folder / "bench.db").stat().st_size / 1e6
    print(f"  peak RSS    : {peak:,.0f} MB; database {size:,.1f} MB")
    print(f"  heap at end : {anonymous_mb():,.0f} MB (RSS also counts the mapped database pages)")


def add_extra_rules(db) -> None:
    """Three rules on top of the default set, as an admin might add them."""
    for rule in (
        Rule("含链接", "hold", {"has_link": True}, queue="链接"),
        Rule("新用户", "hold", {"author_levels": ["new"], "length_above": 30}, queue="新用户"),
        Rule("夜间负面", "flag_editor", {"hours": "22-7", "sentiment_below": 0.1}),
    ):
        rule_store.add_rule(db, rule, "bench")


def anonymous_mb() -> float:
    """This process's anonymous resident memory (heap, arrays), without mapped file pages."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    return float("nan")


if __name__ == "__main__":
    main()
