"""What second opinions cost the scoring pass, against a local guard-model stand-in.

    python bench/bench_second_opinion.py [--n 1000] [--delay 0.05] [--timeout 0.5]

Scores N comments (distinct texts, channel asking every comment, batches of 500, budgets
lifted) three ways and prints the seconds each took and the calls sent: no provider
configured; a provider answering after `--delay` seconds; a provider that never answers
within `--timeout` (the pass waits at most the timeout per batch; texts queued behind the
10 running calls are not sent). Then a campaign of N copies: one call.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from moderation import pipeline  # noqa: E402
from moderation.db import connect  # noqa: E402
from moderation.settings import load_settings  # noqa: E402
from moderation.storage import second_opinions as store  # noqa: E402
from tests.helpers import write_config  # noqa: E402
from tests.second_opinion.standins import Guard, serving  # noqa: E402
from tests.second_opinion.test_pass import add_many, guard_provider  # noqa: E402


def run(folder: Path, providers: str, every: bool, texts: list[str]) -> tuple[float, int]:
    """Seconds to score `texts` and the calls recorded."""
    folder.mkdir(parents=True)
    channel = '[[channels]]\nname = "web"\ntype = "demo"\n'
    if every:
        channel += 'second_opinion = ["guard"]\n'
    settings = load_settings(write_config(folder, providers, channels=channel))
    db = connect(settings.database_path)
    add_many(db, texts)
    started = time.perf_counter()
    pipeline.score_pending(db, settings, batch_size=500)
    seconds = time.perf_counter() - started
    calls = sum(f["calls"] for f in store.call_figures(db).values())
    db.close()
    return seconds, calls


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--timeout", type=float, default=0.5)
    args = parser.parse_args()
    texts = [f"第{n}条评论：今天的公交改线通知写得很清楚" for n in range(args.n)]
    with tempfile.TemporaryDirectory() as tmp, serving(Guard()) as guard:
        root = Path(tmp)
        run(root / "warm", "", False, texts[:10])  # load the models once
        seconds, calls = run(root / "none", "", False, texts)
        print(f"no provider:              {seconds:6.2f} s, {calls} calls")
        guard.mode, guard.delay = "slow", args.delay
        budget = {"calls_per_minute": 100000, "calls_per_day": 10_000_000}
        provider = guard_provider(guard.url, timeout_seconds=args.timeout, **budget)
        seconds, calls = run(root / "answering", provider, True, texts)
        print(f"answers after {args.delay:.2f} s:     {seconds:6.2f} s, {calls} calls sent")
        guard.delay = args.timeout * 10
        provider = guard_provider(guard.url, timeout_seconds=args.timeout, **budget)
        seconds, calls = run(root / "silent", provider, True, texts)
        batches = -(-args.n // 500)
        print(
            f"never answers (timeout {args.timeout} s, {batches} batches): {seconds:6.2f} s, "
            f"{calls} calls sent, all timed out"
        )
        guard.mode = "ok"
        seconds, calls = run(
            root / "campaign", guard_provider(guard.url), True, [texts[0]] * args.n
        )
        print(f"campaign of {args.n} copies:  {seconds:6.2f} s, {calls} call(s)")


if __name__ == "__main__":
    main()
