"""Problems of the builder's checks that an editor signed off anyway, each with a note.

An override names the problem by its key (which names the quotes it is about), so it lapses
by itself when those quotes leave the edition; it is kept as the record of who accepted what.
"""

from __future__ import annotations

from moderation.timeutil import now_iso

NOTE_LIMIT = 200


class OverrideError(ValueError):
    """An override that cannot be recorded; the message says why, for the editor."""


def overrides(db, edition_id: int) -> dict[str, dict]:
    """{problem key: the override row} of an edition."""
    return {
        row["problem_key"]: row
        for row in db.query(
            "SELECT * FROM edition_overrides WHERE edition_id = ? ORDER BY id", [edition_id]
        )
    }


def record_override(db, edition_id: int, key: str, message: str, note: str, actor: str) -> None:
    """Record that `actor` accepts the problem `key` for print, and why (`note`, required)."""
    note = " ".join(note.split())
    if not note:
        raise OverrideError("请写明为什么仍可签发（会记录在案）")
    if len(note) > NOTE_LIMIT:
        raise OverrideError(f"说明请控制在 {NOTE_LIMIT} 字以内")
    db.execute(
        "INSERT INTO edition_overrides (edition_id, problem_key, message, note, actor, at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (edition_id, problem_key) DO UPDATE SET "
        "message = excluded.message, note = excluded.note, actor = excluded.actor, "
        "at = excluded.at",
        [edition_id, key[:200], message[:500], note, actor, now_iso()],
    )


def drop_override(db, edition_id: int, key: str) -> None:
    """Withdraw an override: the problem stops the sign-off again."""
    db.execute(
        "DELETE FROM edition_overrides WHERE edition_id = ? AND problem_key = ?",
        [edition_id, key],
    )
