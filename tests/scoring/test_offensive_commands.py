"""The offensive model's commands through the real `moderation` CLI, on a real SQLite file."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from moderation.cli import main
from moderation.collectors.base import CollectedComment, CollectedStory
from moderation.db import connect
from moderation.scoring import offensive_models as om
from moderation.storage import comments, stories
from moderation.storage import offensive as offensive_store
from tests.helpers import write_config

CITY_NEWS = Path(__file__).resolve().parent.parent / "fixtures" / "offensive" / "city_news.csv"
INSULTS = [
    f"{who}就是个{what}"
    for who in ("记者", "小编", "局长", "城管")
    for what in ("废物", "蠢猪", "狗东西", "白痴", "饭桶")
]
CIVIL = [
    f"希望{who}把{what}做好"
    for who in ("记者", "小编", "局长", "城管")
    for what in ("报道", "回复", "工作", "服务", "执法")
]


def run(config, *args):
    """Invoke the CLI with a config file."""
    return CliRunner().invoke(main, ["--config", str(config), *args])


@pytest.fixture
def small_shipped(monkeypatch):
    """A slice of COLD stands in for the shipped rows, so a retraining takes seconds."""
    rows = om.cold_rows()[:1500]
    monkeypatch.setattr(om, "shipped_rows", lambda: (rows, [1.0] * len(rows)))


def store_comments(db, texts: list[str]) -> list[int]:
    """Store texts as comments on one story; return their ids."""
    story = stories.upsert_story(db, "web", CollectedStory(native_id="s", title="城管执法"))
    collected = [
        CollectedComment(
            native_id=f"n{i}",
            story_native_id="s",
            text=text,
            created_at="2024-01-22T10:00:00+00:00",
            author_key=f"a{i}",
        )
        for i, text in enumerate(texts)
    ]
    comments.save_comments(db, "web", collected, {"s": story})
    return [row[0] for row in db.execute("SELECT id FROM comments ORDER BY id")]


def test_evaluate_offensive_prints_metrics_at_the_configured_thresholds(tmp_path):
    config = write_config(tmp_path, "[scoring]\noffensive_review_above = 0.3\n")
    result = run(config, "evaluate-offensive", str(CITY_NEWS))
    assert result.exit_code == 0, result.output
    assert "model: cold-default" in result.stdout
    assert "n=120  accuracy=" in result.stdout and "roc_auc=" in result.stdout
    assert "at review >= 0.3" in result.stdout and "at reject >= 0.94" in result.stdout
    assert "with the word lists" in result.stdout and "flagged at reject (>= 0.94)" in result.stdout
    assert result.stdout.count("actual + (1)") == 5


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), ("text\n你好\n", "expected a header with label and text columns")],
)
def test_evaluate_offensive_bad_file_is_one_line_and_status_2(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = run(write_config(tmp_path), "evaluate-offensive", str(path))
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_newsroom_decisions_become_training_labels(tmp_path):
    db = connect(tmp_path / "n.db")
    ids = store_comments(db, INSULTS[:2] + CIVIL[:2] + ["还没决定"])
    comments.decide(db, ids[0], "reject", "mod", reason="abuse")
    comments.decide(db, ids[1], "reject", "mod", reason="ad")  # not abuse: left out
    comments.decide(db, ids[2], "approve", "mod")
    comments.decide(db, ids[3], "approve", "mod")
    offensive_store.add_correction(db, ids[3], 1, "mod")  # correction wins
    offensive_store.add_correction(db, ids[4], 0, "mod")
    assert offensive_store.training_labels(db) == [
        (1, INSULTS[0]),
        (0, CIVIL[0]),
        (1, CIVIL[1]),
        (0, "还没决定"),
    ]


def test_train_list_activate_restore_cycle(tmp_path, small_shipped):
    config = write_config(tmp_path)
    db = connect(tmp_path / "test.db")
    ids = store_comments(db, INSULTS + CIVIL)
    for comment_id, text in zip(ids, INSULTS + CIVIL, strict=True):
        if text in INSULTS:
            comments.decide(db, comment_id, "reject", "mod", reason="abuse")
        else:
            comments.decide(db, comment_id, "approve", "mod")
    db.close()
    result = run(config, "train-offensive", "--holdout", "0.4")
    assert result.exit_code == 0, result.output
    assert "trained on 1500 shipped + " in result.stdout
    assert "current   cold-default" in result.stdout and "switched:" in result.stdout
    assert f"desk labels used (rejected as 辱骂, approved, corrected): {len(INSULTS + CIVIL)}" in (
        result.stdout
    )
    assert "COLD dev, choosing half: n=" in result.stdout
    assert "COLD dev, held-out half: n=" in result.stdout and "civil (" in result.stdout
    version = result.stdout.split("candidate ")[1].split(":")[0]

    again = run(config, "train-offensive", "--holdout", "0.4")
    assert f"candidate {version}:" in again.stdout  # the same model is not stored twice

    listing = run(config, "offensive-models")
    assert listing.stdout.count("\n") == 2 and version in listing.stdout
    assert run(config, "activate-offensive", version).exit_code == 0
    assert f"* {version}" in run(config, "offensive-models").stdout
    restored = run(config, "restore-offensive")
    assert restored.exit_code == 0 and restored.stdout.strip().startswith("active offensive")


@pytest.mark.parametrize("command", ["activate-offensive", "activate-sentiment"])
def test_activate_unknown_version_is_one_line_and_status_2(tmp_path, command):
    result = run(write_config(tmp_path), command, "newsroom-nope")
    assert result.exit_code == 2
    assert "unknown" in result.stderr and "newsroom-nope" in result.stderr


def test_activate_sentiment_default(tmp_path):
    result = run(write_config(tmp_path), "activate-sentiment", "snownlp-default")
    assert result.exit_code == 0
    assert result.stdout.strip() == "active sentiment model: snownlp-default"


def test_train_offensive_with_nothing_to_learn_is_one_line(tmp_path):
    result = run(write_config(tmp_path), "train-offensive")
    assert result.exit_code == 2
    assert "nothing new to learn from" in result.stderr
