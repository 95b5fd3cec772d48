"""The append-only audit trail: every change of a comment's state is one row, and so is
every note that changes none (a rule's hold, an editor's flag, a column action, a reply).

This is the one module that writes the ``decisions`` table. Moderation decisions (a state
change with its outbox action and the conflict check) are made by
`moderation.storage.decisions.decide`, which appends their rows here.
"""

from __future__ import annotations

from moderation.storage import by_comment, in_chunks
from moderation.timeutil import now_iso

_COLUMNS = ("comment_id", "actor", "action", "from_state", "to_state", "reason", "at")
_INSERT = f"INSERT INTO decisions ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"


def append(db, rows) -> list[int]:
    """Append decision rows, each (comment_id, actor, action, from_state, to_state, reason,
    at); return their ids in the same order (the caller holds the write transaction, so
    they follow on)."""
    rows = list(rows)
    if not rows:
        return []
    last_id = db.execute("SELECT coalesce(max(id), 0) FROM decisions").fetchone()[0]
    db.conn.executemany(_INSERT, rows)
    return list(range(last_id + 1, last_id + 1 + len(rows)))


def record(db, comment_id: int, actor: str, action: str, from_state, to_state, reason=None) -> int:
    """Append one row that is not a moderation decision (a column action, a reply, an
    editor's flag); its id. A moderation decision goes through `decisions.decide`."""
    with db.atomic():
        return append(db, [(comment_id, actor, action, from_state, to_state, reason, now_iso())])[0]


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


def newest_id(db, comment_ids=None) -> int:
    """The newest decision's id (on `comment_ids` when given; 0 when there is none): what a
    page shows is as of this decision."""
    if comment_ids is None:
        return db.execute("SELECT coalesce(max(id), 0) FROM decisions").fetchone()[0]
    newest = 0
    for chunk, marks in in_chunks(list(comment_ids)):
        found = db.execute(
            f"SELECT max(id) FROM decisions WHERE comment_id IN ({marks})", chunk
        ).fetchone()[0]
        newest = max(newest, found or 0)
    return newest


def changes_after(db, comment_ids, decision_id: int) -> dict[int, dict]:
    """{comment id: its newest state-changing decision} for the comments decided after
    decision `decision_id` (by anyone)."""
    found = by_comment(
        db,
        "SELECT * FROM decisions WHERE comment_id IN ({marks}) AND id > "
        f"{int(decision_id)} AND from_state IS NOT to_state ORDER BY id",
        comment_ids,
    )
    return {comment_id: rows[-1] for comment_id, rows in found.items() if rows}


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
