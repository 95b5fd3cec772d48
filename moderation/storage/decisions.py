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


def history(db, comment_id: int) -> list[dict]:
    """Every decision on a comment, oldest first."""
    return list(db.query("SELECT * FROM decisions WHERE comment_id = ? ORDER BY id", [comment_id]))
