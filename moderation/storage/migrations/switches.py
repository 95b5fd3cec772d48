"""The switches area's own schema (see moderation/storage/switches.py)."""

from __future__ import annotations

from sqlite_utils.migrations import Migrations

from moderation.storage.migrations.statements import run_statements

switches_migrations = Migrations("moderation.switches")


@switches_migrations()
def m001_comment_switches(db):
    """Who opened or closed a story's comments, why and when."""
    run_statements(
        db,
        """
        CREATE TABLE comment_switches (
            id INTEGER PRIMARY KEY,
            story_id INTEGER NOT NULL REFERENCES stories(id),
            action TEXT NOT NULL CHECK (action IN ('open_comments', 'close_comments')),
            actor TEXT NOT NULL,
            reason TEXT NOT NULL,
            batch TEXT,
            at TEXT NOT NULL,
            queued INTEGER NOT NULL
        );
        CREATE INDEX comment_switches_story ON comment_switches(story_id, id);
        CREATE INDEX comment_switches_batch ON comment_switches(batch)
        """,
    )
