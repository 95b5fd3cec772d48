"""Login, logout, and the role checks every other blueprint uses.

Every page except the login page and /healthz needs a logged-in user; every action checks
its role on the server with :func:`role_required`.
"""

from __future__ import annotations

import functools
from datetime import timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from moderation.roles import ROLE_NAMES, may
from moderation.storage import users
from moderation.web.context import get_db

bp = Blueprint("auth", __name__)
# /metrics.txt checks its own bearer token instead of a login
PUBLIC_ENDPOINTS = {"auth.login", "static", "health.healthz", "prometheus.metrics_text"}
MAX_FAILURES = 5
THROTTLE_MINUTES = 15


def safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login: no open redirect through `next=`."""
    fallback = url_for("queue.index")
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return fallback
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; on POST check the password, throttling repeated failures."""
    if request.method == "GET":
        return render_template("auth/login.html", next=request.args.get("next", ""))
    name = request.form.get("name", "").strip()[:64]
    password = request.form.get("password", "")[:1024]
    db = get_db()
    address = request.remote_addr
    if users.recent_failures(db, name, address, THROTTLE_MINUTES) >= MAX_FAILURES:
        flash(f"登录失败次数过多，请{THROTTLE_MINUTES}分钟后再试。")
        return render_template("auth/login.html", next=request.form.get("next", "")), 429
    user = users.authenticate(db, name, password)
    users.record_attempt(db, name, address, ok=user is not None)
    if user is None:
        flash("用户名或密码错误。")
        return render_template("auth/login.html", next=request.form.get("next", "")), 401
    session.clear()  # a fresh session on login: no fixation of a pre-login session
    session.permanent = True
    session["user_id"] = user["id"]
    return redirect(safe_next(request.form.get("next")))


@bp.post("/logout")
def logout():
    """End the session."""
    session.clear()
    return redirect(url_for("auth.login"))


def load_user() -> None:
    """Put the logged-in user in `g.user`; send everyone else to the login page."""
    g.user = None
    user_id = session.get("user_id")
    if user_id is not None:
        user = users.get_user_by_id(get_db(), user_id)
        if user and not user["disabled"]:
            g.user = user
        else:
            session.clear()
    if g.user is None and request.endpoint not in PUBLIC_ENDPOINTS:
        if request.method == "GET" and request.endpoint is not None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(401)
    return None


def role_required(role: str):
    """Refuse (403) a logged-in user whose role is below `role`."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if g.get("user") is None:
                abort(401)
            if not may(g.user["role"], role):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_role = role
        return wrapped

    return decorator


def current_actor() -> str:
    """The name recorded in the audit trail for the current user."""
    return g.user["name"]


def init_app(app) -> None:
    """Session cookie settings, the login check, and role helpers for templates."""
    settings = app.config["SETTINGS"]
    app.config.update(
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.server.session_minutes),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.server.production,
        SESSION_REFRESH_EACH_REQUEST=True,
    )
    app.before_request(load_user)
    app.jinja_env.globals.update(
        may=lambda role: bool(g.get("user")) and may(g.user["role"], role), role_names=ROLE_NAMES
    )
    app.register_blueprint(bp)
