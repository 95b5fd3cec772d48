"""collect -> store -> score on the demo channel, against a real SQLite file."""

import pytest

from moderation import pipeline
from moderation.collectors.demo import load_sample
from moderation.settings import channel_settings
from moderation.storage import comments as comment_store
from moderation.storage import decisions


def collect_demo(db, settings):
    """Collect the demo channel once; return the run summary."""
    return pipeline.collect_channel(db, settings, settings.channel("demo"))


def test_collect_demo_stores_every_sample_comment(db, settings):
    summary = collect_demo(db, settings)
    expected = len(load_sample()["comments"])
    assert summary.status == "ok"
    assert summary.new == expected
    assert db.table("comments").count == expected
    run = db.execute("SELECT status, new FROM runs WHERE id = ?", [summary.run_id]).fetchone()
    assert run == ("ok", expected)


def test_collect_twice_keeps_count_and_decisions(db, settings):
    collect_demo(db, settings)
    count = db.table("comments").count
    comment_store.decide(db, 1, "approve", actor="mod")
    comment_store.decide(db, 2, "reject", actor="mod", reason="ad")
    second = collect_demo(db, settings)
    assert second.new == 0
    assert db.table("comments").count == count
    assert comment_store.get_status(db, 1) == "approved"
    assert comment_store.get_status(db, 2) == "rejected"
    assert [d["action"] for d in decisions.history(db, 1)] == ["approve"]


def test_collector_failure_is_recorded_and_loses_nothing(db, settings, monkeypatch):
    from moderation.collectors import demo

    original = demo.Collector.pages

    def pages_then_crash(self, cursor):
        for number, page in enumerate(original(self, cursor)):
            if number == 2:
                raise ConnectionError("channel went away")
            yield page

    monkeypatch.setattr(demo.Collector, "pages", pages_then_crash)
    small = channel_settings({"name": "demo", "type": "demo", "page_size": 3})
    summary = pipeline.collect_channel(db, settings, small)
    assert summary.status == "partial"
    assert db.table("comments").count == 6
    assert "channel went away" in summary.errors[0]
    monkeypatch.setattr(demo.Collector, "pages", original)
    pipeline.collect_channel(db, settings, small)
    assert db.table("comments").count == len(load_sample()["comments"])


def test_edited_approved_comment_returns_to_pending(db, settings):
    from moderation.collectors.base import CollectedComment

    collect_demo(db, settings)
    comment_store.decide(db, 1, "approve", actor="mod")
    row = db.table("comments").get(1)
    edited = CollectedComment(
        native_id=row["native_id"],
        story_native_id="x",
        text=row["text"] + "（已编辑）",
        created_at=row["created_at"],
        author_key=row["author_key"],
    )
    counts = comment_store.save_comments(db, "demo", [edited], {"x": row["story_id"]})
    assert counts.updated == 1
    assert comment_store.get_status(db, 1) == "pending"
    assert comment_store.edits(db, 1)[0]["old_text"] == row["text"]
    assert decisions.history(db, 1)[-1]["actor"] == "system"


def test_score_pending_scores_everything_with_model_version(db, settings):
    collect_demo(db, settings)
    scored = pipeline.score_pending(db, settings, batch_size=7)
    assert scored == db.table("comments").count
    rows = list(db.query("SELECT sentiment, model_version FROM scores"))
    assert all(0.0 <= r["sentiment"] <= 1.0 for r in rows)
    assert all(r["model_version"].startswith("weibo-default@") for r in rows)


def test_decisions_are_append_only(db, settings):
    import sqlite3

    import pytest

    collect_demo(db, settings)
    comment_store.decide(db, 1, "approve", actor="mod")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE decisions SET actor = 'someone else'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM decisions")


@pytest.mark.parametrize(
    "statuses, code",
    [([], 0), (["ok", "ok"], 0), (["ok", "partial"], 3), (["partial", "failed"], 1)],
)
def test_exit_status_tells_partial_runs_apart(statuses, code):
    assert pipeline.exit_status(statuses) == code
