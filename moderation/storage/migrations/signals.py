"""The signals area's schema: dashboard entries of the insult lexicon and report phrases."""

from __future__ import annotations

from sqlite_utils.migrations import Migrations

from moderation.storage.migrations.statements import run_statements

signals_migrations = Migrations("moderation.signals")


@signals_migrations()
def m001_signal_words(db):
    """Insult words and crime/scam report phrases added by admins (beside config.toml's)."""
    run_statements(
        db,
        """
        CREATE TABLE signal_words (
            kind TEXT NOT NULL CHECK (kind IN ('insult', 'report')),
            word TEXT NOT NULL,
            added_by TEXT NOT NULL,
            added_at TEXT NOT NULL,
            PRIMARY KEY (kind, word)
        )
        """,
    )
