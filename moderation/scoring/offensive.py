"""Offensive-language score (0 = civil, 1 = offensive): the shipped model and its levels.

The model is a ``hashed_model.HashedModel`` (logistic regression over hashed character
1-3-grams of the text as the word lists see it); training lives in ``offensive_models``.

Pure: no database, no settings.
"""

from __future__ import annotations

from pathlib import Path

from moderation.scoring.lexicon import INSULT_MODEL_FLOOR

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


def judge(
    score: float, insult: bool, report: bool, review_above: float, reject_above: float
) -> str:
    """The offensive level from the model's score, an insult word and a report phrase.

    An insult word the model agrees with even a little (``INSULT_MODEL_FLOOR``) rejects, and
    asks for review otherwise; a crime or scam report without one is not flagged on the
    model's word alone (review at most, when the model reaches reject).
    """
    found = level(score, review_above, reject_above)
    if insult:
        return REJECT if score >= INSULT_MODEL_FLOOR else max(found, REVIEW, key=_RANK.get)
    if report:
        return REVIEW if found == REJECT else NONE
    return found


_RANK = {NONE: 0, REVIEW: 1, REJECT: 2}
