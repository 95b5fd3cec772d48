"""Comment moderation and aggregation for the newsroom."""

from __future__ import annotations

# The subsystems that register their settings with `moderation.declare` (channel types,
# push keys, the schedule and alert-target checks): imported with the package, so any
# settings loaded anywhere know them, and `moderation.settings` imports none of them.
from moderation import alerts, collectors  # noqa: F401
from moderation.push import actions  # noqa: F401
from moderation.resources import STATIC, TEMPLATES
from moderation.scheduling import spec  # noqa: F401


def create_app(settings=None, **overrides):
    """Build the Flask app: settings, per-request database, blueprints. No scheduler, no model.

    `settings` is a moderation.settings.Settings (default: read config.toml); `overrides`
    go into Flask's config (tests use them, e.g. TESTING=True).
    """
    from flask import Flask

    from moderation import web
    from moderation.settings import load_settings

    app = Flask(__name__, template_folder=str(TEMPLATES), static_folder=str(STATIC))
    app.config["SETTINGS"] = settings or load_settings()
    if "SECRET_KEY" in overrides:
        app.config["SECRET_KEY"] = overrides["SECRET_KEY"]
    web.init_app(app)
    app.config.update(overrides)
    return app
