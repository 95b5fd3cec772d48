"""The text scorer: everything known about one comment's text, and where it is assembled.

``Scorer`` gives a text's sentiment, its label, its offensive score and its explained flags;
``scorer_for`` assembles the process's Scorer from the settings, the active models of the
sentiment and offensive stores (``model_store``) and the dashboard's word lists. The
pipeline, its pool workers and the scheduler all score with that one Scorer, so the model
versions stored with a score are the ones that produced it.

No database. The pipeline stores the result and adds what needs other comments (duplicate
groups, posting campaigns).
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from moderation.scoring import hashed_model, offensive
from moderation.scoring.flags import (
    INSULT,
    MASS_POSTING,
    SCORING_TIMEOUT,
    FlagRules,
    build_checker,
    timeout_flag,
)
from moderation.scoring.textnorm import simplified

OFFENSIVE = "offensive"
NEGATIVE, NEUTRAL, POSITIVE = "negative", "neutral", "positive"


def label(probability: float, negative_below: float, positive_above: float) -> str:
    """negative / neutral / positive, by the configured thresholds."""
    if probability < negative_below:
        return NEGATIVE
    if probability > positive_above:
        return POSITIVE
    return NEUTRAL


@dataclass(frozen=True)
class TextScore:
    """The signals of one text, ready to store."""

    sentiment: float
    label: str
    flags: list[dict]
    offensive: float | None = None  # None when no offensive model is loaded


def rules_from(scoring) -> FlagRules:
    """Flag rules from the `[scoring]` settings."""
    return FlagRules(
        banned_words=tuple(scoring.banned_words),
        suspect_words=tuple(scoring.suspect_words),
        allowed_words=tuple(scoring.allowed_words),
        insult_words=tuple(scoring.insult_words),
        report_words=tuple(scoring.report_words),
        min_length=scoring.min_length,
        max_repeat=scoring.max_repeat,
    )


class Scorer:
    """Scores texts with one sentiment model, one offensive model and one set of flag rules."""

    def __init__(
        self,
        scoring,
        classify: Callable[[str], float],
        model_version: str,
        offensive_model: hashed_model.HashedModel | None = None,
    ):
        self.scoring = scoring
        self.classify = classify
        self.model_version = model_version
        self.offensive_model = offensive_model
        self.checker = build_checker(rules_from(scoring))
        # Changes whenever a text's score could come out differently: the models, the word
        # lists, a flag or label threshold (not batch sizes or grouping settings).
        # pipeline.refresh_pending rescores pending comments when it does.
        decides = (
            model_version,
            rules_from(scoring),
            scoring.negative_below,
            scoring.positive_above,
            "t2s",
            offensive_model and offensive_model.version,
            scoring.offensive_review_above,
            scoring.offensive_reject_above,
        )
        self.rules_version = hashlib.blake2b(
            repr(decides).encode("utf-8"), digest_size=8
        ).hexdigest()

    def score(self, text: str) -> TextScore:
        """Sentiment, label and flags of one text.

        Past the comment's time budget (``seconds_per_comment``) the checks not yet run are
        skipped and the comment is flagged ``scoring_timeout`` instead.
        """
        deadline = time.monotonic() + self.scoring.seconds_per_comment
        # snownlp knows simplified words only: 質量很好 would score 0.37, 质量很好 0.97.
        probability = self.classify(simplified(text)) if text.strip() else 0.5
        later = ("冒犯模型",) if self.offensive_model is not None else ()
        checked = self.checker.check(text, deadline, later)
        flags = [dataclasses.asdict(flag) for flag in checked]
        offensive_score = None
        if later and not any(flag.code == SCORING_TIMEOUT for flag in checked):
            if time.monotonic() > deadline:
                flags.append(dataclasses.asdict(timeout_flag(list(later))))
            else:
                offensive_score = self.offensive_model.score(text)
                flag = offensive_flag(
                    offensive_score,
                    self.scoring.offensive_review_above,
                    self.scoring.offensive_reject_above,
                    insult=any(flag.code == INSULT for flag in checked),
                    report=self.checker.is_report(text),
                )
                if flag:
                    flags.append(flag)
        return TextScore(
            sentiment=probability,
            label=label(probability, self.scoring.negative_below, self.scoring.positive_above),
            flags=flags,
            offensive=offensive_score,
        )


def offensive_flag(
    score: float,
    review_above: float,
    reject_above: float,
    *,
    insult: bool = False,
    report: bool = False,
) -> dict | None:
    """The ``offensive`` flag with its level (``offensive.judge``), or None.

    Its action stays "review" at both levels: the model advises, a moderator decides (a
    mistaken automatic rejection could silence legitimate criticism).
    """
    level = offensive.judge(score, insult, report, review_above, reject_above)
    if level == offensive.NONE:
        return None
    advice = "建议拒绝" if level == offensive.REJECT else "请复核"
    if insult:
        advice += "，含侮辱性称呼"
    return {
        "code": OFFENSIVE,
        "reason": f"疑似冒犯性语言（{score:.2f}，{advice}）",
        "action": "review",
        "level": level,
        "spans": [],
    }


def mass_posting_flag(authors: int) -> dict:
    """The flag added to every comment of a group posted by many authors."""
    return {
        "code": MASS_POSTING,
        "reason": f"同一内容至少由{authors}个不同作者发布（疑似刷屏）",
        "action": "review",
        "spans": [],
    }


_lock = threading.Lock()
_scorers: dict = {}


def scorer_for(settings, extra_words: dict | None = None) -> Scorer:
    """The process's Scorer for these settings, the active models and the dashboard's word
    lists (`extra_words`: {"banned": (...), "suspect": (...), "allowed": (...)}), built once
    per combination.

    A model switched by `train-*`, `activate-*` or `restore-*`, or a word added in the
    dashboard, is picked up at the next batch. Models load lazily: importing this module
    costs nothing.
    """
    from moderation.scoring.offensive_models import OffensiveStore
    from moderation.scoring.sentiment_models import SentimentStore

    sentiment_store = SentimentStore(settings.data_path)
    sentiment_entry = sentiment_store.active_entry()
    offensive_model = OffensiveStore(settings.data_path).active_model()
    extra_words = extra_words or {}
    key = (
        repr(settings.scoring),
        sentiment_entry,
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
                insult_words=_merged(settings.scoring.insult_words, extra_words.get("insult")),
                report_words=_merged(settings.scoring.report_words, extra_words.get("report")),
            )
            classifier = sentiment_store.load(sentiment_entry)
            _scorers.clear()
            _scorers[key] = Scorer(
                scoring, classifier.classify, classifier.version, offensive_model
            )
        return _scorers[key]


def _merged(configured: list[str], added) -> list[str]:
    """Configured words then the dashboard's, each once."""
    return list(dict.fromkeys([*configured, *(added or ())]))
