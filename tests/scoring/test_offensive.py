"""Tests for the offensive-language scorer: the shipped model, evasions, exact features."""

import numpy as np
import pytest

from moderation.scoring import hashed_model, offensive
from moderation.scoring import offensive_models as om


@pytest.fixture(scope="module")
def shipped():
    """The model shipped inside the package."""
    return hashed_model.load(offensive.SHIPPED_MODEL, offensive.SHIPPED_VERSION)


@pytest.mark.parametrize(
    "insult",
    ["你这个傻逼记者滚出株洲", "湖南人都是骗子", "女人都是拜金的贱货", "残废就别出来丢人现眼了"],
)
def test_shipped_model_scores_insults_high(shipped, insult):
    assert shipped.score(insult) > 0.5


@pytest.mark.parametrize(
    "civil",
    [
        "希望有关部门尽快把这条路修好",
        "市政府这次的处理太慢了，建议公开进度",
        "下雪了，孩子们很开心",
    ],
)
def test_shipped_model_leaves_civil_comments_low(shipped, civil):
    assert shipped.score(civil) < 0.5


@pytest.mark.parametrize(
    "evasion", ["傻 逼记者", "傻-逼记者", "傻*逼记者", "傻\u200b逼记者", "ＳＢ记者"]
)
def test_evasions_score_like_the_plain_word(shipped, evasion):
    plain = "sb记者" if "Ｓ" in evasion else "傻逼记者"
    assert shipped.score(evasion) == shipped.score(plain)


def test_traditional_characters_score_like_simplified(shipped):
    assert shipped.score("你們這些廢物記者") == shipped.score("你们这些废物记者")


@pytest.mark.parametrize("text", ["", "   ", "。。。！！", "👍👍"])
def test_text_without_letters_scores_zero(shipped, text):
    assert shipped.score(text) == 0.0


@pytest.mark.parametrize("text", ["a", "ab", "骗子骗子骗子", "哈哈哈哈哈哈哈哈", "x" * 300])
def test_bucket_counts_match_numpy_unique(text):
    ids = hashed_model.feature_ids(text, 18)
    assert len(ids) == max(1, 3 * len(text) - 3)
    want_buckets, want_counts = np.unique(ids, return_counts=True)
    buckets, counts = hashed_model.bucket_counts(ids.copy())
    assert list(buckets) == list(want_buckets)
    assert list(counts if counts is not None else np.ones(len(buckets))) == list(want_counts)


def test_score_equals_scikit_learn_on_the_fitted_pipeline():
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.linear_model import LogisticRegression

    rows = om.cold_rows()[:1500]
    model = om.fit(rows)
    texts = [text for _, text in rows]
    tfidf = TfidfTransformer(sublinear_tf=True)
    features = tfidf.fit_transform(om.count_matrix(texts))
    labels = [label for label, _ in rows]
    regression = LogisticRegression(C=om.REGULARISATION_C, max_iter=3000).fit(features, labels)
    probe = ["哈哈哈哈哈你说得对对对", "滚滚滚滚", *texts[:50]]
    expected = regression.predict_proba(tfidf.transform(om.count_matrix(probe)))[:, 1]
    assert [model.score(text) for text in probe] == pytest.approx(list(expected), abs=1e-9)


def test_saved_model_loads_with_the_same_scores(tmp_path):
    model = om.fit(om.cold_rows()[:800])
    model.save(tmp_path / "m.npz")
    loaded = hashed_model.load(tmp_path / "m.npz", "v1")
    probe = ["你这个骗子", "天气不错"]
    # saved as float32: equal to single precision
    assert [loaded.score(t) for t in probe] == pytest.approx([model.score(t) for t in probe], 1e-5)
    assert loaded.version == "v1"


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (0.1, offensive.NONE),
        (0.6, offensive.REVIEW),
        (0.9, offensive.REJECT),
        (0.85, offensive.REJECT),
    ],
)
def test_level_by_thresholds(score, expected):
    assert offensive.level(score, review_above=0.5, reject_above=0.85) == expected


def city_news_rows() -> list[dict]:
    """The hand-written city-news test set (label, text, kind); never trained on."""
    import csv
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "fixtures" / "offensive" / "city_news.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("kind", ["criticism", "complaint", "sarcasm", "crime"])
def test_civil_city_news_is_never_flagged_at_the_reject_threshold(shipped, kind):
    from moderation.settings import ScoringSettings

    reject = ScoringSettings().offensive_reject_above
    rows = [row for row in city_news_rows() if row["kind"] == kind]
    assert len(rows) >= 8
    assert [row["text"] for row in rows if shipped.score(row["text"]) >= reject] == []


def test_city_news_set_is_separated(shipped):
    from moderation.scoring.model_store import roc_auc

    rows = city_news_rows()
    assert len(rows) >= 100 and {row["label"] for row in rows} == {"0", "1"}
    labels = [int(row["label"]) for row in rows]
    assert roc_auc(labels, [shipped.score(row["text"]) for row in rows]) > 0.9
