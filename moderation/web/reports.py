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
from moderation.export.report_archive import generate_report
from moderation.roles import EDITOR
from moderation.storage import reports as store
from moderation.timeutil import BEIJING
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
    """Every archived report, newest period first, and a form to make one."""
    yesterday = datetime.now(BEIJING).date() - timedelta(days=1)
    return render_template(
        "reports/index.html", reports=store.list_reports(get_db()), yesterday=yesterday
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
    report_id = generate_report(
        get_db(),
        kind,
        day,
        current_actor(),
        keywords=keywords_for(current_app.config["SETTINGS"].data_path),
    )
    flash("报告已生成并存档。")
    return redirect(url_for("reports.index", _anchor=f"report-{report_id}"))


@bp.get("/reports/<int:report_id>.<any(docx, html):fmt>")
@role_required(EDITOR)
def download(report_id: int, fmt: str):
    """One archived report as DOCX or HTML."""
    report = store.get_report(get_db(), report_id)
    if report is None:
        abort(404)
    filename = f"{filename_stem(report['kind'], report['last_day'])}.{fmt}"
    return Response(
        report[fmt],
        mimetype=MEDIA[fmt],
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        },
    )
