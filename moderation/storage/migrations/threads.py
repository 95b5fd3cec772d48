"""Thread context's schema: replies looked up by the comment they answer."""

from __future__ import annotations

from sqlite_utils.migrations import Migrations

from moderation.storage.migrations.statements import run_statements

threads = Migrations("moderation.threads")


@threads()
def m001_replies_by_parent(db):
    """The replies to a comment (same channel, `reply_to` = its native id), found by index."""
    run_statements(
        db,
        "CREATE INDEX IF NOT EXISTS comments_reply_to ON comments(channel, reply_to) "
        "WHERE reply_to IS NOT NULL",
    )
