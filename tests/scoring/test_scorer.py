"""The Scorer: sentiment of simplified text, the offensive score and its flag beside it."""

import pytest

from moderation.scoring import hashed_model, offensive
from moderation.scoring.scorer import OFFENSIVE, Scorer, offensive_flag
from moderation.settings import ScoringSettings


@pytest.fixture(scope="module")
def scorer(built_segmenter_cache):
    """A Scorer with snownlp's default sentiment model and the shipped offensive model."""
    from moderation.scoring import fast_sentiment

    model = fast_sentiment.load(cache_dir=str(built_segmenter_cache))
    shipped = hashed_model.load(offensive.SHIPPED_MODEL, offensive.SHIPPED_VERSION)
    return Scorer(ScoringSettings(), model.classify, "snownlp-default", shipped)


def test_traditional_text_gets_the_sentiment_of_its_simplified_form(scorer):
    assert scorer.score("這個產品質量很好，發貨很快").sentiment == (
        scorer.score("这个产品质量很好，发货很快").sentiment
    )
    assert scorer.classify("這個產品質量很好") != scorer.classify("这个产品质量很好")


def test_offensive_score_and_flag_beside_sentiment(scorer):
    insult = scorer.score("这帮狗官都该死，一群废物")
    assert insult.offensive >= ScoringSettings().offensive_reject_above
    (flag,) = [f for f in insult.flags if f["code"] == OFFENSIVE]
    assert flag["level"] == offensive.REJECT and flag["action"] == "review"
    civil = scorer.score("希望区政府尽快回应居民的诉求，公开处理进度")
    assert civil.offensive < ScoringSettings().offensive_review_above
    assert OFFENSIVE not in {f["code"] for f in civil.flags}


@pytest.mark.parametrize(
    ("score", "level"), [(0.39, None), (0.4, offensive.REVIEW), (0.8, offensive.REJECT)]
)
def test_offensive_flag_levels(score, level):
    flag = offensive_flag(score, 0.4, 0.8)
    assert (flag and flag["level"]) == level
    if flag:
        assert flag["action"] == "review" and f"{score:.2f}" in flag["reason"]


def test_rules_version_changes_with_offensive_thresholds_and_model(scorer):
    import dataclasses

    stricter = dataclasses.replace(ScoringSettings(), offensive_reject_above=0.95)
    other = Scorer(stricter, scorer.classify, scorer.model_version, scorer.offensive_model)
    without = Scorer(ScoringSettings(), scorer.classify, scorer.model_version, None)
    versions = {scorer.rules_version, other.rules_version, without.rules_version}
    assert len(versions) == 3
    assert without.score("你这个废物").offensive is None
