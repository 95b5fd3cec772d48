"""Claims: a comment on a moderator's screen is marked as theirs for a few minutes, so that
two people do not decide the same comment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from moderation.storage import in_chunks
from moderation.timeutil import now_iso

CLAIM_MINUTES = 5


def _until(minutes: int) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat(timespec="seconds")


def claim(db, comment_ids, actor: str, minutes: int = CLAIM_MINUTES) -> set[int]:
    """Claim the comments nobody else holds; return the ids that are now `actor`'s."""
    comment_ids = list(comment_ids)
    if not comment_ids:
        return set()
    now, until = now_iso(), _until(minutes)
    with db.atomic():
        for comment_id in comment_ids:
            db.execute(
                "INSERT INTO claims (comment_id, actor, until) VALUES (?, ?, ?) "
                "ON CONFLICT (comment_id) DO UPDATE SET actor = excluded.actor, "
                "until = excluded.until WHERE claims.actor = excluded.actor OR claims.until < ?",
                [comment_id, actor, until, now],
            )
    held = active_claims(db, comment_ids)
    return {comment_id for comment_id, holder in held.items() if holder == actor}


def active_claims(db, comment_ids) -> dict[int, str]:
    """{comment id: moderator} for the comments someone is reviewing right now."""
    comment_ids = list(comment_ids)
    if not comment_ids:
        return {}
    marks = ",".join("?" * len(comment_ids))
    return dict(
        db.execute(
            f"SELECT comment_id, actor FROM claims WHERE comment_id IN ({marks}) AND until >= ?",
            [*comment_ids, now_iso()],
        ).fetchall()
    )


def release(db, comment_ids, actor: str) -> None:
    """Give up `actor`'s claims (after deciding)."""
    for chunk, marks in in_chunks(list(comment_ids)):
        db.execute(
            f"DELETE FROM claims WHERE actor = ? AND comment_id IN ({marks})", [actor, *chunk]
        )
