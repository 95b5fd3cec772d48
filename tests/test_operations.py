"""Backup while collecting, restore, purge of raw payloads, health report, JSON logs."""

import dataclasses
import json
import logging
import sqlite3
import threading

import pytest

from moderation import pipeline
from moderation.collectors import demo
from moderation.db import connect
from moderation.settings import channel_settings
from moderation.storage import backups, raw_payloads
from tests.processes import HANG_GUARD
from tests.scheduling_helpers import wait_for

HELD_AFTER = 20  # pages stored before the collection waits for the backup


@pytest.fixture
def held_demo(monkeypatch) -> threading.Event:
    """The demo collector, one comment a page, waiting after 20 pages until the returned
    event is set (so the backup surely runs mid-collection, without a sleep)."""
    original = demo.Collector.pages
    resume = threading.Event()

    def held_pages(self, cursor):
        for number, page in enumerate(original(self, cursor)):
            if number == HELD_AFTER:  # the pages before it are stored by now
                resume.wait(HANG_GUARD)
            yield page

    monkeypatch.setattr(demo.Collector, "pages", held_pages)
    return resume


def test_backup_during_collection_restores_everything_committed_before(
    settings, db, held_demo, tmp_path
):
    channel = channel_settings({"name": "demo", "type": "demo", "page_size": 1})

    def collect():
        own = connect(settings.database_path)
        pipeline.collect_channel(own, settings, channel)
        own.close()

    worker = threading.Thread(target=collect)
    worker.start()
    try:
        wait_for(lambda: db.table("comments").count == HELD_AFTER)
        committed = {row[0] for row in db.execute("SELECT native_id FROM comments")}
        result = backups.backup(settings.database_path, tmp_path / "snap.db")
    finally:
        held_demo.set()
        worker.join()
    assert result["integrity"] == "ok"
    restored_path = tmp_path / "restored" / "moderation.db"
    backups.restore(tmp_path / "snap.db", restored_path)
    restored = sqlite3.connect(restored_path)
    assert restored.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    in_restore = {row[0] for row in restored.execute("SELECT native_id FROM comments")}
    assert in_restore == committed  # all that was committed before the backup, nothing after
    assert len(in_restore) < db.table("comments").count  # it really ran mid-collection


def test_backup_refuses_to_overwrite(settings, db, tmp_path):
    target = tmp_path / "exists.db"
    target.write_text("x")
    with pytest.raises(backups.OperationError, match="exists already"):
        backups.backup(settings.database_path, target)


def test_restore_refuses_a_corrupt_backup(tmp_path):
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises((backups.OperationError, sqlite3.DatabaseError)):
        backups.restore(broken, tmp_path / "target.db")


def one_old_one_new_payload(db) -> None:
    """Two raw payloads: one collected in 2020 (past any retention), one just now."""
    from moderation.collectors.base import CollectedComment

    comment = CollectedComment(
        native_id="n1",
        story_native_id="s",
        text="好",
        created_at="2024-01-22T00:00:00+00:00",
        author_key="a",
        raw={"content": "好"},
    )
    raw_payloads.save_raw(db, "demo", [comment])
    db.execute("UPDATE raw_payloads SET collected_at = '2020-01-01T00:00:00+00:00'")
    raw_payloads.save_raw(db, "demo", [dataclasses.replace(comment, raw={"content": "好!"})])


def test_purge_removes_old_payloads_and_keeps_comments(db, settings):
    one_old_one_new_payload(db)
    pipeline.collect_channel(db, settings, settings.channel("demo"))
    comments_before = db.table("comments").count
    assert raw_payloads.purge_older_than(db, 30) == 1
    assert db.table("raw_payloads").count == 1
    assert db.table("comments").count == comments_before


def test_healthz_reports_database_and_channels(client, db, settings):
    pipeline.collect_channel(db, settings, settings.channel("demo"))
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["database"] == "ok"
    assert "demo" in body["channels"]


def test_json_logs_carry_extra_fields(capsys):
    from moderation import logs

    logs.configure("info", json_lines=True)
    logging.getLogger("moderation.test").info("collected", extra={"channel": "demo", "new": 3})
    line = capsys.readouterr().err.strip().splitlines()[-1]
    entry = json.loads(line)
    assert entry["message"] == "collected" and entry["channel"] == "demo" and entry["new"] == 3
    logging.getLogger().handlers.clear()


def test_healthz_reports_the_scheduler_lease(client, db):
    from moderation.storage import leases

    assert client.get("/healthz").get_json()["scheduler"] is None
    assert leases.acquire(db, "scheduler", "host:1:ab", 30)
    lease = client.get("/healthz").get_json()["scheduler"]
    assert "holder" not in lease and lease["expired"] is False  # host:pid is not for anyone
    assert 0 <= lease["age_seconds"] < 30


@pytest.mark.parametrize(
    "content",
    [b"story_id,content\ns1,x\n", b"\x89PNG\r\n\x1a\n" + bytes(2000), b""],
    ids=["csv", "png", "empty"],
)
def test_restore_of_a_file_that_is_no_backup_is_one_clear_line(tmp_path, content):
    """Issue 20: restoring a CSV printed a traceback ("file is not a database")."""
    from click.testing import CliRunner

    from moderation.cli import main
    from tests.helpers import write_config

    config = write_config(tmp_path)
    source = tmp_path / "not-a-backup.csv"
    source.write_bytes(content)
    result = CliRunner().invoke(main, ["--config", str(config), "restore", str(source), "--yes"])
    assert result.exit_code == 2
    assert "is not a backup of this service's database" in result.output
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit
