"""The second opinions' schema: every call (its answer or its failure), which answer a
comment got, and the provider a rule asks (see moderation/storage/second_opinions.py)."""

from __future__ import annotations

from sqlite_utils.migrations import Migrations

from moderation.storage.migrations.statements import run_statements

second_opinion_migrations = Migrations("moderation.second_opinion")


@second_opinion_migrations()
def m001_opinion_calls(db):
    """Calls to second-opinion providers, answers cached by content digest, and the links
    from comments to the answer (or failure) they got."""
    run_statements(
        db,
        """
        CREATE TABLE opinion_calls (
            id INTEGER PRIMARY KEY,
            provider TEXT NOT NULL,
            digest TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN
                ('ok', 'failed', 'timeout', 'rate_limited', 'bad_answer', 'over_budget',
                 'not_sent')),
            level TEXT CHECK (level IN ('pass', 'review', 'block')),
            labels TEXT NOT NULL DEFAULT '[]',
            provider_labels TEXT NOT NULL DEFAULT '[]',
            latency_ms INTEGER NOT NULL DEFAULT 0,
            cost_units REAL NOT NULL DEFAULT 0,
            error TEXT,
            at TEXT NOT NULL
        );
        CREATE INDEX opinion_calls_cache ON opinion_calls(provider, digest, status, id);
        CREATE INDEX opinion_calls_at ON opinion_calls(provider, at);
        CREATE TABLE comment_opinions (
            comment_id INTEGER NOT NULL REFERENCES comments(id),
            provider TEXT NOT NULL,
            call_id INTEGER NOT NULL REFERENCES opinion_calls(id),
            cached INTEGER NOT NULL DEFAULT 0,
            at TEXT NOT NULL,
            PRIMARY KEY (comment_id, provider)
        );
        CREATE INDEX comment_opinions_call ON comment_opinions(call_id);
        ALTER TABLE rules ADD COLUMN provider TEXT NOT NULL DEFAULT ''
        """,
    )
