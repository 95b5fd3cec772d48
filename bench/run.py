"""Every benchmark, one after the other, in one run: the figures for bench/RESULTS.md.

    python bench/run.py [--n 1000000] [--ingest 100000] [--scorer 3000] [--no-load]

The test suite runs it at a tiny size (tests/bench/), so no benchmark breaks unseen.

Prints the machine, then scorer throughput (snownlp vs fast, one core and pool), end-to-end
ingest (into an empty database, then on top of --n stored comments), dashboard latency,
column export and drafting a week's column at --n comments, and the wrk load test.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def machine() -> str:
    """A one-line description of this machine."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB, Python {platform.python_version()}"
        f", SQLite {__import__('sqlite3').sqlite_version}, {platform.system()}"
    )


def run(script: str, *args: str) -> None:
    """Run one benchmark script, streaming its output."""
    print(f"\n$ python bench/{script} {' '.join(args)}", flush=True)
    subprocess.run([sys.executable, str(BENCH / script), *args], check=True)


def limits_sizes(n: int) -> list[str]:
    """bench_limits.py's sizes for a run at `--n`: its own defaults (the issue figures) at full
    size, never more comments than `--n`. Run without them, the test suite's tiny run scored
    100,000 campaign comments and built 1,000 of 20,000 characters: most of its minute, and
    past the test's hang guard on a loaded machine."""
    defaults = {"--comments": 1000, "--group": 10_000, "--campaign": 100_000, "--crafted": 1000}
    return [str(part) for flag, size in defaults.items() for part in (flag, min(size, n))]


def main() -> None:
    """Run them all."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--ingest", type=int, default=100_000)
    parser.add_argument("--scorer", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=100, help="per dashboard page")
    parser.add_argument("--seconds", type=int, default=20, help="per wrk run")
    parser.add_argument("--no-load", action="store_true", help="skip the wrk load test")
    parser.add_argument(
        "--no-cold", action="store_true", help="skip the scorer's cold load (builds its tables)"
    )
    args = parser.parse_args()
    print(f"machine: {machine()}")
    run("bench_scorer.py", "--n", str(args.scorer), *(["--no-cold"] if args.no_cold else []))
    weibo = BENCH.parent.parent / "shared" / "data" / "sentiment" / "weibo_smp2020_eval.csv"
    if weibo.exists():  # the ratio on real Weibo posts, not only on synthetic comments
        run("bench_scorer.py", "--n", str(args.scorer), "--no-cold", "--texts", str(weibo))
    # the shipped sentiment model (hashed n-grams) beside the exact snownlp scorer
    shared = ["--data", str(weibo.parent)] if weibo.exists() else []
    run("bench_sentiment_models.py", "--n", str(args.scorer), *shared)
    run("bench_ingest.py", "--n", str(args.ingest))
    run("bench_ingest.py", "--n", str(args.ingest), "--stored", str(args.n))
    run("bench_dashboard.py", "--n", str(args.n), "--requests", str(args.requests))
    run("bench_alerts.py", "--n", str(args.n))
    run("bench_draft.py", "--n", str(args.n))
    run("bench_limits.py", *limits_sizes(args.n))
    if not args.no_load and shutil.which("wrk"):
        run("load_test.py", "--n", str(args.n), "--seconds", str(args.seconds))
    elif not args.no_load:
        print("\n(load test skipped: apt-get install wrk)")


if __name__ == "__main__":
    main()
