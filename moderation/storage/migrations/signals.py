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


# 机器标记: a flag a moderator must act on = any code but the facets (scoring.flags.FACET_CODES
# when this migration was written: low_information, mass_posting, negative). A later change
# of the facets needs a new migration that redefines the triggers and backfills.
_ACT = (
    "trim(replace(replace(replace(' ' || {codes} || ' ', ' low_information ', ' '), "
    "' mass_posting ', ' '), ' negative ', ' ')) != ''"
)


@signals_migrations()
def m002_scores_act(db):
    """scores.act: 1 when a comment has a flag that puts it into 机器标记, kept by triggers
    for every writer (scoring, rescoring, campaign flags), indexed for the queue's count."""
    run_statements(
        db,
        f"""
        ALTER TABLE scores ADD COLUMN act INTEGER NOT NULL DEFAULT 0;
        UPDATE scores SET act = 1 WHERE {_ACT.format(codes="flag_codes")};
        CREATE INDEX scores_act ON scores(comment_id) WHERE act = 1
        """,
    )
    for event in ("INSERT", "UPDATE OF flag_codes"):  # a trigger body holds its own ";"
        name = "scores_act_" + event.split()[0].lower()
        db.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON scores BEGIN "
            f"UPDATE scores SET act = ({_ACT.format(codes='NEW.flag_codes')}) "
            "WHERE comment_id = NEW.comment_id; END"
        )
