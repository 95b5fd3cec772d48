"""Sentiment corrections by moderators: the training data the sentiment model learns from."""

from __future__ import annotations

from moderation.timeutil import now_iso

NEGATIVE, POSITIVE = 0, 1


def add_correction(db, comment_id: int, label: int, actor: str) -> int:
    """Record that a comment's sentiment is `label` (0 negative, 1 positive)."""
    return record_correction(db, "sentiment_corrections", comment_id, label, actor)


def record_correction(db, table: str, comment_id: int, label: int, actor: str) -> int:
    """Append a moderator's 0/1 label of a comment to a corrections table; return its id."""
    if label not in (0, 1):
        raise ValueError(f"label must be 0 or 1, not {label!r}")
    if db.execute("SELECT 1 FROM comments WHERE id = ?", [comment_id]).fetchone() is None:
        raise ValueError(f"no comment {comment_id}")
    return (
        db.table(table)
        .insert({"comment_id": comment_id, "label": label, "actor": actor, "at": now_iso()})
        .last_pk
    )


def load_corrections(db) -> list[tuple[int, str]]:
    """(label, text) per corrected comment; the latest correction of a comment wins."""
    rows = db.execute(
        "SELECT sc.label, c.text FROM sentiment_corrections sc JOIN comments c "
        "ON c.id = sc.comment_id WHERE sc.id = (SELECT MAX(id) FROM sentiment_corrections "
        "latest WHERE latest.comment_id = sc.comment_id) ORDER BY sc.id"
    )
    return [(label, text) for label, text in rows]
