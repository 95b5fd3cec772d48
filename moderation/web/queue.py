"""The review queue: pending comments, approve/reject, the approved list and its export."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)

from moderation.export.column_builder import approved_column_text
from moderation.roles import EDITOR, MODERATOR
from moderation.states import APPROVED, PENDING, REJECT_REASONS
from moderation.storage import comments as comment_store
from moderation.web import get_db
from moderation.web.auth import current_actor, role_required

bp = Blueprint("queue", __name__)
PAGE_SIZE = 50


@bp.get("/")
def index():
    """Pending comments, newest first."""
    return _listing(PENDING, "queue/index.html")


@bp.get("/approved")
def approved():
    """Approved comments, ready for the column."""
    return _listing(APPROVED, "queue/approved.html")


def _listing(status: str, template: str):
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    db = get_db()
    items = comment_store.list_comments(db, status, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return render_template(
        template,
        comments=items,
        counts=comment_store.count_by_status(db),
        page=page,
        page_size=PAGE_SIZE,
        reasons=REJECT_REASONS,
    )


@bp.post("/comments/<int:comment_id>/<any(approve, reject, reopen):action>")
@role_required(MODERATOR)
def decide(comment_id: int, action: str):
    """Approve or reject one comment, then go back to the list it came from."""
    reason = request.form.get("reason") or None
    if reason is not None and reason not in REJECT_REASONS:
        abort(400, "unknown reason")
    try:
        comment_store.decide(get_db(), comment_id, action, actor=current_actor(), reason=reason)
    except comment_store.DecisionError:
        abort(404)
    return redirect(url_for("queue.approved" if action == "reopen" else "queue.index"))


@bp.get("/export/column.txt")
@role_required(EDITOR)
def export_column():
    """Download the column text of everything approved."""
    settings = current_app.config["SETTINGS"]
    text = approved_column_text(get_db(), settings.export.column_title, request.args.get("until"))
    return Response(
        text.encode("utf-8"),
        content_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": "attachment; filename=column.txt"},
    )
