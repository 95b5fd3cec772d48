"""Scores: one current row per comment, with the model version that produced it."""

from __future__ import annotations

import json

from moderation.timeutil import now_iso


def unscored(db, limit: int, since: str | None = None) -> list[dict]:
    """Comments that have no score yet, oldest first."""
    return list(
        db.query(
            "SELECT c.id, c.text, c.author_key FROM comments c "
            "LEFT JOIN scores s ON s.comment_id = c.id WHERE s.comment_id IS NULL "
            "ORDER BY c.id LIMIT ?",
            [limit],
        )
    )


def save_scores(db, rows: list[dict]) -> None:
    """Store scores (replacing older ones for the same comments)."""
    now = now_iso()
    db.conn.executemany(
        "INSERT OR REPLACE INTO scores (comment_id, sentiment, label, model_version, flags, "
        "flag_codes, dup_group, scored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                row["comment_id"],
                row["sentiment"],
                row["label"],
                row["model_version"],
                json.dumps(row.get("flags", []), ensure_ascii=False),
                " ".join(sorted({f["code"] for f in row.get("flags", [])})),
                row.get("dup_group"),
                now,
            )
            for row in rows
        ],
    )


def count_unscored(db) -> int:
    """How many comments still wait for a score."""
    return db.execute(
        "SELECT COUNT(*) FROM comments c LEFT JOIN scores s ON s.comment_id = c.id "
        "WHERE s.comment_id IS NULL"
    ).fetchone()[0]


def flag_campaign(db, group_id: int, min_authors: int) -> bool:
    """Flag every comment of a duplicate group posted by at least `min_authors` authors."""
    from moderation.scoring.scorer import MASS_POSTING, mass_posting_flag
    from moderation.storage.duplicates import authors_in_group

    authors = authors_in_group(db, group_id)
    if authors < min_authors:
        return False
    flag = json.dumps(mass_posting_flag(authors), ensure_ascii=False)
    db.execute(
        "UPDATE scores SET flags = json_insert(flags, '$[#]', json(?)), "
        "flag_codes = trim(flag_codes || ' ' || ?) "
        "WHERE dup_group = ? AND instr(flag_codes, ?) = 0 AND EXISTS "
        "(SELECT 1 FROM dup_keys d WHERE d.comment_id = scores.comment_id AND d.short = 0)",
        [flag, MASS_POSTING, group_id, MASS_POSTING],
    )
    return True
