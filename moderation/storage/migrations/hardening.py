"""Schema of the hardening work (issue 20): truncated comments, session versions and the
account audit, the per-(name, address) login throttle, raw payload digests."""

from __future__ import annotations

from sqlite_utils.migrations import Migrations

from moderation.storage.migrations.statements import run_statements

hardening = Migrations("moderation.hardening")


@hardening()
def m001_truncated_comments(db):
    """A comment whose text was cut to the length cap says so (the original is in its raw)."""
    run_statements(db, "ALTER TABLE comments ADD COLUMN truncated INTEGER NOT NULL DEFAULT 0")


@hardening()
def m002_session_versions(db):
    """A per-user session version (bumped to end every session) and the account audit."""
    run_statements(
        db,
        """
        ALTER TABLE users ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE account_events (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT,
            at TEXT NOT NULL
        );
        CREATE INDEX account_events_user ON account_events(user_id, id)
        """,
    )


@hardening()
def m003_login_throttle(db):
    """Failed logins counted per (name, address), for growing delays."""
    run_statements(
        db,
        """
        CREATE TABLE login_throttle (
            name TEXT NOT NULL,
            address TEXT NOT NULL,
            failures INTEGER NOT NULL,
            last_attempt_at TEXT NOT NULL,
            PRIMARY KEY (name, address)
        )
        """,
    )


@hardening()
def m004_raw_digests(db):
    """The digest of each comment's last stored raw item: an unchanged one is not stored again."""
    run_statements(db, "ALTER TABLE comments ADD COLUMN raw_digest TEXT")
