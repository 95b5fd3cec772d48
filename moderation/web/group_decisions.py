"""Deciding a whole duplicate group from the dashboard: in short transactions, with the
progress told to the moderator, and a busy database stopping it cleanly part way."""

from __future__ import annotations

import sqlite3

from flask import flash

from moderation.storage import decisions
from moderation.storage.retry import is_busy
from moderation.web.templating import ACTION_NAMES


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
    flash(f"整组 {len(ids)} 条已{ACTION_NAMES[action]}（其中 {changed} 条状态有变化）。")
    return len(ids)
