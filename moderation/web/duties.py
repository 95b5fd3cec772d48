"""The operator's duties on the desk: the 举报 queue (comments with open reports, by count
and age, with their reasons) and its outcomes, the 申诉 list and its decisions, and what a
comment card and an author profile show of reports and IP 属地."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
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

from moderation.digits import whole_number
from moderation.export.duty_records import YEARS, export_records, filename, in_years
from moderation.roles import ADMIN, MODERATOR
from moderation.states import MODE_ACTOR, RULE_ACTOR, STATE_NAMES, STATES, SYSTEM_ACTOR
from moderation.storage import appeals, decisions, duty_records, reader_reports, regions
from moderation.storage import reasons as reason_store
from moderation.timeutil import local_today
from moderation.web.auth import current_actor, role_required
from moderation.web.conflicts import describe
from moderation.web.context import forget_counts, get_db
from moderation.web.templating import channel_labels

bp = Blueprint("duties", __name__)


def annotate(db, cards: list[dict]) -> None:
    """Give each card its IP 属地 and its report counts (templates/duties/_card_extras.html)."""
    ids = [card["id"] for card in cards]
    found_regions = regions.for_comments(db, ids)
    counts = reader_reports.counts_for(db, ids)
    for card in cards:
        card["ip_region"] = found_regions.get(card["id"])
        card["report_counts"] = counts.get(card["id"], {"open": 0, "total": 0})


def duty_counts() -> dict[str, int]:
    """Open reports (by comment) and appeals, for the navigation (called only when shown)."""
    try:
        db = get_db()
        return {"reports": reader_reports.open_count(db), "appeals": appeals.open_count(db)}
    except sqlite3.Error:  # a busy or broken database: the error page still renders
        return {}


bp.app_context_processor(lambda: {"duty_counts": duty_counts})


def waited_label(waited: timedelta) -> str:
    """How long a report has waited, as a moderator reads it: 不到 1 小时, 5 小时, 2 天 3 小时."""
    hours = int(waited.total_seconds() // 3600)
    if hours < 1:
        return "不到 1 小时"
    days, hours = divmod(hours, 24)
    return f"{days} 天 {hours} 小时" if days else f"{hours} 小时"


def actor_label(actor: str) -> str:
    """Who decided first, in words: a person's name, 系统, 规则 #12, 稿件模式."""
    if actor == SYSTEM_ACTOR:
        return "系统"
    if actor.startswith(RULE_ACTOR):
        return f"规则 #{actor.removeprefix(RULE_ACTOR)}"
    if actor.startswith(MODE_ACTOR):
        return "稿件模式"
    return actor


@bp.get("/reader-reports")
@role_required(MODERATOR)
def report_queue():
    """Comments with open reports: most reported first, then the longest waiting."""
    db = get_db()
    rows = reader_reports.queue(db)
    now = datetime.now(UTC)
    for row in rows:
        row["waited_label"] = waited_label(reader_reports.waited(row, now))
        row["overdue"] = bool(row["due_at"]) and row["due_at"] <= now.isoformat()
    annotate(db, rows)
    return render_template(
        "duties/reports.html",
        rows=rows,
        seen_decision=decisions.newest_id(db),
        reasons=list(reader_reports.REASONS),
        outcomes=reader_reports.OUTCOMES,
    )


@bp.post("/reader-reports/<int:comment_id>/outcome")
@role_required(MODERATOR)
def report_outcome(comment_id: int):
    """Close every open report on a comment: upheld (reject with the reason) or dismissed.
    A page out of date (the comment decided since, or new reports to dismiss) is a 409."""
    outcome = request.form.get("outcome", "")
    reason = request.form.get("reason") or None
    label = reader_reports.OUTCOMES.get(outcome, outcome)
    db = get_db()
    try:
        result = reader_reports.close_reports(
            db, comment_id, outcome, current_actor(), reason, _seen(), _number("seen_report")
        )
    except decisions.DecisionError:
        abort(404)
    except decisions.DecisionConflict as conflict:
        return _conflict(_decided_since(conflict, label) + "举报仍待处理。", "report_queue")
    except reader_reports.NewReports as error:
        return _conflict(f"{error}。您的“{label}”没有生效，举报仍待处理。", "report_queue")
    except reader_reports.OutcomeError as error:
        flash(f"未处理：{error}", "error")
    else:
        forget_counts()
        pushed = "，已通知网站" if result["pushed"] else ""
        flash(f"评论 #{comment_id}：{label}，关闭 {result['closed']} 条举报{pushed}。", "info")
    return redirect(url_for("duties.report_queue"))


@bp.get("/appeals")
@role_required(MODERATOR)
def appeal_list():
    """Open appeals (oldest first) and the latest decided ones."""
    db = get_db()
    open_appeals = appeals.listing(db, appeals.OPEN)
    reason_labels = reason_store.labels(db, active_only=False)
    for row in open_appeals:
        row["author_id"] = row["author_key"].split(":", 1)[-1]
        row["first_decider_label"] = actor_label(row["first_decider"])
        row["first_reason"] = reason_labels.get(row["first_reason"], row["first_reason"])
    return render_template(
        "duties/appeals.html",
        seen_decision=decisions.newest_id(db),
        open_appeals=open_appeals,
        decided=appeals.listing(db, None, limit=50),
        kinds=appeals.KINDS,
        outcomes=appeals.OUTCOMES,
        me=current_actor(),
    )


@bp.post("/appeals/<int:appeal_id>/decide")
@role_required(MODERATOR)
def decide_appeal(appeal_id: int):
    """Decide an appeal (never by whoever decided first: the storage layer refuses it)."""
    outcome = request.form.get("outcome", "")
    lift = request.form.get("lift") == "1"
    note = request.form.get("note", "")
    label = appeals.OUTCOMES.get(outcome, outcome)
    try:
        result = appeals.decide(
            get_db(),
            appeal_id,
            outcome,
            current_actor(),
            note,
            lift,
            _seen(),
            _number("seen_level"),
        )
    except decisions.DecisionConflict as conflict:
        return _conflict(_decided_since(conflict, label) + "申诉仍待复核。", "appeal_list")
    except appeals.SanctionChanged as error:
        return _conflict(f"{error}。您的“{label}”没有生效。", "appeal_list")
    except appeals.AppealError as error:
        flash(f"未处理：{error}", "error")
        return redirect(url_for("duties.appeal_list")), 303
    forget_counts()
    extra = "，已解除禁言" if result["lifted"] else ""
    pushed = "，已通知网站" if result["pushed"] else ""
    flash(f"申诉 #{appeal_id}：{appeals.OUTCOMES[outcome]}{extra}{pushed}。", "info")
    return redirect(url_for("duties.appeal_list"))


RECORDS_DAYS = 30  # the range the export form offers first: the last 30 Beijing days
RECORDS_MAX_DAYS = 366  # one download at most (built in memory); the command has no bound


@bp.get("/records")
@role_required(ADMIN)
def records():
    """The records export for an inspection (a date range -> CSV) and the past exports."""
    today = local_today()
    return _records_page(today - timedelta(days=RECORDS_DAYS - 1), today)


@bp.post("/records/export")
@role_required(ADMIN)
def records_export():
    """The CSV of the records of the Beijing days from..to, downloaded, with its own audit
    entry: the same export as `moderation records export`."""
    fields = request.form.get("from", ""), request.form.get("to", "")
    try:
        first, last = (date.fromisoformat(value) for value in fields)
    except ValueError:
        flash("请填写起止日期（如 2026-11-01）。", "error")
        return _records_page(*fields, status=400)
    if last < first:
        flash(f"截止日期 {last} 早于起始日期 {first}。", "error")
        return _records_page(first, last, status=400)
    if not (in_years(first) and in_years(last)):
        flash(f"日期须在 {YEARS.start} 年至 {YEARS.stop - 1} 年之间。", "error")
        return _records_page(first, last, status=400)
    if (last - first).days >= RECORDS_MAX_DAYS:
        flash(
            f"一次最多导出 {RECORDS_MAX_DAYS} 天，请分段导出，"
            "或在服务器上用 moderation records export。",
            "error",
        )
        return _records_page(first, last, status=400)
    name = filename(first, last)
    labels = channel_labels(current_app.config["SETTINGS"])
    data, _rows = export_records(get_db(), first, last, labels, current_actor(), f"网页下载 {name}")
    return Response(
        data,
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


def _records_page(first, last, status: int = 200):
    page = render_template(
        "duties/records.html",
        first=str(first),
        last=str(last),
        exports=duty_records.exports(get_db())[:50],
    )
    return page, status


def _number(field: str) -> int | None:
    """A non-negative whole number from the form, or None (missing or malformed)."""
    return whole_number(request.form.get(field, ""))


def _seen() -> decisions.Seen:
    """What the page showed: the comment's state (`seen`) and the newest decision it knew
    of (`seen_decision`); a field missing or malformed checks nothing of its own."""
    state = request.form.get("seen")
    return decisions.Seen(
        states=state if state in STATES else None, decision=_number("seen_decision")
    )


def _decided_since(conflict: decisions.DecisionConflict, label: str) -> str:
    """What happened since the page was drawn: '您打开页面之后，评论 #12 已由 李审核 于 …
    通过，当前状态为“已通过”。您的“举报成立”没有生效，'."""
    state = STATE_NAMES.get(conflict.current, conflict.current)
    return (
        f"您打开页面之后，评论 #{conflict.comment_id} {describe(conflict)}，"
        f"当前状态为“{state}”。您的“{label}”没有生效，"
    )


BACK = {"report_queue": "返回举报队列", "appeal_list": "返回申诉列表"}


def _conflict(message: str, back: str):
    """A 409 page: the page the moderator decided on was out of date, nothing was applied;
    what happened instead, and the way back to the list as it is now."""
    page = render_template(
        "duties/conflict.html",
        message=message,
        back=url_for(f"duties.{back}"),
        back_label=BACK[back],
    )
    return page, 409
