"""The review desk's helpers around a decision: the undo toasts (one comment, or a bulk or
group batch), undo itself, and the side panel with the focused comment's author's recent
comments and its thread."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from moderation.roles import MODERATOR
from moderation.states import APPROVED, PENDING, REJECTED
from moderation.storage import claims as claim_store
from moderation.storage import comments as comment_store
from moderation.storage import decision_log, decisions
from moderation.storage import queue as queue_store
from moderation.web import conflicts
from moderation.web.auth import current_actor, role_required, safe_next
from moderation.web.context import forget_counts, get_db
from moderation.web.threads import annotate_threads

bp = Blueprint("review", __name__)
# Undo is a decision like any other (recorded, attributed): the action that restores a state.
RESTORING_ACTIONS = {PENDING: "reopen", APPROVED: "approve", REJECTED: "reject"}
RECENT_BY_AUTHOR = 8


def flash_decision(result: dict, action: str) -> None:
    """Queue the "done, 撤销?" toast for a decision that changed a comment's state."""
    if result["from"] != result["to"]:
        parts = (result["id"], action, result["from"], result["to"], result["decision_id"])
        flash("|".join(str(part) for part in parts), "decision")


def flash_batch(words: str, after_id: int, upto_id: int) -> None:
    """Queue the "已通过 N 条 · 撤销" toast for a bulk or group decision: `words` says what was
    done, and the decisions this moderator recorded in (after_id, upto_id] are what 撤销 undoes."""
    if upto_id > after_id:
        flash(f"{words}|{after_id}|{upto_id}", "batch")
    else:
        flash(f"{words}（没有评论的状态需要改变）", "info")


def claims_for(user) -> bool:
    """Only moderators claim what they look at: editors and admins browse without claiming."""
    return bool(user) and user["role"] == MODERATOR


@bp.post("/comments/<int:comment_id>/undo")
@role_required(MODERATOR)
def undo(comment_id: int):
    """Put a comment back in the state it had before the last decision (a new decision)."""
    action = RESTORING_ACTIONS.get(request.form.get("state", ""))
    if action is None:
        abort(400, "撤销的状态不对，请从提示条上的“撤销”按钮操作。")
    # what the toast showed: the state after the decision and the decision itself; a
    # colleague's decision since then stops the undo (it never reopens their work)
    seen = conflicts.seen_one()
    db = get_db()
    reason = None
    if action == "reject":  # back to rejected, for the reason it had
        earlier = decisions.history(db, comment_id)
        reason = earlier[-2]["reason"] if len(earlier) >= 2 else None
    try:
        decisions.decide_one(db, comment_id, action, current_actor(), reason, seen)
    except decisions.DecisionError:
        abort(404)
    except decisions.DecisionConflict as conflict:
        return conflicts.respond(conflict, comment_id, action, None, _back)
    from moderation.states import STATE_NAMES

    state = STATE_NAMES[decisions.ACTIONS[action]]
    flash(f"已撤销：评论 #{comment_id} 恢复为“{state}”。", "info")
    return _back()


def _back():
    forget_counts()  # the counts changed
    target = request.form.get("next")
    return redirect(safe_next(target) if target else url_for("queue.index"))


@bp.post("/batches/undo")
@role_required(MODERATOR)
def undo_batch():
    """Undo exactly one bulk or group decision: each comment it changed goes back to the
    state (and reason) it had, as new recorded decisions; comments decided again since are
    left as they are, and the toast says how many."""
    after_id = request.form.get("after", type=int)
    upto_id = request.form.get("upto", type=int)
    if after_id is None or upto_id is None or not 0 <= after_id < upto_id:
        abort(400, "撤销的范围不对，请从提示条上的“撤销”按钮操作。")
    db = get_db()
    recorded = decision_log.recorded_by(db, current_actor(), after_id, upto_id)
    ids = [row["comment_id"] for row in recorded]
    now = decisions.statuses(db, ids)
    later = decision_log.changes_after(db, ids, upto_id)  # anyone's decision since the batch
    restore: dict[tuple[str, str | None], list[int]] = {}
    for row in recorded:
        if now.get(row["comment_id"]) != row["to_state"] or row["comment_id"] in later:
            continue  # decided again since (or undone already): not ours to put back
        action = RESTORING_ACTIONS.get(row["from_state"])
        reason = row["reason_before"] if action == "reject" else None
        restore.setdefault((action, reason), []).append(row["comment_id"])
    undone = 0
    shown = decisions.Seen(
        states={row["comment_id"]: row["to_state"] for row in recorded}, decision=upto_id
    )
    try:
        for (action, reason), ids in restore.items():
            undone += decisions.decide_in_batches(
                db, ids, action, current_actor(), reason, seen=shown
            )
    except decisions.DecisionConflict as conflict:  # decided by someone between read and write
        flash(f"评论 #{conflict.comment_id} 刚被改动，已撤销 {undone} 条；请刷新后再试。", "error")
        return redirect(safe_next(request.form.get("next") or "") or url_for("queue.index"))
    claim_store.release(db, [row["comment_id"] for row in recorded], current_actor())
    forget_counts()
    skipped = len(recorded) - undone
    note = f"；{skipped} 条之后又被改动过，保持不变" if skipped else ""
    flash(f"已撤销：{undone} 条评论恢复为之前的状态{note}。", "info")
    target = request.form.get("next")
    return redirect(safe_next(target) if target else url_for("queue.index"))


@bp.get("/comments/<int:comment_id>/panel")
def panel(comment_id: int):
    """The side panel of the two-pane desk: the comment's author's recent comments.

    Opening it is looking at the comment, so a moderator claims it here too.
    """
    db = get_db()
    comment = comment_store.get_comment(db, comment_id)
    if comment is None:
        abort(404)
    if claims_for(g.user):
        claim_store.claim(db, [comment_id], current_actor())
    recent, _ = queue_store.list_queue(
        db,
        queue_store.QueueFilter(queue="all", author_key=comment["author_key"]),
        "newest",
        limit=RECENT_BY_AUTHOR + 1,
    )
    recent = [row for row in recent if row["id"] != comment_id][:RECENT_BY_AUTHOR]
    annotate_threads(db, [comment])
    return render_template("queue/_panel.html", c=comment, recent=recent)
