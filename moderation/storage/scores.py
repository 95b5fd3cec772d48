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
    db.table("scores").upsert_all(
        (
            {
                "comment_id": row["comment_id"],
                "sentiment": row["sentiment"],
                "label": row["label"],
                "model_version": row["model_version"],
                "flags": json.dumps(row.get("flags", []), ensure_ascii=False),
                "flag_codes": " ".join(sorted({f["code"] for f in row.get("flags", [])})),
                "dup_group": row.get("dup_group"),
                "scored_at": now,
            }
            for row in rows
        ),
        pk="comment_id",
    )


def count_unscored(db) -> int:
    """How many comments still wait for a score."""
    return db.execute(
        "SELECT COUNT(*) FROM comments c LEFT JOIN scores s ON s.comment_id = c.id "
        "WHERE s.comment_id IS NULL"
    ).fetchone()[0]
