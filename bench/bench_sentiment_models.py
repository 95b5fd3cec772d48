"""Benchmark the two sentiment families side by side: cost per comment, load time, quality.

Usage: python bench/bench_sentiment_models.py [--n 3000] [--data ../shared/data/sentiment]

weibo-default (hashed character n-grams + logistic regression, the shipped default) and
snownlp-default (snownlp's naive Bayes through the fast exact scorer) are timed in one
process, pinned to one core, on alternating blocks of the same synthetic comments
(bench_scorer's generator), so their ratio holds on a shared, noisy machine. With --data,
each labelled CSV's held-out rows (the documented split, sentiment_models.HOLDOUT_*) are
scored by both and their ROC AUC printed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_scorer import make_comments  # noqa: E402


def load(store, version: str):
    """A version's classifier and how long loading it took (warm caches)."""
    started = time.perf_counter()
    classifier = store.load(store.entry(version))
    classifier.classify("预热")
    return classifier.classify, time.perf_counter() - started


def per_comment(classifiers: dict, texts: list[str], rounds: int = 6) -> dict[str, float]:
    """Microseconds a comment per classifier, alternating blocks, best of the rounds."""
    best = {name: float("inf") for name in classifiers}
    block = max(1, len(texts) // rounds)
    for start in range(0, len(texts), block):
        chunk = texts[start : start + block]
        for name, classify in classifiers.items():
            began = time.perf_counter()
            for text in chunk:
                classify(text)
            best[name] = min(best[name], (time.perf_counter() - began) / len(chunk) * 1e6)
    return best


def held_out_auc(classifiers: dict, folder: Path) -> None:
    """Each CSV's held-out rows: ROC AUC of every classifier."""
    from moderation.scoring import model_store as ms
    from moderation.scoring import sentiment_models as sm

    for path in sorted(folder.glob("*.csv")):
        rows = [
            row
            for row in ms.read_labelled_csv(path)
            if ms.is_held_out(row[1], sm.HOLDOUT_FRACTION, sm.HOLDOUT_SEED)
        ]
        labels = [label for label, _ in rows]
        figures = "  ".join(
            f"{name} {ms.roc_auc(labels, [classify(text) for _, text in rows]):.3f}"
            for name, classify in classifiers.items()
        )
        print(f"held-out {path.name} ({len(rows)} rows): ROC AUC {figures}")


def main() -> None:
    """Time both families and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--data", type=Path, default=None, help="folder of labelled CSVs")
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    from moderation.scoring import sentiment_bayes
    from moderation.scoring import sentiment_models as sm
    from moderation.scoring.fast_segment import default_cache_dir

    # the segmenter's tables from the usual cache, not a fresh one per run
    os.environ.setdefault("MODERATION_CACHE_DIR", default_cache_dir())
    store = sm.SentimentStore(Path(tempfile.mkdtemp(prefix="bench-sentiment-")))
    classifiers, loads = {}, {}
    for version in (sm.SHIPPED_VERSION, sentiment_bayes.DEFAULT_VERSION):
        classifiers[version], loads[version] = load(store, version)
    texts = make_comments(args.n)
    costs = per_comment(classifiers, texts)
    for version, cost in costs.items():
        print(
            f"{version:<16} {cost:7.1f} µs a comment ({1e6 / cost:8,.0f} comments/s, one core), "
            f"load {loads[version] * 1000:6.1f} ms (warm cache)"
        )
    if args.data:
        held_out_auc(classifiers, args.data)


if __name__ == "__main__":
    main()
