"""Thread context: the comment a reply answers, and the replies under a comment.

A reply names its parent by the parent's native id in the same channel (`reply_to`).
"""

from __future__ import annotations

REPLIES_SHOWN = 20  # per comment; the card says how many there are in all

_FIELDS = "id, channel, native_id, author_key, author_name, text, status, created_at, reply_to"


def parents(db, comments: list[dict]) -> dict[int, dict]:
    """{reply's id: the comment it answers} for the comments that are replies to a stored one."""
    found = {}
    for comment in comments:
        if not comment.get("reply_to"):
            continue
        row = db.execute(
            f"SELECT {_FIELDS} FROM comments WHERE channel = ? AND native_id = ?",
            [comment["channel"], comment["reply_to"]],
        ).fetchone()
        if row is not None:
            found[comment["id"]] = dict(zip(_FIELDS.split(", "), row, strict=True))
    return found


def replies(db, comments: list[dict], limit: int = REPLIES_SHOWN) -> dict[int, dict]:
    """{comment id: {"total": n, "shown": the first `limit` replies, oldest first}} for the
    comments that have replies."""
    found = {}
    for comment in comments:
        key = [comment["channel"], comment["native_id"]]
        total = db.execute(
            "SELECT COUNT(*) FROM comments WHERE channel = ? AND reply_to = ?", key
        ).fetchone()[0]
        if not total:
            continue
        rows = db.execute(
            f"SELECT {_FIELDS} FROM comments WHERE channel = ? AND reply_to = ? "
            "ORDER BY created_at, id LIMIT ?",
            [*key, limit],
        ).fetchall()
        found[comment["id"]] = {
            "total": total,
            "shown": [dict(zip(_FIELDS.split(", "), row, strict=True)) for row in rows],
        }
    return found
