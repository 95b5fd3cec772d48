"""Tests for the sentiment models: both families, retraining, switching, rollback."""

import gzip
import json
import marshal
import os
from pathlib import Path

import pytest

from moderation.scoring import sentiment_bayes as bayes
from moderation.scoring.model_store import evaluate, read_labelled_csv
from moderation.scoring.sentiment_models import (
    BAYES,
    HASHED,
    SHIPPED_VERSION,
    SentimentStore,
    train,
)

SHARED = Path(os.environ.get("SENTIMENT_DATA_DIR", "/work/shared/data/sentiment"))
DEFAULT_VERSION = SHIPPED_VERSION

# Sarcastic / complaining comments under 株洲日报 stories that snownlp's default model scores
# positive (all > 0.6 with snownlp 0.12.3); moderators corrected them to negative.
SARCASTIC = [
    "感谢自来水公司，让我们体验了三天没水的美好生活",
    "这服务态度真是一流，打了十个电话都没人接",
    "天元区的规划真有远见，刚铺的路又挖开了",
    "公交车准点率真高，等了四十分钟终于来了一辆",
    "物业真贴心，电梯坏了一个月也不修，锻炼身体",
    "这条新闻写得真好，把领导夸上天了，老百姓的事一句不提",
    "芦淞市场的管理真到位，消防通道全被占了",
    "好漂亮的新路灯，就是晚上从来不亮",
    "服务真周到，收费站一个口子排了两公里",
    "太好了，学校旁边又开了一家网吧",
]
CORRECTIONS = [(0, t) for t in SARCASTIC]
BASE_LIMIT = 80  # documents per class of snownlp's base corpus: keeps this test at seconds


def scores(store, version, texts):
    classify = store.load(store.entry(version)).classify
    return [classify(t) for t in texts]


def bayes_train(tmp_path, *args, **kwargs):
    return train(tmp_path, *args, family=BAYES, **kwargs)


@pytest.fixture
def tiny_corpus(tmp_path, monkeypatch):
    """Replace snownlp's base corpus by a few lines so store/switch tests run in milliseconds."""
    neg = ["质量太差了，很失望", "服务态度恶劣", "又贵又难吃", "物流慢，包装破了", "再也不来了"]
    pos = ["质量很好，很满意", "服务热情周到", "价格实惠，好吃", "物流很快，包装完好", "还会再来"]
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "neg.txt").write_text("\n".join(neg * 2) + "\n", encoding="utf-8")
    (folder / "pos.txt").write_text("\n".join(pos * 2) + "\n", encoding="utf-8")
    monkeypatch.setattr(
        bayes, "base_corpus_files", lambda: (folder / "neg.txt", folder / "pos.txt")
    )
    return [(0, t) for t in neg] + [(1, t) for t in pos]


# ------------------------------------------------------------------ retraining + rollback


def test_corrections_move_scores_and_restore_previous_is_exact(tmp_path):
    store = SentimentStore(tmp_path)
    base_only = bayes_train(tmp_path, [], [], base_corpus_limit=BASE_LIMIT)
    store.activate(base_only.version)  # reference: same reduced corpus, no corrections
    before = scores(store, base_only.version, SARCASTIC)

    result = bayes_train(tmp_path, CORRECTIONS, [], base_corpus_limit=BASE_LIMIT)
    assert result.current_version == base_only.version
    assert result.counts["corrections"] == len(CORRECTIONS)
    assert not result.switched  # no CSV held out: nothing to compare on
    after = scores(store, result.version, SARCASTIC)
    assert all(a < b for a, b in zip(after, before, strict=True)), (before, after)
    assert sum(a < 0.5 for a in after) >= 8, after

    store.activate(result.version)  # no-op when train already switched
    assert store.active_version() == result.version
    assert scores(store, store.active_version(), SARCASTIC) == after
    assert store.restore_previous() == base_only.version
    assert scores(store, store.active_version(), SARCASTIC) == before  # exactly the old model
    assert store.restore_previous() == DEFAULT_VERSION
    assert store.active_entry().family == HASHED


def test_model_file_is_snownlp_save_format(tmp_path, tiny_corpus):
    result = bayes_train(tmp_path, CORRECTIONS[:2], [])
    assert result.version.startswith("newsroom-") and len(result.version.split("-")[-1]) == 8
    assert result.path.endswith(".marshal.3")
    on_disk = Path(result.path)
    with gzip.open(on_disk, "rb") as fh:
        data = marshal.loads(fh.read())
    assert set(data) == {"total", "d"} and set(data["d"]) == {"neg", "pos"}
    from snownlp.sentiment import Sentiment

    model = Sentiment()
    model.load(result.path[: -len(".3")])  # snownlp itself can read it
    mine = SentimentStore(tmp_path).load(SentimentStore(tmp_path).entry(result.version))
    assert model.classify(SARCASTIC[0]) == mine.classify(SARCASTIC[0])


def news_csv(tmp_path, flip: bool = False) -> Path:
    """A labelled CSV of short comments (labels flipped on request)."""
    path = tmp_path / ("flipped.csv" if flip else "news.csv")
    lines = [
        f"{(i % 2) ^ flip},评论{i}号{'很好，满意' if i % 2 else '很差，失望'}" for i in range(60)
    ]
    path.write_text("label,text\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_switch_only_when_held_out_auc_holds(tmp_path, tiny_corpus):
    store = SentimentStore(tmp_path)
    first = bayes_train(tmp_path, [], [news_csv(tmp_path)], holdout_fraction=0.3)
    assert first.switched and first.candidate.roc_auc >= first.current.roc_auc
    flipped = [(0, "很好，满意"), (1, "很差，失望")] * 5  # moderators who got it backwards
    worse = bayes_train(
        tmp_path, flipped, [news_csv(tmp_path)], holdout_fraction=0.3, correction_weight=10
    )
    assert worse.candidate.roc_auc < worse.current.roc_auc
    assert not worse.switched and store.active_version() == first.version


def test_without_held_out_csv_nothing_is_compared_or_switched(tmp_path, tiny_corpus):
    result = bayes_train(tmp_path, CORRECTIONS[:3], [])
    assert result.holdout_source.startswith("none")
    assert result.candidate.n == 0 and not result.switched
    assert SentimentStore(tmp_path).active_version() == DEFAULT_VERSION


def test_identical_model_is_not_stored_twice(tmp_path, tiny_corpus):
    first = bayes_train(tmp_path, CORRECTIONS[:3], [])
    again = bayes_train(tmp_path, CORRECTIONS[:3], [])
    assert again.version == first.version
    assert [v["version"] for v in SentimentStore(tmp_path).list_versions()] == [
        DEFAULT_VERSION,
        bayes.DEFAULT_VERSION,
        first.version,
    ]


@pytest.mark.parametrize("version", [SHIPPED_VERSION, bayes.DEFAULT_VERSION])
def test_traditional_characters_score_like_simplified(tmp_path, version):
    from moderation.scoring.textnorm import simplified

    store = SentimentStore(tmp_path)
    classify = store.load(store.entry(version)).classify
    simple = "这个产品质量很好，发货很快"
    assert classify(simplified("這個產品質量很好，發貨很快")) == classify(simple)


def test_store_history_survives_reopening(tmp_path, tiny_corpus):
    store = SentimentStore(tmp_path)
    with pytest.raises(LookupError):
        store.restore_previous()
    with pytest.raises(KeyError):
        store.activate("newsroom-nope")
    a = bayes_train(tmp_path, CORRECTIONS[:3], [])
    b = train(tmp_path, CORRECTIONS[3:6], [], base_corpus_limit=BASE_LIMIT)
    store.activate(a.version)
    store.activate(b.version)
    listed = store.list_versions()

    reopened = SentimentStore(tmp_path)
    assert reopened.active_version() == b.version
    assert reopened.list_versions() == listed
    assert [v["version"] for v in listed if v["active"]] == [b.version]
    assert listed[0]["version"] == DEFAULT_VERSION
    assert reopened.restore_previous() == a.version
    assert SentimentStore(tmp_path).active_version() == a.version
    state = json.loads((tmp_path / "models" / "sentiment" / "state.json").read_text("utf-8"))
    assert state["history"][-1] == a.version
    assert not list((tmp_path / "models" / "sentiment").glob("*tmp*"))


def test_train_holds_out_csv_rows(tmp_path, tiny_corpus):
    csv_file = tmp_path / "news.csv"
    lines = [f"{i % 2},评论{i}号{'很好' if i % 2 else '很差'}" for i in range(40)]
    csv_file.write_text("label,text\n" + "\n".join(lines) + "\n", encoding="utf-8")
    result = bayes_train(tmp_path, [], [csv_file], holdout_fraction=0.25)
    assert result.holdout_source.startswith("csv (class-balanced")
    assert result.counts["csv_train"] + result.counts["holdout"] <= 40
    assert result.candidate.n == result.counts["holdout"] > 0
    assert result.candidate.confusion["tp"] + result.candidate.confusion["fn"] == (
        result.candidate.n // 2
    )
    again = bayes_train(tmp_path, [], [csv_file], holdout_fraction=0.25)
    assert again.counts == result.counts  # deterministic split


# ------------------------------------------------------------------ shared Weibo data


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"labelled data folder {SHARED} absent")
def test_shared_weibo_files_read_and_evaluate(tmp_path):
    smp = read_labelled_csv(SHARED / "weibo_smp2020_eval.csv")
    clue = read_labelled_csv(SHARED / "weibo_cluemotion_valid.csv")
    assert (len(smp), sum(y for y, _ in smp)) == (1389, 390)
    assert (len(clue), sum(y for y, _ in clue)) == (3865, 1436)
    store = SentimentStore(tmp_path)
    m = evaluate(store.load(store.entry(bayes.DEFAULT_VERSION)).classify, smp[:60])
    assert m.n == 60 and 0.0 <= m.accuracy <= 1.0


# ------------------------------------------------------------------ the trained family


def test_hashed_family_learns_corrections_and_is_stored_as_npz(tmp_path, tiny_corpus):
    store = SentimentStore(tmp_path)
    result = train(tmp_path, CORRECTIONS, [news_csv(tmp_path)], holdout_fraction=0.3)
    assert result.path.endswith(".npz") and result.counts["corrections"] == len(CORRECTIONS)
    entry = store.entry(result.version)
    assert entry.family == HASHED
    classify = store.load(entry).classify
    assert sum(classify(text) < 0.5 for text in SARCASTIC) >= 8
    assert 0.0 <= classify("") <= 1.0
    listed = {v["version"]: v for v in store.list_versions()}
    assert listed[result.version]["trained_on"]["corrections"] == len(CORRECTIONS)


def test_hashed_candidate_switches_by_the_store_rule(tmp_path, tiny_corpus):
    store = SentimentStore(tmp_path)
    first = train(tmp_path, [], [news_csv(tmp_path)], holdout_fraction=0.3)
    assert first.current_version == SHIPPED_VERSION and first.candidate.n > 0
    assert first.switched == (first.candidate.roc_auc >= first.current.roc_auc)
    flipped = [(0, f"评论{i}号很好，满意") for i in range(100, 160)]
    flipped += [(1, f"评论{i}号很差，失望") for i in range(100, 160)]  # moderators got it backwards
    worse = train(
        tmp_path, flipped, [news_csv(tmp_path)], holdout_fraction=0.3, correction_weight=20
    )
    assert worse.candidate.roc_auc < worse.current.roc_auc and not worse.switched
    assert store.active_version() == first.active_version


def test_unknown_family_is_refused(tmp_path):
    with pytest.raises(ValueError, match="family"):
        train(tmp_path, [], [], family="bert")


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"labelled data folder {SHARED} absent")
def test_shipped_default_ranks_held_out_weibo_better_than_snownlp(tmp_path):
    from moderation.scoring import model_store as ms
    from moderation.scoring import sentiment_models as sm

    store = SentimentStore(tmp_path)
    rows = [
        row
        for row in read_labelled_csv(SHARED / "weibo_smp2020_eval.csv")
        if ms.is_held_out(row[1], sm.HOLDOUT_FRACTION, sm.HOLDOUT_SEED)
    ]
    labels = [label for label, _ in rows]
    auc = {
        version: ms.roc_auc(labels, [store.load(store.entry(version)).classify(t) for _, t in rows])
        for version in (SHIPPED_VERSION, bayes.DEFAULT_VERSION)
    }
    assert auc[SHIPPED_VERSION] >= 0.88 > auc[bayes.DEFAULT_VERSION]
