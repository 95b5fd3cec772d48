"""Benchmark the offensive model: load time, cost per comment in the Scorer, size, memory.

Usage: python bench/bench_offensive.py [--n 3000]

Times the shipped model alone and the Scorer with and without it on the same texts
(alternating blocks, one process), so the added cost per comment is a side-by-side figure.
Texts: bench_scorer's synthetic comments and, when ../shared is there, the labelled Weibo
posts and COLD dev texts.
"""

from __future__ import annotations

import argparse
import csv
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_scorer import make_comments  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


def rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def labelled_texts(path: Path, limit: int) -> list[str]:
    """The first `limit` texts of a label,text CSV (empty when the file is absent)."""
    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as fh:
        return [row["text"] for _, row in zip(range(limit), csv.DictReader(fh), strict=False)]


def per_comment_us(score, texts: list[str], rounds: int = 3) -> float:
    """Best of `rounds` passes, µs of CPU time per text (the machine is shared)."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for text in texts:
            score(text)
        best = min(best, time.process_time() - started)
    return best / len(texts) * 1e6


def main() -> None:
    """Print load time, size, memory and µs per comment."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000)
    args = parser.parse_args()
    before = rss_mb()
    started = time.perf_counter()
    from moderation.scoring import hashed_model, offensive

    model = hashed_model.load(offensive.SHIPPED_MODEL, offensive.SHIPPED_VERSION)
    print(
        f"import + load: {time.perf_counter() - started:.3f} s, "
        f"file {offensive.SHIPPED_MODEL.stat().st_size / 1e6:.2f} MB, "
        f"peak RSS +{rss_mb() - before:.1f} MB"
    )

    from moderation.scoring import fast_sentiment
    from moderation.scoring.scorer import Scorer
    from moderation.settings import ScoringSettings

    sentiment = fast_sentiment.load()
    with_model = Scorer(ScoringSettings(), sentiment.classify, "bench", model)
    without = Scorer(ScoringSettings(), sentiment.classify, "bench", None)
    sets = {
        "synthetic": make_comments(args.n),
        "weibo (SMP2020)": labelled_texts(SHARED / "sentiment" / "weibo_smp2020_eval.csv", args.n),
        "COLD dev": labelled_texts(SHARED / "offensive" / "cold_dev.csv", args.n),
    }
    print(
        f"{'texts':<16}{'n':>6}{'chars':>7}{'model alone':>13}{'Scorer':>10}"
        f"{'+ model':>10}{'added':>9}"
    )
    for name, texts in sets.items():
        if not texts:
            continue
        for text in texts:  # warm the caches both scorers share
            with_model.score(text)
        base = per_comment_us(without.score, texts)
        full = per_comment_us(with_model.score, texts)
        alone = per_comment_us(model.score, texts)
        chars = sum(map(len, texts)) / len(texts)
        print(
            f"{name:<16}{len(texts):>6}{chars:>7.0f}{alone:>11.1f}µs{base:>8.1f}µs"
            f"{full:>8.1f}µs{full - base:>7.1f}µs"
        )


if __name__ == "__main__":
    main()
