"""Login, logout, one's own password, and the role checks every other blueprint uses.

Every page except the login page and /healthz needs a logged-in user; every action checks
its role on the server with :func:`role_required`. Sessions end on logout, on a password,
role or state change, and a fixed time after login (see :mod:`moderation.web.sessions`).
"""

from __future__ import annotations

import functools
import math
from datetime import timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.middleware.proxy_fix import ProxyFix

from moderation.roles import ROLE_NAMES, may
from moderation.storage import login_throttle, users
from moderation.web import sessions
from moderation.web.context import get_db

bp = Blueprint("auth", __name__)
# /metrics.txt checks its own bearer token instead of a login
PUBLIC_ENDPOINTS = {
    "auth.login",
    "auth.favicon",
    "static",
    "health.healthz",
    "prometheus.metrics_text",
    "intake.receive",  # signed by the site (HMAC), no session
}


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


@bp.get("/favicon.ico")
def favicon():
    """The desk's icon for browsers that ask for /favicon.ico (pages link the SVG)."""
    return redirect(url_for("static", filename="favicon.svg"), 301)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; on POST check the password, slowing repeated failures."""
    if request.method == "GET":
        return render_template("auth/login.html", next=request.args.get("next", ""))
    name = users.normalize_name(request.form.get("name", ""))[: users.MAX_NAME_LENGTH]
    password = request.form.get("password", "")[: users.MAX_PASSWORD_LENGTH + 1]
    db = get_db()
    address = request.remote_addr or "unknown"
    wait = _admit(db, name, address)
    if wait:
        flash(f"登录失败次数过多，请 {math.ceil(wait)} 秒后再试。", "error")
        page = render_template("auth/login.html", next=request.form.get("next", ""), name=name)
        return page, 429, {"Retry-After": str(math.ceil(wait))}
    user = users.authenticate(db, name, password)
    users.record_attempt(db, name, address, ok=user is not None)
    if user is None:
        flash("用户名或密码错误。", "error")  # the name stays filled in: retype the password
        page = render_template("auth/login.html", next=request.form.get("next", ""), name=name)
        return page, 401
    login_throttle.succeeded(db, name, address)
    sessions.start(session, user)
    return redirect(safe_next(request.form.get("next")))


def _admit(db, name: str, address: str) -> float:
    """Count a password check for (name, address) and for the account; seconds to wait if
    it may not run yet."""
    limits = current_app.config["SETTINGS"].limits
    return login_throttle.admit(
        db,
        name,
        address,
        limits.login_free_failures,
        limits.login_max_delay_seconds,
        limits.login_account_free_failures,
    )


@bp.post("/logout")
def logout():
    """End the session, and every other session of this user (a saved cookie is worthless)."""
    users.end_sessions(get_db(), g.user["id"])
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def password():
    """Change one's own password (the current one is asked); other sessions end."""
    if request.method == "GET":
        return render_template("auth/password.html")
    db = get_db()
    form = request.form
    address = request.remote_addr or "unknown"
    wait = _admit(db, g.user["name"], address)
    if wait:
        flash(f"密码错误次数过多，请 {math.ceil(wait)} 秒后再试。")
    elif users.authenticate(db, g.user["name"], form.get("current", "")) is None:
        flash("当前密码不正确，请重新输入。")
    elif form.get("new", "") != form.get("confirm", ""):
        login_throttle.succeeded(db, g.user["name"], address)
        flash("两次输入的新密码不一致，请重新输入。")
    else:
        login_throttle.succeeded(db, g.user["name"], address)
        try:
            users.set_password(
                db, g.user["id"], form.get("new", ""), g.user["name"], "password_change"
            )
        except users.UserError as error:
            flash(f"新密码不符合要求：{error}")
        else:
            sessions.start(session, users.get_user_by_id(db, g.user["id"]))
            flash("密码已修改；其他设备上的登录已失效。")
            return redirect(url_for("queue.index"))
    return redirect(url_for("auth.password"))


def load_user() -> None:
    """Put the logged-in user in `g.user`; send everyone else to the login page."""
    g.user = None
    user_id = session.get("user_id")
    if user_id is not None:
        user = users.get_user_by_id(get_db(), user_id)
        hours = current_app.config["SETTINGS"].limits.session_hours
        if user and not user["disabled"] and sessions.is_current(session, user, hours):
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


def may_open(endpoint: str) -> bool:
    """Whether the signed-in user may open the page at `endpoint` (so links to pages that
    would refuse them are not shown): the view's `role_required` level, if any."""
    if not g.get("user"):
        return False
    view = current_app.view_functions.get(endpoint)
    required = getattr(view, "required_role", None)
    return view is not None and (required is None or may(g.user["role"], required))


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
    proxies = settings.limits.trusted_proxies
    if proxies:  # the client's address comes from X-Forwarded-For, set by our own proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    app.before_request(load_user)
    sessions.init_app(app)
    app.jinja_env.globals.update(
        may=lambda role: bool(g.get("user")) and may(g.user["role"], role),
        may_open=may_open,
        role_names=ROLE_NAMES,
    )
    app.register_blueprint(bp)
