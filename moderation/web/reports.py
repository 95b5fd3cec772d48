"""舆情 reports in the dashboard: the archive, generating one on demand, downloads."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from moderation.export.report import filename_stem, keywords_for
from moderation.export.report_archive import ASSESSMENT_LIMIT, generate_report, report_options
from moderation.roles import EDITOR
from moderation.storage import alerts as alert_store
from moderation.storage import reports as store
from moderation.timeutil import BEIJING, iso, local_today, now_iso
from moderation.web.auth import current_actor, role_required
from moderation.web.context import get_db

bp = Blueprint("reports", __name__)
MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
}


@bp.get("/reports")
@role_required(EDITOR)
def index():
    """Every archived report, newest period first, and a form to make one (offered for
    yesterday, or the last day with comments when yesterday had none)."""
    today = local_today()
    start_of_today = datetime.combine(today, datetime.min.time(), BEIJING)
    last = store.last_comment_day(get_db(), iso(start_of_today))
    yesterday = today - timedelta(days=1)
    return render_template(
        "reports/index.html",
        reports=store.list_reports(get_db()),
        yesterday=min(date.fromisoformat(last), yesterday) if last else yesterday,
        targets=current_app.config["SETTINGS"].alerts.report_targets,
        assessment_limit=ASSESSMENT_LIMIT,
    )


@bp.post("/reports")
@role_required(EDITOR)
def generate():
    """Generate (or regenerate) the daily or weekly report ending on a day, and archive it."""
    kind = request.form.get("kind")
    try:
        day = date.fromisoformat(request.form.get("date", ""))
    except ValueError:
        flash("日期格式应为 2024-01-25。", "error")
        return redirect(url_for("reports.index"))
    if kind not in ("daily", "weekly"):
        abort(400, "报告类型应为日报或周报")
    report_id = _generate(kind, day)
    flash("报告已生成并存档。")
    return redirect(url_for("reports.index", _anchor=f"report-{report_id}"))


def _generate(kind: str, day: date, assessment: str | None = None) -> int:
    settings = current_app.config["SETTINGS"]
    return generate_report(
        get_db(),
        kind,
        day,
        current_actor(),
        keywords=keywords_for(settings.data_path),
        assessment=assessment,
        **report_options(settings),
    )


def _archived(report_id: int) -> dict:
    report = store.get_report(get_db(), report_id)
    if report is None:
        abort(404)
    return report


@bp.post("/reports/<int:report_id>/assessment")
@role_required(EDITOR)
def assess(report_id: int):
    """Write the report's 研判与建议 and regenerate its files with it (before sending)."""
    report = _archived(report_id)
    text = request.form.get("assessment", "")
    if len(text) > ASSESSMENT_LIMIT:
        flash(f"研判与建议最多 {ASSESSMENT_LIMIT} 字，未保存。", "error")
        return redirect(url_for("reports.index", _anchor=f"report-{report_id}"))
    new_id = _generate(report["kind"], date.fromisoformat(report["last_day"]), text)
    flash("研判与建议已保存，报告已重新生成。" if text.strip() else "已删除研判与建议。")
    return redirect(url_for("reports.index", _anchor=f"report-{new_id}"))


@bp.post("/reports/<int:report_id>/send")
@role_required(EDITOR)
def send(report_id: int):
    """Queue the archived report to the configured report targets (sent within a minute)."""
    _archived(report_id)
    targets = current_app.config["SETTINGS"].alerts.report_targets
    if not targets:
        flash("config.toml 的 [alerts] report_targets 未设置推送目标，无法发送。", "error")
        return redirect(url_for("reports.index"))
    alert_store.queue_report_deliveries(get_db(), report_id, targets, now_iso())
    flash(f"已排队发送到：{'、'.join(targets)}（一分钟内送出）。")
    return redirect(url_for("reports.index", _anchor=f"report-{report_id}"))


@bp.get("/reports/<int:report_id>.<any(docx, html):fmt>")
@role_required(EDITOR)
def download(report_id: int, fmt: str):
    """One archived report: the DOCX downloads, the HTML opens in the browser."""
    report = _archived(report_id)
    filename = f"{filename_stem(report['kind'], report['last_day'])}.{fmt}"
    disposition = "inline" if fmt == "html" else "attachment"
    return Response(
        report[fmt],
        mimetype=MEDIA[fmt],
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(filename)}",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        },
    )
