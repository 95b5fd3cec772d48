"""Comments: storing collected ones without duplicates (an edit reopens a decided one)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from moderation.states import PENDING, SYSTEM_ACTOR
from moderation.storage import decisions, in_chunks, stories
from moderation.storage.storable import clean_fields
from moderation.timeutil import now_iso


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
        decisions.decide(db, [old["id"]], "reopen", SYSTEM_ACTOR, "读者修改了评论内容，需重新审核")


def _refresh(db, old: dict, comment) -> None:
    if old["likes"] != comment.likes:
        db.execute("UPDATE comments SET likes = ? WHERE id = ?", [comment.likes, old["id"]])


def get_status(db, comment_id: int) -> str:
    """A comment's current state; DecisionError if there is no such comment."""
    row = db.execute("SELECT status FROM comments WHERE id = ?", [comment_id]).fetchone()
    if row is None:
        raise decisions.DecisionError(f"no comment {comment_id}")
    return row[0]


# Decisions are made in `decisions`; these names stay for callers written before it held
# them (they add nothing: `decide` is `decisions.decide_one`).
ACTIONS = decisions.ACTIONS
DecisionError = decisions.DecisionError
DecisionConflict = decisions.DecisionConflict
decide = decisions.decide_one
decide_in_batches = decisions.decide_in_batches
statuses = decisions.statuses


def decide_many(db, comment_ids, action: str, actor: str, reason=None, seen=None) -> int:
    """`decisions.decide` for many comments; how many changed state."""
    done = decisions.decide(db, comment_ids, action, actor, reason, seen)
    return sum(1 for result in done if result["decision_id"] is not None)


COMMENT_SELECT = """
SELECT c.*, s.title AS story_title, s.canonical_id AS story_canonical_id,
       sc.sentiment, sc.label AS sentiment_label, sc.model_version, sc.flags,
       sc.flag_codes, sc.dup_group, sc.offensive
FROM comments c
LEFT JOIN stories s ON s.id = c.story_id
LEFT JOIN scores sc ON sc.comment_id = c.id
"""


def decode_comment(row: dict) -> dict:
    """A row of COMMENT_SELECT with its flags decoded from JSON (a list, empty when none)."""
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
    return decode_comment(rows[0]) if rows else None
