"""The review desk's helpers around a decision: the undo toast, undo itself, and the side
panel with the focused comment's author's recent comments."""

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
from moderation.storage import decisions
from moderation.storage import queue as queue_store
from moderation.web import conflicts
from moderation.web.auth import current_actor, role_required, safe_next
from moderation.web.context import forget_counts, get_db

bp = Blueprint("review", __name__)
# Undo is a decision like any other (recorded, attributed): the action that restores a state.
RESTORING_ACTIONS = {PENDING: "reopen", APPROVED: "approve", REJECTED: "reject"}
RECENT_BY_AUTHOR = 8


def flash_decision(result: dict, action: str) -> None:
    """Queue the "done, 撤销?" toast for a decision that changed a comment's state."""
    if result["from"] != result["to"]:
        parts = (result["id"], action, result["from"], result["to"], result["decision_id"])
        flash("|".join(str(part) for part in parts), "decision")


def claims_for(user) -> bool:
    """Only moderators claim what they look at: editors and admins browse without claiming."""
    return bool(user) and user["role"] == MODERATOR


@bp.post("/comments/<int:comment_id>/undo")
@role_required(MODERATOR)
def undo(comment_id: int):
    """Put a comment back in the state it had before the last decision (a new decision)."""
    action = RESTORING_ACTIONS.get(request.form.get("state", ""))
    if action is None:
        abort(400, "unknown state")
    # what the toast showed: the state after the decision and the decision itself; a
    # colleague's decision since then stops the undo (it never reopens their work)
    seen = conflicts.seen_one()
    try:
        decisions.decide_one(get_db(), comment_id, action, current_actor(), seen=seen)
    except decisions.DecisionError:
        abort(404)
    except decisions.DecisionConflict as conflict:
        return conflicts.respond(conflict, comment_id, action, None, _back)
    from moderation.web.templating import STATE_NAMES

    state = STATE_NAMES[decisions.ACTIONS[action]]
    flash(f"已撤销：评论 #{comment_id} 恢复为“{state}”。", "info")
    return _back()


def _back():
    forget_counts()  # the counts changed
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
    return render_template("queue/_panel.html", c=comment, recent=recent)
