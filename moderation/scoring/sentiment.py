"""Sentiment probability (0 = negative, 1 = positive) from snownlp's classifier.

The model loads lazily, once per process: importing this module costs nothing, so
`moderation --help` and the web app start without loading snownlp.
"""

from __future__ import annotations

import threading
from functools import cache

NEGATIVE, NEUTRAL, POSITIVE = "negative", "neutral", "positive"
_lock = threading.Lock()


@cache
def _snownlp_classifier(model_path: str | None):
    from snownlp import sentiment

    if model_path is None:
        return sentiment.classify
    classifier = sentiment.Sentiment()
    classifier.load(model_path)
    return classifier.classify


def model_version(model_path: str | None = None) -> str:
    """A name for the model that produced a score, stored with every score."""
    import importlib.metadata

    base = f"snownlp-{importlib.metadata.version('snownlp')}"
    return base if model_path is None else f"{base}+{model_path.rsplit('/', 1)[-1]}"


def score(text: str, model_path: str | None = None) -> float:
    """The probability that `text` is positive."""
    with _lock:
        classify = _snownlp_classifier(model_path)
    if not text.strip():
        return 0.5
    return float(classify(text))


def label(probability: float, negative_below: float, positive_above: float) -> str:
    """negative / neutral / positive, by the configured thresholds."""
    if probability < negative_below:
        return NEGATIVE
    if probability > positive_above:
        return POSITIVE
    return NEUTRAL


_scorers: dict = {}


def scorer_for(settings):
    """The process's Scorer for these settings (built once: the model and word lists load once)."""
    from moderation.scoring.scorer import Scorer

    key = repr(settings.scoring)
    with _lock:
        if key not in _scorers:
            classify = _snownlp_classifier(None)
            _scorers[key] = Scorer(settings.scoring, classify, model_version())
        return _scorers[key]
