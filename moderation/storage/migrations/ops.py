"""The operations area's schema: raw channel payloads and dashboard word lists."""

from __future__ import annotations

from sqlite_utils.migrations import Migrations

from moderation.storage.migrations.statements import run_statements

ops = Migrations("moderation.ops")


@ops()
def m001_raw_payloads(db):
    """Raw channel payloads, kept for a while to debug a channel, then purged."""
    run_statements(
        db,
        """
        CREATE TABLE raw_payloads (
            id INTEGER PRIMARY KEY,
            channel TEXT NOT NULL,
            native_id TEXT NOT NULL,
            payload TEXT NOT NULL,
            collected_at TEXT NOT NULL
        );
        CREATE INDEX raw_payloads_collected ON raw_payloads(collected_at)
        """,
    )


@ops()
def m002_word_lists(db):
    """Banned and suspect words added by admins in the dashboard (beside config.toml's)."""
    run_statements(
        db,
        """
        CREATE TABLE word_lists (
            kind TEXT NOT NULL CHECK (kind IN ('banned', 'suspect')),
            word TEXT NOT NULL,
            added_by TEXT NOT NULL,
            added_at TEXT NOT NULL,
            PRIMARY KEY (kind, word)
        )
        """,
    )
