"""Rejection reasons in the dashboard: admins add, rename, explain and retire them; every
page's reason pickers read the managed list."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from moderation.roles import ADMIN
from moderation.storage import reasons
from moderation.web.auth import current_actor, role_required
from moderation.web.context import get_db

bp = Blueprint("reasons", __name__, url_prefix="/admin/reasons")


@bp.get("")
@role_required(ADMIN)
def index():
    """Every reason, retired ones too, with the form to add one."""
    return render_template("admin/reasons.html", reasons=reasons.list_reasons(get_db()))


@bp.post("")
@role_required(ADMIN)
def save():
    """Add a reason, or change the label, explanation or flags of one."""
    form = request.form
    try:
        reasons.save_reason(
            get_db(),
            form.get("code", "").strip(),
            form.get("label", ""),
            form.get("explanation", ""),
            form.get("flag_codes", ""),
            current_actor(),
        )
    except reasons.ReasonError as error:
        flash(f"未能保存：{error}。")
    else:
        flash("拒绝原因已保存。")
    return redirect(url_for("reasons.index"))


@bp.post("/<code>/<any(retire, restore):change>")
@role_required(ADMIN)
def switch(code: str, change: str):
    """Retire a reason (no longer offered; past decisions keep it) or offer it again."""
    if not reasons.set_active(get_db(), code, change == "restore"):
        abort(404)
    flash("已停用这个原因。" if change == "retire" else "已恢复这个原因。")
    return redirect(url_for("reasons.index"))


@bp.app_context_processor
def managed_reasons():
    """The active reasons, in order, as `reject_reasons` for every logged-in page."""
    if not g.get("user"):
        return {}
    return {"reject_reasons": reasons.labels(get_db())}
