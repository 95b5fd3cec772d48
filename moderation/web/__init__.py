"""The moderators' dashboard: one blueprint per area."""

from __future__ import annotations

import os
import secrets

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from moderation import secret_keys
from moderation.web.context import RowIdConverter, close_db

csrf = CSRFProtect()


def secret_key(settings) -> str:
    """The session signing key from the environment.

    A key that is given must be strong, in production or not: a weak one is guessed offline
    from one cookie. With none given a random key is generated once and kept in the data
    folder (logins survive a restart); production refuses to start without a configured one.
    """
    key = os.environ.get(settings.server.secret_key_env)
    if key or settings.server.production:
        problem = secret_keys.refusal(settings.server.secret_key_env, key)
        if problem:
            raise RuntimeError(problem)
        return key
    path = settings.data_path / "dev-secret-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def blueprints() -> list:
    """Every area's blueprint, registered in this order (add new areas here)."""
    from moderation.web import (
        admin,
        alerts,
        authors,
        channels,
        column,
        drafts,
        duties,
        health,
        intake,
        metrics,
        modes,
        overview,
        prometheus,
        push,
        queue,
        ranking,
        reasons,
        reports,
        review,
        rules,
        search,
        stories,
        wordlists,
    )

    return [
        queue.bp,
        review.bp,
        search.bp,
        stories.bp,
        overview.bp,
        metrics.bp,
        alerts.bp,
        reports.bp,
        column.bp,
        drafts.bp,
        ranking.bp,
        channels.bp,
        push.bp,
        admin.bp,
        wordlists.bp,
        rules.bp,
        authors.bp,
        modes.bp,
        reasons.bp,
        health.bp,
        prometheus.bp,
        duties.bp,
        intake.bp,
    ]


def init_app(app: Flask) -> None:
    """Register blueprints, CSRF protection, security headers and the database teardown."""
    from moderation.web import auth, busy, errors, security, templating

    settings = app.config["SETTINGS"]
    app.url_map.converters["int"] = RowIdConverter
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(settings)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)
    app.teardown_appcontext(close_db)
    security.init_app(app)
    errors.init_app(app)
    busy.init_app(app)
    auth.init_app(app)
    templating.init_app(app)
    for blueprint in blueprints():
        app.register_blueprint(blueprint)
    csrf.exempt("moderation.web.intake.receive")  # signed by the site, no session
