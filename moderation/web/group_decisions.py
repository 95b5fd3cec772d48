"""Deciding a whole duplicate group from the dashboard: in short transactions, with the
progress told to the moderator, a busy database stopping it cleanly part way, and one undo
toast for the whole batch."""

from __future__ import annotations

import sqlite3

from flask import flash

from moderation.states import ACTION_NAMES
from moderation.storage import decisions
from moderation.storage.retry import is_busy
from moderation.web.review import flash_batch

KEEP_EARLIEST_REASON = "duplicate"


def decide_group(db, ids: list[int], action: str, actor: str, reason: str | None, seen=None) -> int:
    """Decide the group's comments batch by batch; return how many were processed.

    If the database stays busy part way, the batches already applied stay applied and the
    moderator is told how far it got (submitting again finishes the rest); a busy database
    before the first batch is the usual 503 "稍后重试". A member decided by someone else
    after the page was shown (`seen`) stops it before the first batch (DecisionConflict);
    between batches, it stops there and says how far it got.
    """
    progress = {"done": 0}

    def advance(done: int, _total: int) -> None:
        progress["done"] = done

    after_id = decisions.newest_id(db)
    try:
        changed = decisions.decide_in_batches(
            db, ids, action, actor, reason, progress=advance, seen=seen
        )
    except decisions.DecisionConflict:
        if not progress["done"]:
            raise
        flash(
            f"已{ACTION_NAMES[action]} {progress['done']} / {len(ids)} 条；其余有评论刚被他人处理，"
            "已停止。请刷新本组后再决定。"
        )
        return progress["done"]
    except sqlite3.OperationalError as error:
        if not is_busy(error) or not progress["done"]:
            raise
        flash(
            f"已{ACTION_NAMES[action]} {progress['done']} / {len(ids)} 条；数据库正忙，"
            "其余尚未处理，请稍后再次提交。"
        )
        return progress["done"]
    flash_batch(
        f"整组 {len(ids)} 条：已{ACTION_NAMES[action]} {changed} 条",
        after_id,
        decisions.newest_id(db),
    )
    return len(ids)


def keep_earliest(db, earliest: int, ids: list[int], actor: str, seen=None) -> int:
    """Keep the group's earliest comment (approved) and reject every copy as 重复; one undo
    toast covers both. Returns how many comments were processed. A member decided by
    someone else since the page was shown (`seen`) stops it before anything is applied
    (DecisionConflict)."""
    if seen is not None:
        decisions.check_seen(db, ids, seen)
    after_id = decisions.newest_id(db)
    kept = decisions.decide_one(db, earliest, "approve", actor, seen=seen)
    copies = [comment_id for comment_id in ids if comment_id != earliest]
    try:
        rejected = decisions.decide_in_batches(
            db, copies, "reject", actor, KEEP_EARLIEST_REASON, seen=seen
        )
    except sqlite3.OperationalError as error:
        if not is_busy(error):
            raise
        flash("数据库正忙，部分副本尚未拒绝，请稍后再次提交。")
        return 1
    approved = "保留并通过最早一条" if kept["from"] != kept["to"] else "最早一条已是通过"
    flash_batch(
        f"{approved}（#{earliest}），按“重复”拒绝副本 {rejected} 条",
        after_id,
        decisions.newest_id(db),
    )
    return len(ids)
