"""Comments: storing collected ones without duplicates, and moderation decisions."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from moderation.states import APPROVED, PENDING, REJECTED, SYSTEM_ACTOR
from moderation.storage import decisions, in_chunks, outbox, stories
from moderation.storage.storable import clean_fields
from moderation.timeutil import now_iso

ACTIONS = {"approve": APPROVED, "reject": REJECTED, "reopen": PENDING}


class DecisionError(ValueError):
    """A decision that cannot apply (unknown comment or action)."""


class DecisionConflict(Exception):
    """The comment changed state after the moderator saw it (another moderator, or the
    system, decided it meanwhile); `last` is the decision that changed it."""

    def __init__(self, current: str, last: dict | None):
        super().__init__(f"comment is {current} now")
        self.current = current
        self.last = last


@dataclass
class StoreCounts:
    """What storing one page did."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0


COMMENT_TEXT_FIELDS = (
    "native_id",
    "story_native_id",
    "text",
    "author_key",
    "author_name",
    "reply_to",
    "origin",
    "created_at",
)


def save_comments(db, channel: str, comments: Iterable, story_ids: dict[str, int]) -> StoreCounts:
    """Store collected comments: new ones as pending, changed text as an edit.

    Re-collection never resets a decision; an edited approved comment goes back to pending
    (recorded as a system decision) so nothing changed is printed unseen.
    """
    comments = [clean_fields(comment, COMMENT_TEXT_FIELDS) for comment in comments]
    counts = StoreCounts()
    if not comments:
        return counts
    existing = _existing(db, channel, [c.native_id for c in comments])
    missing_story = {c.story_native_id for c in comments} - set(story_ids)
    story_ids = {**story_ids, **stories.stories_for(db, sorted(missing_story), channel)}
    now = now_iso()
    fresh = []
    seen = set()
    for comment in comments:
        if comment.native_id in seen:
            continue  # a page repeating itself
        seen.add(comment.native_id)
        if comment.story_native_id not in story_ids:
            story_ids[comment.story_native_id] = stories.placeholder_story(
                db, channel, comment.story_native_id
            )
        old = existing.get(comment.native_id)
        if old is None:
            fresh.append(_row(channel, comment, story_ids[comment.story_native_id], now))
        elif old["text"] != comment.text:
            _store_edit(db, old, comment, now)
            counts.updated += 1
        else:
            _refresh(db, old, comment)
            counts.unchanged += 1
    if fresh:
        db.conn.executemany(_INSERT_SQL, fresh)
    counts.new = len(fresh)
    return counts


def _existing(db, channel: str, native_ids: list[str]) -> dict[str, dict]:
    found = {}
    for chunk, marks in in_chunks(native_ids):
        for row in db.query(
            f"SELECT id, native_id, text, status, likes FROM comments "
            f"WHERE channel = ? AND native_id IN ({marks})",
            [channel, *chunk],
        ):
            found[row["native_id"]] = row
    return found


_COLUMNS = (
    "channel",
    "native_id",
    "story_id",
    "author_key",
    "author_name",
    "text",
    "created_at",
    "collected_at",
    "likes",
    "reply_to",
    "origin",
    "featured",
    "status",
    "status_at",
    "truncated",
)
_INSERT_SQL = (
    f"INSERT OR IGNORE INTO comments ({', '.join(_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(_COLUMNS))})"
)


def _row(channel: str, comment, story_id: int, now: str) -> tuple:
    """A new comment's values, in ``_COLUMNS`` order (plain executemany: the ingest path)."""
    return (
        channel,
        comment.native_id,
        story_id,
        comment.author_key,
        comment.author_name,
        comment.text,
        comment.created_at,
        now,
        comment.likes,
        comment.reply_to,
        comment.origin,
        int(comment.featured),
        PENDING,
        now,
        int(comment.truncated),
    )


def _store_edit(db, old: dict, comment, now: str) -> None:
    db.table("comment_edits").insert(
        {
            "comment_id": old["id"],
            "old_text": old["text"],
            "new_text": comment.text,
            "detected_at": now,
        }
    )
    db.execute(
        "UPDATE comments SET text = ?, likes = ?, truncated = ?, edits = edits + 1 WHERE id = ?",
        [comment.text, comment.likes, int(comment.truncated), old["id"]],
    )
    db.execute("DELETE FROM scores WHERE comment_id = ?", [old["id"]])
    if old["status"] != PENDING:
        db.execute(
            "UPDATE comments SET status = ?, status_at = ? WHERE id = ?",
            [PENDING, now, old["id"]],
        )
        decision_id = decisions.record(
            db,
            old["id"],
            SYSTEM_ACTOR,
            "reopen",
            old["status"],
            PENDING,
            "读者修改了评论内容，需重新审核",
        )
        outbox.on_decision(db, decision_id, old["id"], PENDING, SYSTEM_ACTOR)


def _refresh(db, old: dict, comment) -> None:
    if old["likes"] != comment.likes:
        db.execute("UPDATE comments SET likes = ? WHERE id = ?", [comment.likes, old["id"]])


def decide(
    db, comment_id: int, action: str, actor: str, reason: str | None = None, seen=None
) -> dict:
    """Apply one moderation action and record it; deciding the same way twice is a no-op.

    `seen` is the state the moderator was shown: if the comment is in another state now,
    DecisionConflict says who changed it, and nothing is applied (check and change happen
    in one transaction, so of two moderators deciding at once the second always hears).
    """
    with db.atomic():
        if seen is not None:
            current = get_status(db, comment_id)
            if current != seen:
                raise DecisionConflict(current, decisions.last(db, comment_id))
        return _decide(db, comment_id, action, actor, reason)


def decide_many(db, comment_ids: Iterable[int], action: str, actor: str, reason=None) -> int:
    """Apply one action to many comments in one transaction: all of them or none.

    Statuses are read and written a chunk at a time (not one statement per comment), so
    the write lock is held for as short a time as the work allows.
    """
    if action not in ACTIONS:
        raise DecisionError(f"unknown action {action!r}")
    target = ACTIONS[action]
    ids = list(dict.fromkeys(comment_ids))
    with db.atomic():
        current = statuses(db, ids)
        missing = [comment_id for comment_id in ids if comment_id not in current]
        if missing:
            raise DecisionError(f"no comment {missing[0]}")
        changing = [comment_id for comment_id in ids if current[comment_id] != target]
        now = now_iso()
        db.conn.executemany(
            "UPDATE comments SET status = ?, status_at = ? WHERE id = ?",
            [(target, now, comment_id) for comment_id in changing],
        )
        decision_ids = decisions.record_many(
            db,
            [(comment_id, current[comment_id]) for comment_id in changing],
            actor,
            action,
            target,
            reason,
            now,
        )
        # The actions owed to the channels commit with the decisions, or not at all.
        for decision_id, comment_id in zip(decision_ids, changing, strict=True):
            outbox.on_decision(db, decision_id, comment_id, target, actor)
    return len(changing)


DECISION_BATCH = 200  # comments per transaction when a whole group is decided


def decide_in_batches(
    db, comment_ids: list[int], action: str, actor: str, reason=None, progress=None
) -> int:
    """Apply one action to many comments, DECISION_BATCH per transaction; return how many
    changed. Other writers get the lock between batches, so a 10,000-comment duplicate group
    never makes a colleague's decision or the collector wait long; `progress(done, total)`
    is called after each batch (a batch is applied wholly or not at all)."""
    changed = 0
    for start in range(0, len(comment_ids), DECISION_BATCH):
        batch = comment_ids[start : start + DECISION_BATCH]
        changed += decide_many(db, batch, action, actor, reason)
        if progress:
            progress(start + len(batch), len(comment_ids))
    return changed


def statuses(db, comment_ids: list[int]) -> dict[int, str]:
    """{comment id: its state} for the ids that exist."""
    found = {}
    for chunk, marks in in_chunks(comment_ids):
        found.update(
            db.conn.execute(f"SELECT id, status FROM comments WHERE id IN ({marks})", chunk)
        )
    return found


def _decide(db, comment_id: int, action: str, actor: str, reason: str | None) -> dict:
    if action not in ACTIONS:
        raise DecisionError(f"unknown action {action!r}")
    current = get_status(db, comment_id)
    target = ACTIONS[action]
    if current != target:
        db.execute(
            "UPDATE comments SET status = ?, status_at = ? WHERE id = ?",
            [target, now_iso(), comment_id],
        )
        decision_id = decisions.record(db, comment_id, actor, action, current, target, reason)
        # The action owed to the channel commits with the decision, or not at all.
        outbox.on_decision(db, decision_id, comment_id, target, actor)
    return {"id": comment_id, "from": current, "to": target}


def get_status(db, comment_id: int) -> str:
    """A comment's current state; DecisionError if there is no such comment."""
    row = db.execute("SELECT status FROM comments WHERE id = ?", [comment_id]).fetchone()
    if row is None:
        raise DecisionError(f"no comment {comment_id}")
    return row[0]


COMMENT_SELECT = """
SELECT c.*, s.title AS story_title, s.canonical_id AS story_canonical_id,
       sc.sentiment, sc.label AS sentiment_label, sc.model_version, sc.flags,
       sc.flag_codes, sc.dup_group, sc.offensive
FROM comments c
LEFT JOIN stories s ON s.id = c.story_id
LEFT JOIN scores sc ON sc.comment_id = c.id
"""


def _decode(row: dict) -> dict:
    row["flags"] = json.loads(row["flags"]) if row.get("flags") else []
    return row


def edits(db, comment_id: int) -> list[dict]:
    """Earlier texts of an edited comment, oldest first."""
    return list(
        db.query("SELECT * FROM comment_edits WHERE comment_id = ? ORDER BY id", [comment_id])
    )


def count_since(db, since: str | None = None) -> int:
    """How many comments were created on or after `since` (all of them without it)."""
    where, params = ("WHERE created_at >= ?", [since]) if since else ("", [])
    return db.execute(f"SELECT COUNT(*) FROM comments {where}", params).fetchone()[0]


def texts_after(db, last_id: int, limit: int, since: str | None = None) -> list[dict]:
    """The next `limit` comments after id `last_id` (created on or after `since`), in id
    order, with their text and author: a batch to score again."""
    where, params = ("AND created_at >= ?", [since]) if since else ("", [])
    return list(
        db.query(
            f"SELECT id, text, author_key FROM comments WHERE id > ? {where} ORDER BY id LIMIT ?",
            [last_id, *params, limit],
        )
    )


def get_comment(db, comment_id: int) -> dict | None:
    """One comment with its story title and score, or None."""
    rows = list(db.query(f"{COMMENT_SELECT} WHERE c.id = ?", [comment_id]))
    return _decode(rows[0]) if rows else None
