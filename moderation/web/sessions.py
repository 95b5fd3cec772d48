"""Sessions that end: each carries its user's session version and its login time.

The session is a signed cookie, so a copy saved before logout would stay valid; instead
each user has a version in the database, bumped by logout, a password change or reset, a
role change and disabling, which ends every cookie issued before. A session also ends a
fixed number of hours after login, however active it was (the idle limit is Flask's
PERMANENT_SESSION_LIFETIME).
"""

from __future__ import annotations

import time

from flask import g, request
from flask.sessions import SecureCookieSessionInterface

VERSION_KEY = "v"
# sent by the desk's own background fetches (claims, the side panel)
BACKGROUND_HEADER = "X-Desk-Background"
LOGIN_TIME_KEY = "born"


def start(session, user: dict) -> None:
    """Begin a fresh session for `user` (no fixation of a pre-login session)."""
    session.clear()
    session.permanent = True
    session["user_id"] = user["id"]
    session[VERSION_KEY] = user["session_version"]
    session[LOGIN_TIME_KEY] = int(time.time())


def is_current(session, user: dict, max_hours: int) -> bool:
    """Whether the session was issued for the user's current version, within max_hours."""
    born = session.get(LOGIN_TIME_KEY)
    if not isinstance(born, int) or session.get(VERSION_KEY) != user["session_version"]:
        return False
    return 0 <= time.time() - born < max_hours * 3600


def no_store(response):
    """Pages shown to a logged-in user are never kept by the browser or a proxy cache: after
    logout, Back or a shared computer must not show the queue again."""
    if g.get("user") is not None:
        response.headers["Cache-Control"] = "no-store"
    return response


class DeskSessions(SecureCookieSessionInterface):
    """Signed-cookie sessions whose background answers leave the cookie alone.

    Every answer refreshes the cookie (the idle limit slides), and each carries the whole
    session. A claim fetched when a card takes focus, or the favicon or a stylesheet the
    browser asked for late, could answer after the decision the moderator posted meanwhile,
    and its cookie, read before the decision, replaced the one carrying the decision's
    flash: the undo toast never showed. Background fetches and static files now write the
    cookie only when they changed the session; pages the moderator opens keep sliding it.
    """

    def should_set_cookie(self, app, session) -> bool:
        background = request.headers.get(BACKGROUND_HEADER) or request.endpoint == "static"
        if background and not session.modified:
            return False
        return super().should_set_cookie(app, session)


def init_app(app) -> None:
    """Install the session interface and the no-store header."""
    app.session_interface = DeskSessions()
    app.after_request(no_store)
