"""The outbox area's own schema (see moderation/storage/outbox.py)."""

from __future__ import annotations

from sqlite_utils.migrations import Migrations

from moderation.storage.migrations.statements import run_statements

outbox_migrations = Migrations("moderation.outbox")


@outbox_migrations()
def m001_outbox(db):
    """Push policies synced from config, the outbox and its audit of sends."""
    run_statements(
        db,
        """
        CREATE TABLE push_policies (
            channel TEXT PRIMARY KEY,
            type TEXT NOT NULL,
            mode TEXT NOT NULL CHECK (mode IN ('off', 'dry_run', 'on')),
            on_approve TEXT NOT NULL,
            on_reject TEXT NOT NULL,
            supported TEXT NOT NULL,
            replies_need_sign_off INTEGER NOT NULL,
            reply_limit INTEGER NOT NULL,
            close_at TEXT NOT NULL,
            reopen_at TEXT NOT NULL,
            close_after_days INTEGER NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            channel TEXT NOT NULL,
            action TEXT NOT NULL,
            mode TEXT NOT NULL CHECK (mode IN ('dry_run', 'on')),
            comment_id INTEGER REFERENCES comments(id),
            story_id INTEGER REFERENCES stories(id),
            decision_id INTEGER,
            reply_id INTEGER,
            comment_native_id TEXT,
            story_native_id TEXT,
            text TEXT,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_at TEXT NOT NULL,
            claimed_by TEXT,
            lease_until TEXT,
            note TEXT,
            actor TEXT,
            created_at TEXT NOT NULL,
            finished_at TEXT
        );
        CREATE INDEX outbox_due ON outbox(state, next_at);
        CREATE INDEX outbox_comment ON outbox(comment_id);
        CREATE INDEX outbox_story ON outbox(story_id);
        CREATE TABLE outbox_sends (
            id INTEGER PRIMARY KEY,
            outbox_id INTEGER NOT NULL REFERENCES outbox(id),
            at TEXT NOT NULL,
            request TEXT NOT NULL,
            answer TEXT NOT NULL,
            outcome TEXT NOT NULL
        );
        CREATE INDEX outbox_sends_row ON outbox_sends(outbox_id)
        """,
    )
