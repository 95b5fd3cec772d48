"""Offensive thresholds chosen on held-out data, the insult lexicon and report exceptions."""

import csv
from pathlib import Path

import pytest

from moderation.scoring import hashed_model, offensive
from moderation.scoring import offensive_models as om
from moderation.scoring.flags import INSULT, build_checker
from moderation.scoring.scorer import rules_from
from moderation.settings import ScoringSettings

NEWSROOM_EVAL = (
    Path(__file__).resolve().parent.parent / "fixtures" / "offensive" / "newsroom_eval.csv"
)


@pytest.fixture(scope="module")
def shipped():
    return hashed_model.load(offensive.SHIPPED_MODEL, offensive.SHIPPED_VERSION)


@pytest.fixture(scope="module")
def checker():
    return build_checker(rules_from(ScoringSettings()))


def service_level(checker, model, text, scoring=None):
    scoring = scoring or ScoringSettings()
    insult = any(flag.code == INSULT for flag in checker.check(text))
    return offensive.judge(
        model.score(text),
        insult,
        checker.is_report(text),
        scoring.offensive_review_above,
        scoring.offensive_reject_above,
    )


@pytest.mark.parametrize(
    ("score", "insult", "report", "expected"),
    [
        (0.5, False, False, offensive.REVIEW),
        (0.3, True, False, offensive.REJECT),  # insult word + a model that agrees a little
        (0.05, True, False, offensive.REVIEW),  # insult word the model reads as civil
        (0.5, False, True, offensive.NONE),  # a scam warning naming 骗子
        (0.97, False, True, offensive.REVIEW),  # still looked at when the model is sure
        (0.97, True, True, offensive.REJECT),  # an insult inside a report is an insult
    ],
)
def test_judge(score, insult, report, expected):
    assert offensive.judge(score, insult, report, 0.45, 0.94) == expected


def test_shipped_model_never_trained_on_cold_dev():
    rows, weights = om.shipped_rows()
    choose, report = om.dev_halves()
    trained = {text for _, text in rows}
    assert not trained & {text for _, text in choose + report}
    assert not {t for _, t in choose} & {t for _, t in report}
    assert len(choose) > 3000 and len(report) > 3000


def test_choose_thresholds_by_civil_share():
    labels = [0] * 100 + [1] * 10
    scores = [i / 100 for i in range(100)] + [0.99] * 10
    review, reject = om.choose_thresholds(labels, scores, 0.10, 0.01)
    civil = scores[:100]
    assert sum(s >= review for s in civil) <= 10 and sum(s >= review - 0.01 for s in civil) > 10
    assert sum(s >= reject for s in civil) <= 1


def test_configured_thresholds_are_what_the_choosing_half_picks(shipped):
    choose, _ = om.dev_halves()
    labels = [label for label, _ in choose]
    picked = om.choose_thresholds(labels, [shipped.score(text) for _, text in choose])
    scoring = ScoringSettings()
    assert picked == pytest.approx((scoring.offensive_review_above, scoring.offensive_reject_above))


@pytest.mark.parametrize(
    "text",
    ["骗子电话又来了，大家小心", "小偷已经被抓了", "警方提醒：冒充客服的都是骗子，不要转账"],
)
def test_crime_and_scam_reports_are_not_flagged(checker, shipped, text):
    assert checker.is_report(text)
    assert service_level(checker, shipped, text) == offensive.NONE


@pytest.mark.parametrize(
    "text", ["乡巴佬进城就是这个素质", "那个主持人肥猪一样，看着就恶心", "你们这些五毛狗"]
)
def test_insult_lexicon_flags_and_rejects(checker, shipped, text):
    flags = [flag for flag in checker.check(text) if flag.code == INSULT]
    assert flags and flags[0].spans  # shown with the word highlighted
    assert service_level(checker, shipped, text) == offensive.REJECT


def test_lexicon_entries_are_editable_settings(shipped):
    scoring = ScoringSettings(insult_words=[], report_words=[])
    bare = build_checker(rules_from(scoring))
    assert service_level(bare, shipped, "乡巴佬进城就是这个素质", scoring) != offensive.REJECT


def test_newsroom_evaluation_set_targets(checker, shipped):
    """The new newsroom-style set (never trained on): review flags at most 10% of civil
    comments, reject catches at least half of the offensive ones and no civil one."""
    with open(NEWSROOM_EVAL, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    seed = {text for _, text in om.seed_rows()}
    assert not seed & {row["text"] for row in rows}
    levels = [(row["label"], service_level(checker, shipped, row["text"])) for row in rows]
    civil = [level for label, level in levels if label == "0"]
    rude = [level for label, level in levels if label == "1"]
    assert len(civil) >= 60 and len(rude) >= 40
    assert sum(level != offensive.NONE for level in civil) <= 0.10 * len(civil)
    assert sum(level == offensive.REJECT for level in civil) == 0
    assert sum(level == offensive.REJECT for level in rude) >= 0.5 * len(rude)


def test_insult_word_the_model_reads_as_civil_only_asks_for_review(checker, shipped):
    text = "五毛又出来洗地了"  # the model: 0.18, under the lexicon's floor
    assert shipped.score(text) < 0.2
    assert service_level(checker, shipped, text) == offensive.REVIEW
