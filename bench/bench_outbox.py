"""Outbox throughput against a local WeChat server, and what pushing adds to an approve.

    python bench/bench_outbox.py [--n 2000] [--requests 200]

1. Throughput: N approved comments queue N `markelect` actions (one transaction); the
   sender delivers them over real HTTP to a local server speaking WeChat's comment API
   (tests/push/servers.py). Prints actions/s and the per-action cost.
2. Dashboard cost: `--requests` approves through the WSGI app (POST, redirect not
   followed) on a database with push "on" and one with push "off"; prints median and p95
   of each and the difference (the outbox row is written in the decision's transaction).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from moderation import create_app  # noqa: E402
from moderation.db import open_db  # noqa: E402
from moderation.sending import push_outbox  # noqa: E402
from moderation.settings import load_settings  # noqa: E402
from moderation.storage import comments as comment_store  # noqa: E402
from moderation.storage import users  # noqa: E402
from tests.helpers import write_config  # noqa: E402
from tests.push.conftest import MSG_DATA_ID, store_wechat, wechat_channel  # noqa: E402
from tests.push.servers import FakeWeChat, serving  # noqa: E402

PASSWORD = "bench password 1"


def setup(folder: Path, url: str, push: str, count: int):
    """Settings and a database with `count` comments on one WeChat article."""
    folder.mkdir(parents=True, exist_ok=True)
    settings = load_settings(write_config(folder, channels=wechat_channel(url, push)))
    db = open_db(settings)
    ids = store_wechat(db, {(MSG_DATA_ID, 0): list(range(1, count + 1))})
    return settings, db, list(ids.values())


def throughput(folder: Path, count: int) -> None:
    """Queue `count` approves, deliver them, print actions/s."""
    articles = {(MSG_DATA_ID, 0): list(range(1, count + 1))}
    with serving(FakeWeChat(articles)) as fake:
        fake.elect_limit = count + 1  # a benchmark, not the 100-per-article rule
        settings, db, ids = setup(folder, fake.url, "on", count)
        started = time.perf_counter()
        comment_store.decide_many(db, ids, "approve", actor="bench")
        queued = time.perf_counter() - started
        started = time.perf_counter()
        report = push_outbox.deliver(db, settings, limit=count + 10)
        elapsed = time.perf_counter() - started
        done = report.total("done")
        assert done == count == sum(fake.effects.values()), (done, count)
    print(f"queue {count} decisions with their actions: {queued * 1000:.0f} ms")
    print(
        f"deliver {done} markelect over HTTP: {elapsed:.2f} s = {done / elapsed:,.0f} actions/s "
        f"({elapsed / done * 1000:.2f} ms each)"
    )


def approve_latency(folder: Path, url: str, push: str, requests: int) -> list[float]:
    """Milliseconds of each approve through the WSGI app."""
    settings, db, ids = setup(folder, url, push, requests)
    users.add_user(db, "mod", "moderator", PASSWORD)
    app = create_app(settings, WTF_CSRF_ENABLED=False, SECRET_KEY="bench")
    client = app.test_client()
    client.post("/login", data={"name": "mod", "password": PASSWORD})
    times = []
    for comment_id in ids:
        started = time.perf_counter()
        response = client.post(f"/comments/{comment_id}/approve", data={"force": "1"})
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 302
    queued = db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
    assert queued == (requests if push == "on" else 0)
    return times


def p95(values: list[float]) -> float:
    """The 95th percentile."""
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    """Run both measurements and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="actions to deliver")
    parser.add_argument("--requests", type=int, default=200, help="approves per mode")
    args = parser.parse_args()
    os.environ.setdefault("ZZRB_WECHAT_SECRET", "bench-secret")
    with tempfile.TemporaryDirectory() as tmp:
        throughput(Path(tmp, "throughput"), args.n)
        with serving(FakeWeChat({})) as fake:
            figures = {
                push: approve_latency(Path(tmp, push), fake.url, push, args.requests)
                for push in ("off", "on")
            }
    for push, times in figures.items():
        print(
            f"approve, push {push:>3}: median {statistics.median(times):.2f} ms, "
            f"p95 {p95(times):.2f} ms ({len(times)} requests)"
        )
    added = p95(figures["on"]) - p95(figures["off"])
    print(f"added by pushing at p95: {added:+.2f} ms per approve")


if __name__ == "__main__":
    main()
