"""/healthz: is the database reachable, is a scheduler alive, when did each channel last work."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from flask import Blueprint, jsonify

from moderation import storage
from moderation.scheduling.runner import LEASE_NAME
from moderation.storage import channels as channel_store
from moderation.storage import leases
from moderation.web.context import get_db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """JSON health report for monitoring; 503 when the database cannot be read."""
    try:
        db = get_db()
        storage.check_readable(db)
    except sqlite3.Error:  # the message would name the file: not for anonymous callers
        return jsonify({"status": "error", "database": "unavailable"}), 503
    return jsonify(
        {
            "status": "ok",
            "database": "ok",
            "scheduler": _lease(db),
            "channels": channel_store.last_successes(db),
        }
    )


def _lease(db) -> dict | None:
    try:
        lease = leases.get(db, LEASE_NAME)
    except sqlite3.OperationalError:
        return None
    if lease is None:
        return None
    now = datetime.now(UTC)
    return {  # not the holder (host:pid): not for anonymous callers
        "age_seconds": int((now - datetime.fromisoformat(lease["acquired_at"])).total_seconds()),
        "expired": datetime.fromisoformat(lease["expires_at"]) < now,
    }
