"""What every request of the dashboard shares: its database connection and the integer
bounds of SQLite, kept apart from the package's `__init__` (which registers the blueprints)
so a blueprint never imports the module that imports it."""

from __future__ import annotations

from flask import g
from werkzeug.routing import IntegerConverter

from moderation.db import open_db

SQLITE_MAX_INT = 2**63 - 1


def sqlite_int(value: str) -> int:
    """An integer SQLite can bind, for `request.args.get(..., type=sqlite_int)`: out of
    range raises ValueError, so the parameter counts as missing (or the form as bad)."""
    number = int(value)
    if abs(number) > SQLITE_MAX_INT:
        raise ValueError(f"{value!r} is out of range")
    return number


class RowIdConverter(IntegerConverter):
    """`<int:...>` limited to what SQLite can bind: a larger id is a 404, not a 500."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", SQLITE_MAX_INT)
        super().__init__(map, *args, **kwargs)


def get_db():
    """The request's database connection, opened on first use."""
    if "db" not in g:
        from flask import current_app

        g.db = open_db(current_app.config["SETTINGS"], migrate=False)
    return g.db


def close_db(exception=None):
    """Close the request's connection."""
    db = g.pop("db", None)
    if db is not None:
        db.close()


COUNTS_CACHE = "queue_counts"  # app.extensions key of the navigation's cached counts


def forget_counts() -> None:
    """Drop the cached queue counts after a decision (this process's own decisions)."""
    from flask import current_app

    current_app.extensions.pop(COUNTS_CACHE, None)
