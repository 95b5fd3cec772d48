"""The offensive-language area's own schema: the score beside sentiment, and corrections."""

from __future__ import annotations

from sqlite_utils.migrations import Migrations

from moderation.storage.migrations.statements import run_statements

offensive_migrations = Migrations("moderation.offensive")


@offensive_migrations()
def m001_offensive_score_and_corrections(db):
    """scores.offensive (0-1, NULL until scored by a model) and moderators' corrections."""
    run_statements(
        db,
        """
        ALTER TABLE scores ADD COLUMN offensive REAL;
        CREATE INDEX scores_offensive ON scores(offensive);
        CREATE TABLE offensive_corrections (
            id INTEGER PRIMARY KEY,
            comment_id INTEGER NOT NULL REFERENCES comments(id),
            label INTEGER NOT NULL CHECK (label IN (0, 1)),
            actor TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX offensive_corrections_comment ON offensive_corrections(comment_id)
        """,
    )
