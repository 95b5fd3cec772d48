"""Tests for the model store's shared parts: labelled CSVs, metrics, the switch rule."""

import math

import pytest

from moderation.scoring import model_store as ms
from moderation.scoring.model_store import evaluate, read_labelled_csv

# ------------------------------------------------------------------ CSV reading


def write(tmp_path, content, name="data.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(content.encode(encoding))
    return path


def test_csv_reads_bom_crlf_and_skips_blank_lines(tmp_path):
    path = write(tmp_path, '\ufefflabel,text\r\n1,路修好了\r\n\r\n0,"又堵车，烦"\r\n', "bom.csv")
    assert read_labelled_csv(path) == [(1, "路修好了"), (0, "又堵车，烦")]


def test_csv_columns_are_found_by_name_as_cold_releases_them(tmp_path):
    cold = ",split,topic,label,TEXT\n0,test,race,1,滚回去\n1,test,region,0,欢迎来株洲\n"
    path = write(tmp_path, cold)
    assert read_labelled_csv(path) == [(1, "滚回去"), (0, "欢迎来株洲")]
    reviews = write(tmp_path, "label,review\n1,送餐很快，味道不错\n0,等了两个小时\n", "waimai.csv")
    assert read_labelled_csv(reviews) == [(1, "送餐很快，味道不错"), (0, "等了两个小时")]


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        ("label,text\n1,好\n\n2,坏\n", 4, "label must be 0 or 1"),
        ("label,text\n1,好\n0,   \n", 3, "missing text"),
        ("label,text\n1,好\n0\n", 3, "2 columns"),
        ("label,text\n1,好,多了一列\n", 2, "2 columns"),
        ("words,label\n好,1\n", 1, "header with label and text"),
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
    assert ms.roc_auc([1, 0, 1, 0], [0.3, 0.3, 0.3, 0.3]) == 0.5
    assert ms.roc_auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert ms.roc_auc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]) == 0.0
    assert math.isnan(ms.roc_auc([1, 1], [0.2, 0.3]))
    with pytest.raises(ValueError):
        evaluate(lambda t: 0.5, [])


# ------------------------------------------------------------------ the store and its rule


class TextModel:
    """A stand-in model kind: its file is its text."""

    family = "text"
    suffix = ".txt"

    def __init__(self, text):
        self.text = text

    def save(self, path):
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(self.text)

    def digest(self, path):
        import hashlib

        with open(path, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()


class TextStore(ms.ModelStore):
    kind = "text"
    builtins = {"shipped": ms.Entry("shipped", "text", None)}

    def load(self, entry):
        return "shipped" if entry.path is None else open(entry.path, encoding="utf-8").read()


def metrics(auc, n=10):
    return ms.Metrics(n=n, accuracy=0.5, roc_auc=auc, confusion={})


@pytest.mark.parametrize(
    ("candidate", "current", "switched"),
    [
        (metrics(0.8), metrics(0.7), True),
        (metrics(0.7), metrics(0.7), True),  # no worse is enough
        (metrics(0.6), metrics(0.7), False),
        (ms.UNCOMPARED, ms.UNCOMPARED, False),  # nothing compared: never switch
    ],
)
def test_switch_rule(tmp_path, candidate, current, switched):
    store = TextStore(tmp_path)
    version, _ = store.save_model(TextModel("a"))
    assert store.switch_if_better(version, candidate, current, "shipped") is switched
    assert store.active_version() == (version if switched else "shipped")
    recorded = store.list_versions()[-1]["metrics"]
    assert recorded["baseline"]["version"] == "shipped"


def test_same_version_is_never_a_switch(tmp_path):
    store = TextStore(tmp_path)
    version, _ = store.save_model(TextModel("a"))
    store.activate(version)
    assert store.save_model(TextModel("a"))[0] == version  # stored once
    assert not store.switch_if_better(version, metrics(0.9), metrics(0.5), version)
    assert store.restore_previous() == "shipped"


def test_store_loads_builtins_and_stored_versions(tmp_path):
    store = TextStore(tmp_path)
    assert store.load_active() == "shipped"
    version, path = store.save_model(TextModel("hello"), {"trained_on": {"rows": 3}})
    assert path.endswith(".txt")
    store.activate(version)
    assert store.load_active() == "hello"
    listed = store.list_versions()
    assert [v["version"] for v in listed] == ["shipped", version]
    assert listed[1]["family"] == "text" and listed[1]["trained_on"] == {"rows": 3}
    with pytest.raises(KeyError):
        store.activate("nope")
