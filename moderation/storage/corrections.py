"""Moderators' corrections (sentiment, offensive): the training data the models learn from,
and what the stored score says from then on (label and flags follow the correction at once,
and again after any rescoring)."""

from __future__ import annotations

import json

from moderation.storage import in_chunks
from moderation.timeutil import now_iso

NEGATIVE, POSITIVE = 0, 1
# table -> (flag code the correction decides, stored sentiment label per 0/1 or None, the flag
# added when the moderator says the model missed it)
_EFFECTS = {
    "sentiment_corrections": (
        "negative",
        {NEGATIVE: "negative", POSITIVE: "positive"},
        {"code": "negative", "reason": "审核员纠正为负面", "action": "review", "spans": []},
    ),
    "offensive_corrections": (
        "offensive",
        None,
        {
            "code": "offensive",
            "reason": "审核员纠正为冒犯",
            "action": "review",
            "level": "reject",
            "spans": [],
        },
    ),
}


def add_correction(db, comment_id: int, label: int, actor: str) -> int:
    """Record that a comment's sentiment is `label` (0 negative, 1 positive)."""
    return record_correction(db, "sentiment_corrections", comment_id, label, actor)


def record_correction(db, table: str, comment_id: int, label: int, actor: str) -> int:
    """Append a moderator's 0/1 label of a comment to a corrections table; return its id."""
    if label not in (0, 1):
        raise ValueError(f"label must be 0 or 1, not {label!r}")
    if db.execute("SELECT 1 FROM comments WHERE id = ?", [comment_id]).fetchone() is None:
        raise ValueError(f"no comment {comment_id}")
    with db.atomic():
        correction_id = (
            db.table(table)
            .insert({"comment_id": comment_id, "label": label, "actor": actor, "at": now_iso()})
            .last_pk
        )
        _apply(db, table, comment_id, label)
    return correction_id


def _apply(db, table: str, comment_id: int, label: int) -> None:
    """Make the comment's stored score say what the correction says: the sentiment label,
    and the flag the correction is about (removed, or added when the model missed it)."""
    code, labels, added = _EFFECTS[table]
    row = db.execute("SELECT flags FROM scores WHERE comment_id = ?", [comment_id]).fetchone()
    if row is None:
        return  # not scored yet: reapply() runs when it is
    flags = [flag for flag in json.loads(row[0] or "[]") if flag.get("code") != code]
    if label == (NEGATIVE if labels else 1):  # "it is negative" / "it is offensive"
        flags.append(added)
    codes = " ".join(sorted({flag["code"] for flag in flags}))
    db.execute(
        "UPDATE scores SET flags = ?, flag_codes = ?, label = coalesce(?, label) "
        "WHERE comment_id = ?",
        [
            json.dumps(flags, ensure_ascii=False),
            codes,
            labels[label] if labels else None,
            comment_id,
        ],
    )


def reapply(db, comment_ids: list[int]) -> None:
    """Apply each comment's latest corrections again after its score was (re)written."""
    for table in _EFFECTS:
        for chunk, marks in in_chunks(list(comment_ids)):
            latest = db.execute(
                f"SELECT comment_id, label FROM {table} WHERE id IN (SELECT max(id) FROM {table} "
                f"WHERE comment_id IN ({marks}) GROUP BY comment_id)",
                chunk,
            ).fetchall()
            for comment_id, label in latest:
                _apply(db, table, comment_id, label)


def load_corrections(db) -> list[tuple[int, str]]:
    """(label, text) per corrected comment; the latest correction of a comment wins."""
    rows = db.execute(
        "SELECT sc.label, c.text FROM sentiment_corrections sc JOIN comments c "
        "ON c.id = sc.comment_id WHERE sc.id = (SELECT MAX(id) FROM sentiment_corrections "
        "latest WHERE latest.comment_id = sc.comment_id) ORDER BY sc.id"
    )
    return [(label, text) for label, text in rows]
