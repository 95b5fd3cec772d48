"""The write-back area's schema changes (issue 29): every try of an action recorded with
its HTTP status, errcode and duration; a channel's policy knows whether it is enabled."""

from __future__ import annotations

from sqlite_utils.migrations import Migrations

from moderation.storage.migrations.statements import run_statements

writeback = Migrations("moderation.writeback")


@writeback()
def m001_attempts_and_enabled(db):
    """outbox_sends gains status, errcode, duration and path; push_policies gains enabled."""
    run_statements(
        db,
        """
        ALTER TABLE outbox_sends ADD COLUMN path TEXT;
        ALTER TABLE outbox_sends ADD COLUMN status INTEGER;
        ALTER TABLE outbox_sends ADD COLUMN errcode INTEGER;
        ALTER TABLE outbox_sends ADD COLUMN duration_ms INTEGER;
        ALTER TABLE push_policies ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;
        CREATE INDEX outbox_story_switch ON outbox(story_id, id) WHERE comment_id IS NULL
        """,
    )
