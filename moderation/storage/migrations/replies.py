"""The replies area's own schema (see moderation/storage/replies.py)."""

from __future__ import annotations

from sqlite_utils.migrations import Migrations

from moderation.storage.migrations.statements import run_statements

replies_migrations = Migrations("moderation.replies")


@replies_migrations()
def m001_official_replies(db):
    """Official replies, one live reply per comment."""
    run_statements(
        db,
        """
        CREATE TABLE official_replies (
            id INTEGER PRIMARY KEY,
            comment_id INTEGER NOT NULL REFERENCES comments(id),
            text TEXT NOT NULL,
            author TEXT NOT NULL,
            written_at TEXT NOT NULL,
            state TEXT NOT NULL,
            signed_off_by TEXT,
            signed_off_at TEXT,
            withdrawn_by TEXT,
            outbox_id INTEGER REFERENCES outbox(id)
        );
        CREATE UNIQUE INDEX official_replies_one_live
            ON official_replies(comment_id) WHERE state != 'withdrawn'
        """,
    )
