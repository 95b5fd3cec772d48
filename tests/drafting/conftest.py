"""The demo channel collected, really scored and every pending comment approved, built once
per session and copied into each test's fresh database."""

import sqlite3

import pytest

from moderation import pipeline
from moderation.db import connect
from moderation.settings import load_settings
from moderation.storage import comments
from tests.helpers import write_config

WEEK = ("2024-01-19", "2024-01-25")


@pytest.fixture(scope="session")
def scored_demo_file(tmp_path_factory):
    """A database file with the demo data scored and everything not rejected approved (a
    moderator who approves it all is the hardest case for the draft's gates)."""
    settings = load_settings(write_config(tmp_path_factory.mktemp("scored-demo")))
    db = connect(settings.database_path)
    pipeline.collect_channel(db, settings, settings.channel("demo"))
    pipeline.score_pending(db, settings)
    pending = [row[0] for row in db.execute("SELECT id FROM comments WHERE status = 'pending'")]
    comments.decide_many(db, pending, "approve", actor="mod")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return settings.database_path


@pytest.fixture
def demo_db(db, scored_demo_file):
    """This test's database, filled with the scored, approved demo data."""
    source = sqlite3.connect(scored_demo_file)
    source.backup(db.conn)
    source.close()
    return db
