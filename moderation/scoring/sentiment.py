"""Sentiment probability (0 = negative, 1 = positive) with snownlp's model, via the fast scorer.

The model loads lazily, once per process: importing this module costs nothing, so
`moderation --help` and the web app start without loading snownlp.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_scorers: dict = {}


def active_model(settings) -> tuple[str | None, str]:
    """The newsroom's active sentiment model: (path for Sentiment.load or None, version)."""
    from moderation.scoring.sentiment_models import ModelStore

    store = ModelStore(settings.data_path)
    return store.active_path(), store.active_version()


def scorer_for(settings, extra_words: dict | None = None):
    """The process's Scorer for these settings, the active models and the dashboard's word
    lists (`extra_words`: {"banned": (...), "suspect": (...)}), built once per combination.

    Uses the fast exact scorer (same numbers as snownlp, many times faster); a model
    switched by `train-sentiment` or `restore-sentiment`, or a word added in the dashboard,
    is picked up at the next batch.
    """
    import dataclasses

    from moderation.scoring import fast_segment, fast_sentiment
    from moderation.scoring.offensive_models import OffensiveStore
    from moderation.scoring.scorer import Scorer

    path, version = active_model(settings)
    offensive_model = OffensiveStore(settings.data_path).active_model()
    extra_words = extra_words or {}
    key = (
        repr(settings.scoring),
        path,
        version,
        offensive_model.version,
        repr(sorted(extra_words.items())),
    )
    with _lock:
        if key not in _scorers:
            scoring = dataclasses.replace(
                settings.scoring,
                banned_words=_merged(settings.scoring.banned_words, extra_words.get("banned")),
                suspect_words=_merged(settings.scoring.suspect_words, extra_words.get("suspect")),
                allowed_words=_merged(settings.scoring.allowed_words, extra_words.get("allowed")),
            )
            cache_dir = fast_segment.cache_dir_for(settings.data_path)
            model = fast_sentiment.load(path, cache_dir=cache_dir)
            _scorers.clear()
            _scorers[key] = Scorer(
                scoring, model.classify, f"{version}@{model.version}", offensive_model
            )
        return _scorers[key]


def _merged(configured: list[str], added) -> list[str]:
    return list(dict.fromkeys([*configured, *(added or ())]))
