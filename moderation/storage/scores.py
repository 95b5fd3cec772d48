"""Scores: one current row per comment, with the model version that produced it."""

from __future__ import annotations

import json

from moderation.storage import corrections
from moderation.timeutil import now_iso


def unscored(db, limit: int) -> list[dict]:
    """Comments that have no score yet, oldest first (from the trigger-kept score_queue)."""
    return list(
        db.query(
            "SELECT c.id, c.text, c.author_key FROM score_queue q "
            "JOIN comments c ON c.id = q.comment_id ORDER BY q.comment_id LIMIT ?",
            [limit],
        )
    )


def _flag_columns(flags: list[dict]) -> tuple[str, str]:
    """The stored forms of a comment's flags: the JSON list, and its codes for filtering."""
    return json.dumps(flags, ensure_ascii=False), " ".join(sorted({f["code"] for f in flags}))


def save_scores(db, rows: list[dict]) -> None:
    """Store scores (replacing older ones for the same comments)."""
    now = now_iso()
    db.conn.executemany(
        "INSERT OR REPLACE INTO scores (comment_id, sentiment, label, model_version, flags, "
        "flag_codes, dup_group, scored_at, rules, offensive) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                row["comment_id"],
                row["sentiment"],
                row["label"],
                row["model_version"],
                *_flag_columns(row.get("flags", [])),
                row.get("dup_group"),
                now,
                row.get("rules"),
                row.get("offensive"),
            )
            for row in rows
        ],
    )
    corrections.reapply(db, [row["comment_id"] for row in rows])  # a moderator's word wins


def stale_pending(db, rules: str, below_id: int, limit: int) -> list[dict]:
    """Pending comments under `below_id` scored by other rules, newest first."""
    return list(
        db.query(
            "SELECT c.id, c.text, s.flags FROM comments c JOIN scores s ON s.comment_id = c.id "
            "WHERE c.id < ? AND c.status = 'pending' AND s.rules IS NOT ? "
            "ORDER BY c.id DESC LIMIT ?",
            [below_id, rules, limit],
        )
    )


def refresh_text_scores(db, rows: list[dict], rules: str) -> None:
    """Replace what a comment's text alone decides (sentiment, offensive, flags), keeping
    the flags that come from its duplicate group."""
    now = now_iso()
    db.conn.executemany(
        "UPDATE scores SET sentiment = ?, label = ?, model_version = ?, flags = ?, "
        "flag_codes = ?, scored_at = ?, rules = ?, offensive = ? WHERE comment_id = ?",
        [
            (
                row["sentiment"],
                row["label"],
                row["model_version"],
                *_flag_columns(row["flags"]),
                now,
                rules,
                row.get("offensive"),
                row["comment_id"],
            )
            for row in rows
        ],
    )
    corrections.reapply(db, [row["comment_id"] for row in rows])


def refresh_state(db) -> dict | None:
    """The background refresh's progress: rules it works towards, below_id, done."""
    rows = list(db.query("SELECT rules, below_id, done FROM rules_refresh WHERE id = 1"))
    return rows[0] if rows else None


def save_refresh_state(db, rules: str, below_id: int | None, done: bool) -> None:
    """Record the refresh's progress."""
    db.execute(
        "INSERT OR REPLACE INTO rules_refresh (id, rules, below_id, done) VALUES (1, ?, ?, ?)",
        [rules, below_id, int(done)],
    )


def count_unscored(db) -> int:
    """How many comments still wait for a score."""
    return db.execute("SELECT COUNT(*) FROM score_queue").fetchone()[0]


def flag_campaign(
    db, group_id: int, min_authors: int, new_members: list[int] | None = None
) -> bool:
    """Flag every long comment of a duplicate group posted by at least `min_authors` authors.

    A group flagged before that only gained `new_members` passes its flag on to them, without
    counting its authors again (groups only grow, and the count is the costly part at scale).
    """
    from moderation.scoring.flags import MASS_POSTING
    from moderation.scoring.scorer import mass_posting_flag
    from moderation.storage.duplicates import authors_in_group

    long_only = (
        "instr(flag_codes, ?) = 0 AND EXISTS "
        "(SELECT 1 FROM dup_keys d WHERE d.comment_id = scores.comment_id AND d.short = 0)"
    )
    if new_members:
        inherited = db.execute(
            "SELECT f.value FROM scores s, json_each(s.flags) f WHERE s.comment_id = ? "
            "AND json_extract(f.value, '$.code') = ?",
            [group_id, MASS_POSTING],
        ).fetchone()
        if inherited:
            marks = ",".join("?" * len(new_members))
            db.execute(
                "UPDATE scores SET flags = json_insert(flags, '$[#]', json(?)), "
                "flag_codes = trim(flag_codes || ' ' || ?) "
                f"WHERE comment_id IN ({marks}) AND {long_only}",
                [inherited[0], MASS_POSTING, *new_members, MASS_POSTING],
            )
            return True
    authors = authors_in_group(db, group_id)
    if authors < min_authors:
        return False
    flag = json.dumps(mass_posting_flag(authors), ensure_ascii=False)
    db.execute(
        "UPDATE scores SET flags = json_insert(flags, '$[#]', json(?)), "
        f"flag_codes = trim(flag_codes || ' ' || ?) WHERE dup_group = ? AND {long_only}",
        [flag, MASS_POSTING, group_id, MASS_POSTING],
    )
    return True
