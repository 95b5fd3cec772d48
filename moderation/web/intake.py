"""The signed endpoint the site and the app send to: readers' reports (举报), commenters'
appeals (申诉) and a commenter's IP (for the IP 属地).

``POST /intake/<channel>`` for a configured ``jsonfeed`` channel, signed like the desk's
pushes to the site (README, "The site's moderation endpoint"): the body is JSON, the header
``X-ZZRB-Signature: sha256=<hex>`` is HMAC-SHA256 of the exact body bytes with the
channel's shared secret (the environment variable its ``moderation_secret_env`` names).
The signature code is push.jsonfeed's own. docs/operator-duties.md has every field and a
worked example. No login session: the signature is the credential.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify, request

from moderation.push.jsonfeed import SIGNATURE_HEADER, signature
from moderation.storage import appeals, reader_reports, regions
from moderation.storage.reader_reports import IntakeError
from moderation.timeutil import parse_iso
from moderation.web.context import get_db

bp = Blueprint("intake", __name__)
MAX_BODY = 16 * 1024
MAX_TOKEN = 200
TYPES = ("report", "appeal", "comment_ip")


def channel_secret(name: str) -> str | None:
    """The shared secret of a jsonfeed channel, or None (no such channel, or no secret)."""
    settings = current_app.config["SETTINGS"]
    channel = next((c for c in settings.channels if c.name == name), None)
    if channel is None or channel.type != "jsonfeed" or channel.push is None:
        return None
    env = channel.push.moderation_secret_env
    return (os.environ.get(env, "").strip() or None) if env else None


def reader_digest(secret: str, token: str) -> str:
    """What is kept of a reader's token: keyed with the channel's secret, so it cannot be
    reversed by trying tokens, and never shown."""
    return hmac.new(secret.encode(), f"reader:{token}".encode(), hashlib.sha256).hexdigest()


def _error(message: str, status: int):
    return jsonify({"error": message}), status


@bp.post("/intake/<channel>")
def receive(channel: str):
    """Take one signed report, appeal or commenter IP from a site."""
    secret = channel_secret(channel)
    if secret is None:
        return _error("unknown channel", 404)
    if (request.content_length or 0) > MAX_BODY:
        return _error(f"body over {MAX_BODY} bytes", 413)
    body = request.get_data(cache=False)[: MAX_BODY + 1]
    if len(body) > MAX_BODY:
        return _error(f"body over {MAX_BODY} bytes", 413)
    sent = request.headers.get(SIGNATURE_HEADER, "")
    if not hmac.compare_digest(sent.encode(), signature(secret, body).encode()):
        return _error("bad signature", 401)
    try:
        fields = json.loads(body.decode("utf-8"))
        if not isinstance(fields, dict):
            raise IntakeError("the body must be a JSON object")
        return _handle(channel, secret, fields)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _error("the body is not UTF-8 JSON", 400)
    except IntakeError as error:
        return _error(str(error), error.status)


def _handle(channel: str, secret: str, fields: dict):
    settings = current_app.config["SETTINGS"]
    now = datetime.now(UTC)
    _check_timestamp(fields.get("timestamp"), now, settings.reports.clock_skew_seconds)
    kind = fields.get("type")
    if kind not in TYPES:
        raise IntakeError(f"type must be one of {', '.join(TYPES)}")
    db = get_db()
    if kind == "comment_ip":
        comment = reader_reports.comment_by_native(db, channel, _text(fields, "comment_id"))
        address = fields.get("ip")
        if not isinstance(address, str):
            raise IntakeError("ip must be a string")
        with db.atomic():
            region = regions.save_region(
                db, comment["id"], address, settings.privacy.keep_ip, "site"
            )
        return jsonify({"region": region}), 200
    limits = {
        "now": now,
        "per_hour": settings.reports.per_reporter_per_hour,
        "time_limit_hours": settings.reports.time_limit_hours,
        "text_chars": settings.reports.text_chars,
    }
    if kind == "report":
        digest = reader_digest(secret, _token(fields, "reporter"))
        stored = reader_reports.file_report(
            db,
            channel=channel,
            comment_native_id=_text(fields, "comment_id"),
            reason=fields.get("reason"),
            digest=digest,
            text=fields.get("text"),
            report_id=fields.get("report_id"),
            **limits,
        )
    else:
        digest = reader_digest(secret, _token(fields, "appellant"))
        stored = appeals.file_appeal(
            db,
            channel=channel,
            kind=fields.get("kind"),
            digest=digest,
            comment_native_id=fields.get("comment_id"),
            author_id=fields.get("author_id"),
            text=fields.get("text"),
            appeal_id=fields.get("appeal_id"),
            **limits,
        )
    status = "duplicate" if stored["duplicate"] else "received"
    return jsonify({"id": stored["id"], "status": status}), 200 if stored["duplicate"] else 201


def _check_timestamp(value, now: datetime, skew: int) -> None:
    try:
        moment = parse_iso(value[:40]) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise IntakeError("timestamp (ISO-8601 with offset) is required")
    if abs((now - moment).total_seconds()) > skew:
        raise IntakeError(f"timestamp is more than {skew} s from the desk's clock", 400)


def _text(fields: dict, key: str) -> str:
    value = fields.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
        raise IntakeError(f"{key} is required")
    return str(value).strip()[:MAX_TOKEN]


def _token(fields: dict, key: str) -> str:
    value = fields.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TOKEN:
        raise IntakeError(f"{key} (the reader's token, 1 to {MAX_TOKEN} characters) is required")
    return value.strip()
