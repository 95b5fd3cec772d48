"""Offensive-language score (0 = civil, 1 = offensive): the shipped model and its levels.

The model is a ``hashed_model.HashedModel`` (logistic regression over hashed character
1-3-grams of the text as the word lists see it); training lives in ``offensive_models``.

Pure: no database, no settings.
"""

from __future__ import annotations

from pathlib import Path

NONE, REVIEW, REJECT = "none", "review", "reject"
SHIPPED_DIR = Path(__file__).parent / "offensive_data"
SHIPPED_MODEL = SHIPPED_DIR / "cold-default.npz"
SHIPPED_VERSION = "cold-default"


def level(score: float, review_above: float, reject_above: float) -> str:
    """none / review / reject, by the configured thresholds."""
    if score >= reject_above:
        return REJECT
    if score >= review_above:
        return REVIEW
    return NONE
