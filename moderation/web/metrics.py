"""Desk metrics: how fast the queue moves and who decided what, as charts and CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

from flask import Blueprint, Response, abort, current_app, render_template, request

from moderation.desk_metrics import desk_metrics
from moderation.export.records import neutralise
from moderation.opinion_metrics import Thresholds, opinion_table
from moderation.roles import EDITOR
from moderation.storage import reader_reports, signal_agreement
from moderation.timeutil import local_today
from moderation.web import charts
from moderation.web.auth import role_required
from moderation.web.context import get_db
from moderation.web.templating import channel_labels

bp = Blueprint("metrics", __name__)
PERIODS = {"day": "按日", "week": "按周", "month": "按月"}
MAX_DAYS = 366
CSV_TABLES = {
    "moderators": ("by_moderator", ["period", "actor", "approve", "reject", "total"]),
    "queue_age": ("queue_age", ["day", "p50_minutes", "p95_minutes"]),
    "decision_delay": ("decision_delay", ["day", "count", "p50_minutes", "p95_minutes"]),
    "automatic": ("automatic", ["period", "automatic", "people", "share"]),
    "corrections": ("corrections", ["period", "reversals", "labels"]),
    "backlog": ("backlog", ["channel", "pending", "oldest"]),
}


def _range() -> tuple[date, date, str]:
    """The requested Beijing days (default: the last 14) and period; 400 when nonsense."""
    today = local_today()
    try:
        last = date.fromisoformat(request.args.get("to") or today.isoformat())
        first = date.fromisoformat(
            request.args.get("from") or (last - timedelta(days=13)).isoformat()
        )
    except ValueError:
        abort(400, "日期格式应为 2024-01-25")
    period = request.args.get("period", "day")
    if period not in PERIODS or first > last or (last - first).days >= MAX_DAYS:
        abort(400, f"请选择不超过 {MAX_DAYS} 天的日期范围，周期为按日、按周或按月")
    return first, last, period


@bp.get("/metrics")
@role_required(EDITOR)
def index():
    """Queue age, time to decision, workload per moderator, rules vs people, corrections."""
    first, last, period = _range()
    figures = desk_metrics(get_db(), first, last, period)
    days = charts.day_labels([row["day"] for row in figures.queue_age])
    periods, per_moderator = charts.pivot(figures.by_moderator, "period", "actor", "total")
    shown = [
        charts.line_chart(
            days,
            {
                "中位数": [r["p50_minutes"] for r in figures.queue_age],
                "P95": [r["p95_minutes"] for r in figures.queue_age],
            },
            "待审等待时长（每小时读数）",
            "分钟",
        ),
        charts.line_chart(
            charts.day_labels([row["day"] for row in figures.decision_delay]),
            {
                "中位数": [r["p50_minutes"] for r in figures.decision_delay],
                "P95": [r["p95_minutes"] for r in figures.decision_delay],
            },
            "从采集到首次决定",
            "分钟",
        ),
        charts.stacked_bars(periods, per_moderator, f"审核量（{PERIODS[period]}，按审核员）", "条"),
        charts.line_chart(
            [row["period"] for row in figures.automatic],
            {"规则自动决定占比": [row["share"] for row in figures.automatic]},
            "规则与人工",
            "",
            y_max=1,
            percent=True,
        ),
    ]
    return render_template(
        "metrics/index.html",
        figures=figures,
        charts=shown,
        period=period,
        periods=PERIODS,
        agreement=signal_agreement.report(get_db()),
        report_figures=reader_reports.metrics(get_db(), datetime.now(UTC)),
        opinions=_opinions(first, last),
    )


def _opinions(first: date, last: date) -> list[dict]:
    """The second-opinion table: each provider beside the built-in models."""
    settings = current_app.config["SETTINGS"]
    providers = {n: p.shown for n, p in settings.second_opinion.provider_settings().items()}
    thresholds = Thresholds(
        settings.scoring.offensive_review_above, settings.scoring.negative_below
    )
    return opinion_table(get_db(), providers, thresholds, first, last)


@bp.get(f"/metrics/<any({', '.join(CSV_TABLES)}):name>.csv")
@role_required(EDITOR)
def export_csv(name: str):
    """One table of the metrics page as CSV (UTF-8 with BOM, formulas neutralised)."""
    first, last, period = _range()
    attribute, columns = CSV_TABLES[name]
    rows = getattr(desk_metrics(get_db(), first, last, period), attribute)
    labels = channel_labels(current_app.config["SETTINGS"])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        values = {**row, "channel": labels.get(row.get("channel"), row.get("channel"))}
        writer.writerow([neutralise(values[column]) for column in columns])
    filename = f"metrics-{name}-{first.isoformat()}-{last.isoformat()}.csv"
    return Response(
        out.getvalue().encode("utf-8-sig"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
