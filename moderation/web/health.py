"""/healthz: is the database reachable, is a scheduler alive, when did each channel last work."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from flask import Blueprint, jsonify

from moderation.web import get_db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """JSON health report for monitoring; 503 when the database cannot be read."""
    try:
        db = get_db()
        db.execute("SELECT 1").fetchone()
    except sqlite3.Error:  # the message would name the file: not for anonymous callers
        return jsonify({"status": "error", "database": "unavailable"}), 503
    return jsonify(
        {
            "status": "ok",
            "database": "ok",
            "scheduler": _lease(db),
            "channels": _last_success(db),
        }
    )


def _lease(db) -> dict | None:
    try:
        row = db.execute(
            "SELECT holder, acquired_at, expires_at FROM scheduler_lease LIMIT 1"
        ).fetchone()
    except sqlite3.OperationalError:
        return None
    if row is None:
        return None
    _holder, acquired_at, expires_at = row  # host:pid: not for anonymous callers
    now = datetime.now(UTC)
    return {
        "age_seconds": int((now - datetime.fromisoformat(acquired_at)).total_seconds()),
        "expired": datetime.fromisoformat(expires_at) < now,
    }


def _last_success(db) -> dict:
    rows = db.execute(
        "SELECT channel, MAX(finished_at) FROM runs WHERE status = 'ok' GROUP BY channel"
    )
    return {channel: finished for channel, finished in rows}
