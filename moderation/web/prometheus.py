"""/metrics.txt: the service's state in Prometheus' text format, for operators' monitoring.

Off unless `[alerts] metrics_token_env` names an environment variable holding a token;
every scrape must send it as `Authorization: Bearer <token>`. No login session needed.
"""

from __future__ import annotations

import hmac
import os
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, current_app, request

from moderation.opinion_metrics import prometheus_lines
from moderation.storage import metrics as store
from moderation.storage import reader_reports as reports
from moderation.timeutil import parse_iso
from moderation.web.context import get_db

bp = Blueprint("prometheus", __name__)


def _authorised() -> bool:
    name = current_app.config["SETTINGS"].alerts.metrics_token_env
    token = os.environ.get(name, "") if name else ""
    if not token:
        abort(404)  # the endpoint is off: look like any unknown page
    sent = request.headers.get("Authorization", "")
    return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())


def _label(value: str) -> str:
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _seconds_since(text: str | None, now: datetime) -> float:
    moment = parse_iso(text)
    return round((now - moment).total_seconds(), 1) if moment else -1.0


def exposition(counts: dict, now: datetime) -> str:
    """The counts as Prometheus text exposition format 0.0.4."""
    lines = [
        "# HELP moderation_queue_pending Comments waiting for a decision.",
        "# TYPE moderation_queue_pending gauge",
        f"moderation_queue_pending {counts['pending']}",
        "# HELP moderation_scoring_backlog Collected comments not yet scored.",
        "# TYPE moderation_scoring_backlog gauge",
        f"moderation_scoring_backlog {counts['unscored']}",
        "# HELP moderation_scoring_lag_seconds Age of the oldest unscored comment (-1: none).",
        "# TYPE moderation_scoring_lag_seconds gauge",
        f"moderation_scoring_lag_seconds {_seconds_since(counts['oldest_unscored'], now)}",
        "# HELP moderation_collect_runs_total Collection runs by channel and outcome.",
        "# TYPE moderation_collect_runs_total counter",
    ]
    for channel, status, number in counts["runs"]:
        lines.append(
            f'moderation_collect_runs_total{{channel="{_label(channel)}",status="{_label(status)}"}}'
            f" {number}"
        )
    lines += [
        "# HELP moderation_channel_failures Consecutive failed runs of a channel.",
        "# TYPE moderation_channel_failures gauge",
    ]
    for channel in counts["channels"]:
        lines.append(
            f'moderation_channel_failures{{channel="{_label(channel["name"])}"}} '
            f"{channel['failures']}"
        )
    lines += [
        "# HELP moderation_channel_last_success_seconds Seconds since a channel's last good run.",
        "# TYPE moderation_channel_last_success_seconds gauge",
    ]
    for channel in counts["channels"]:
        lines.append(
            f'moderation_channel_last_success_seconds{{channel="{_label(channel["name"])}"}} '
            f"{_seconds_since(channel['last_ok_at'], now)}"
        )
    lines += [
        "# HELP moderation_alert_deliveries Alert and report deliveries by target and state.",
        "# TYPE moderation_alert_deliveries gauge",
    ]
    for target, state, number in counts["deliveries"]:
        lines.append(
            f'moderation_alert_deliveries{{target="{_label(target)}",state="{_label(state)}"}}'
            f" {number}"
        )
    return "\n".join(lines + report_lines(counts.get("reader_reports"))) + "\n"


def report_lines(reports: dict | None) -> list[str]:
    """Readers' reports: received, handled, handled within the time limit, upheld share."""
    if reports is None:
        return []
    return [
        "# HELP moderation_reader_reports_received_total Readers' reports received.",
        "# TYPE moderation_reader_reports_received_total counter",
        f"moderation_reader_reports_received_total {reports['received']}",
        "# HELP moderation_reader_reports_handled_total Reports closed by an outcome.",
        "# TYPE moderation_reader_reports_handled_total counter",
        f"moderation_reader_reports_handled_total {reports['handled']}",
        "# HELP moderation_reader_reports_handled_in_time_total Closed within their time limit.",
        "# TYPE moderation_reader_reports_handled_in_time_total counter",
        f"moderation_reader_reports_handled_in_time_total {reports['handled_in_time']}",
        "# HELP moderation_reader_reports_overdue Open reports past their time limit.",
        "# TYPE moderation_reader_reports_overdue gauge",
        f"moderation_reader_reports_overdue {reports['overdue']}",
        "# HELP moderation_reader_reports_upheld_share Upheld share of the handled reports.",
        "# TYPE moderation_reader_reports_upheld_share gauge",
        f"moderation_reader_reports_upheld_share {round(reports['upheld_share'], 4)}",
    ]


@bp.get("/metrics.txt")
def metrics_text():
    """The scrape; 401 without the right bearer token, 404 when not enabled."""
    if not _authorised():
        return Response("unauthorised\n", status=401, headers={"WWW-Authenticate": "Bearer"})
    now = datetime.now(UTC)
    counts = {
        **store.operational_counts(get_db()),
        "reader_reports": reports.metrics(get_db(), now),
    }
    text = exposition(counts, now)
    text += prometheus_lines(get_db())  # second opinions, per provider
    return Response(
        text,
        mimetype="text/plain",
        headers={"Cache-Control": "no-store"},
        content_type="text/plain; version=0.0.4; charset=utf-8",
    )
