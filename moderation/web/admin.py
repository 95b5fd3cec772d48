"""User administration: list accounts, add one, change a role, reset a password, disable or
re-enable; every change ends the account's sessions and is audited."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from moderation.roles import ADMIN, ROLES
from moderation.storage import users
from moderation.web.auth import role_required
from moderation.web.context import get_db

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@role_required(ADMIN)
def user_list():
    """Every account with its role and state."""
    db = get_db()
    return render_template(
        "admin/users.html",
        users=users.list_users(db),
        roles=ROLES,
        events=users.recent_account_events(db),
    )


@bp.post("/users")
@role_required(ADMIN)
def add_user():
    """Create an account."""
    form = request.form
    try:
        users.add_user(
            get_db(),
            form.get("name", ""),
            form.get("role", ""),
            form.get("password", ""),
            actor=g.user["name"],
        )
    except users.UserError as error:
        flash(f"无法创建用户：{error}")
    else:
        flash("用户已创建。")
    return redirect(url_for("admin.user_list"))


@bp.post("/users/<int:user_id>/role")
@role_required(ADMIN)
def change_role(user_id: int):
    """Give an account another role (not one's own: an admin cannot lock themselves out)."""
    _not_self(user_id)
    try:
        users.set_role(get_db(), user_id, request.form.get("role", ""), g.user["name"])
    except users.UserError as error:
        abort(400, str(error))
    flash("角色已修改。")
    return redirect(url_for("admin.user_list"))


@bp.post("/users/<int:user_id>/<any(disable, enable):change>")
@role_required(ADMIN)
def set_disabled(user_id: int, change: str):
    """Disable an account (logged out on its next request) or enable it again."""
    _not_self(user_id)
    users.set_disabled(get_db(), user_id, change == "disable", g.user["name"])
    flash("已停用。" if change == "disable" else "已启用。")
    return redirect(url_for("admin.user_list"))


@bp.post("/users/<int:user_id>/password")
@role_required(ADMIN)
def reset_password(user_id: int):
    """Set a new password for an account (one's own is changed on the account page)."""
    _not_self(user_id)
    try:
        users.set_password(
            get_db(), user_id, request.form.get("password", ""), g.user["name"], "password_reset"
        )
    except users.UserError as error:
        flash(f"无法重置密码：{error}")
    else:
        flash("密码已重置；该用户的所有登录已失效，请把新密码当面告知本人。")
    return redirect(url_for("admin.user_list"))


def _not_self(user_id: int) -> None:
    if users.get_user_by_id(get_db(), user_id) is None:
        abort(404)
    if user_id == g.user["id"]:
        abort(400, "不能修改自己的账户")
