"""Bounded load test on loopback: `moderation serve` (waitress) on a large database while
collection runs, hammered by wrk (Debian's package) for the queue and search pages.

    python bench/load_test.py [--n 1000000] [--seconds 20] [--connections 16]

Needs the database built by bench/bench_dashboard.py (same --n) and `wrk` on PATH. Every
request goes to 127.0.0.1; each wrk run stops after --seconds.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.database import (  # noqa: E402
    BENCH_PASSWORD,
    BENCH_USER,
    dashboard_database,
    out_dir,
    stored_comments,
)


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def collection_data(path: Path, count: int) -> None:
    """A demo-shaped file of new comments, collected while the load test runs."""
    from bench.synthetic import comments

    data = {
        "stories": [
            {"id": "load", "title": "负载测试稿件", "published": "2024-01-28T08:00:00+08:00"}
        ],
        "comments": [
            {
                "id": f"load-{n}",
                "story": "load",
                "author": f"读者{n % 50}",
                "text": comment.text,
                "created": "2024-01-28T09:00:00+08:00",
            }
            for n, (_, comment) in enumerate(comments(count, seed=99))
        ],
    }
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of the database at `source` (SQLite's backup API)."""
    import sqlite3

    with closing(sqlite3.connect(source)) as original, closing(sqlite3.connect(target)) as copy:
        original.backup(copy)


def login(base: str) -> str:
    """Log in as the bench admin; return the session cookie."""
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    session.post(
        f"{base}/login",
        data={"csrf_token": token, "name": BENCH_USER, "password": BENCH_PASSWORD},
        timeout=10,
    )
    return session.cookies["session"]


def wrk(url: str, cookie: str, seconds: int, connections: int) -> dict:
    """Run wrk once; return requests/s, latency percentiles and error counts."""
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "10s",
            "-H",
            f"Cookie: session={cookie}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    latency = dict(re.findall(r"\s+(50|90|99)%\s+([\d.]+\w+)", output))
    return {
        "rate": rate,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "none",
        "latency": latency,
    }


def main() -> None:
    """Start the service, load it, print the figures, stop it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    source = dashboard_database(args.n)
    work = Path(tempfile.mkdtemp(prefix="load-"))
    database = work / "load.db"
    copy_database(source, database)
    collection_data(work / "incoming.json", 20000)
    port = free_port()
    (work / "config.toml").write_text(
        f'data_dir = "{out_dir() / "data"}"\n[database]\npath = "{database}"\n'
        f"[server]\nport = {port}\n"
        f'[[channels]]\nname = "incoming"\ntype = "demo"\nschedule = "2s"\n'
        f'page_size = 200\ndata_file = "{work / "incoming.json"}"\n',
        encoding="utf-8",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "moderation.cli", "--config", str(work / "config.toml"), "serve"],
        stdout=subprocess.DEVNULL,
        stderr=open(work / "serve.log", "w"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                requests.get(f"{base}/healthz", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        cookie = login(base)
        print(
            f"load test: waitress, {args.n:,} comments, collection every 2 s, "
            f"wrk -t2 -c{args.connections} -d{args.seconds}s"
        )
        print(f"  {'page':34} {'req/s':>8} {'p50':>9} {'p99':>9} {'non-2xx':>8}  socket errors")
        for name, path in (
            ("queue /", "/"),
            ("queue filtered", "/?channel=weibo&smax=0.3"),
            ("search 下雪了", "/search?q=%E4%B8%8B%E9%9B%AA%E4%BA%86"),
        ):
            result = wrk(base + path, cookie, args.seconds, args.connections)
            print(
                f"  {name:34} {result['rate']:8.1f} {result['latency'].get('50', '?'):>9} "
                f"{result['latency'].get('99', '?'):>9} {result['non_2xx']:8d}  "
                f"{result['socket_errors']}"
            )
        collected = requests.get(f"{base}/healthz", timeout=10).json()
        print(f"  collection during the test: last ok run {collected['channels']}")
    finally:
        server.terminate()
        server.wait(timeout=60)
        stored = stored_comments(database)
        print(f"  comments collected while under load: {stored - stored_comments(source):,}")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
