"""Comment moderation and aggregation for the newsroom."""

from __future__ import annotations

# The subsystems that register what the settings check with `moderation.declare` (channel
# types and their keys, the [push] and [second_opinion] sections, the schedule and
# alert-target checks): imported with the package, so settings loaded anywhere know them and
# `moderation.settings` imports none of them.
import moderation.alerts  # noqa: F401
import moderation.collectors  # noqa: F401
import moderation.push.actions  # noqa: F401
import moderation.scheduling.spec  # noqa: F401
import moderation.second_opinion.config  # noqa: F401
from moderation.resources import STATIC, TEMPLATES


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
