"""The append-only audit trail: every change of a comment's state is one row."""

from __future__ import annotations

from moderation.timeutil import now_iso


def record(db, comment_id: int, actor: str, action: str, from_state, to_state, reason=None) -> int:
    """Append one decision row; its id (the idempotency key of what it pushes)."""
    return (
        db.table("decisions")
        .insert(
            {
                "comment_id": comment_id,
                "actor": actor,
                "action": action,
                "from_state": from_state,
                "to_state": to_state,
                "reason": reason,
                "at": now_iso(),
            }
        )
        .last_pk
    )


def record_many(db, changes, actor: str, action: str, to_state, reason, at: str) -> list[int]:
    """Append one decision row per (comment id, from state) of a bulk decision; return their
    ids in the same order (the caller holds the write transaction, so they follow on)."""
    changes = list(changes)
    last_id = db.execute("SELECT coalesce(max(id), 0) FROM decisions").fetchone()[0]
    db.conn.executemany(
        "INSERT INTO decisions (comment_id, actor, action, from_state, to_state, reason, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (comment_id, actor, action, before, to_state, reason, at)
            for comment_id, before in changes
        ],
    )
    return list(range(last_id + 1, last_id + 1 + len(changes)))


def history(db, comment_id: int) -> list[dict]:
    """Every decision on a comment, oldest first."""
    return list(db.query("SELECT * FROM decisions WHERE comment_id = ? ORDER BY id", [comment_id]))


def last(db, comment_id: int) -> dict | None:
    """The newest decision on a comment, or None."""
    rows = list(
        db.query(
            "SELECT * FROM decisions WHERE comment_id = ? ORDER BY id DESC LIMIT 1", [comment_id]
        )
    )
    return rows[0] if rows else None


def last_id(db) -> int:
    """The id of the newest decision (0 when there is none): a batch's decisions are the
    ones a request records after it."""
    return db.execute("SELECT coalesce(max(id), 0) FROM decisions").fetchone()[0]


def recorded_by(db, actor: str, after_id: int, upto_id: int) -> list[dict]:
    """The decisions `actor` recorded with ids in (after_id, upto_id], oldest first, each with
    the reason its comment had before it (`reason_before`: what an undo restores)."""
    return list(
        db.query(
            "SELECT d.id, d.comment_id, d.action, d.from_state, d.to_state, d.reason, "
            "(SELECT p.reason FROM decisions p WHERE p.comment_id = d.comment_id AND p.id < d.id "
            " ORDER BY p.id DESC LIMIT 1) AS reason_before "
            "FROM decisions d WHERE d.actor = ? AND d.id > ? AND d.id <= ? ORDER BY d.id",
            [actor, after_id, upto_id],
        )
    )
