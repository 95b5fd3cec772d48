"""The operator's duties on the desk: the 举报 queue (comments with open reports, by count
and age, with their reasons) and its outcomes, the 申诉 list and its decisions, and what a
comment card and an author profile show of reports and IP 属地."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from moderation.roles import MODERATOR
from moderation.storage import appeals, comments, reader_reports, regions
from moderation.web.auth import current_actor, role_required
from moderation.web.context import forget_counts, get_db

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


@bp.get("/reader-reports")
@role_required(MODERATOR)
def report_queue():
    """Comments with open reports: most reported first, then the longest waiting."""
    db = get_db()
    rows = reader_reports.queue(db)
    now = datetime.now(UTC)
    for row in rows:
        row["waited_hours"] = int(reader_reports.waited(row, now).total_seconds() // 3600)
        row["overdue"] = bool(row["due_at"]) and row["due_at"] <= now.isoformat()
    annotate(db, rows)
    return render_template(
        "duties/reports.html",
        rows=rows,
        reasons=list(reader_reports.REASONS),
        outcomes=reader_reports.OUTCOMES,
    )


@bp.post("/reader-reports/<int:comment_id>/outcome")
@role_required(MODERATOR)
def report_outcome(comment_id: int):
    """Close every open report on a comment: upheld (reject with the reason) or dismissed."""
    outcome = request.form.get("outcome", "")
    reason = request.form.get("reason") or None
    seen = request.form.get("seen") or None
    db = get_db()
    try:
        result = reader_reports.close_reports(
            db, comment_id, outcome, current_actor(), reason, seen
        )
    except comments.DecisionError:
        abort(404)
    except comments.DecisionConflict as conflict:
        flash(f"评论 #{comment_id} 已被他人处理（现为{conflict.current}），请刷新后再定。", "error")
    except reader_reports.OutcomeError as error:
        flash(f"未处理：{error}", "error")
    else:
        forget_counts()
        pushed = "，已通知网站" if result["pushed"] else ""
        label = reader_reports.OUTCOMES[outcome]
        flash(f"评论 #{comment_id}：{label}，关闭 {result['closed']} 条举报{pushed}。", "info")
    return redirect(url_for("duties.report_queue"))


@bp.get("/appeals")
@role_required(MODERATOR)
def appeal_list():
    """Open appeals (oldest first) and the latest decided ones."""
    db = get_db()
    return render_template(
        "duties/appeals.html",
        open_appeals=appeals.listing(db, appeals.OPEN),
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
    try:
        result = appeals.decide(
            get_db(), appeal_id, outcome, current_actor(), request.form.get("note", ""), lift
        )
    except appeals.AppealError as error:
        flash(f"未处理：{error}", "error")
        return redirect(url_for("duties.appeal_list")), 303
    forget_counts()
    extra = "，已解除禁言" if result["lifted"] else ""
    pushed = "，已通知网站" if result["pushed"] else ""
    flash(f"申诉 #{appeal_id}：{appeals.OUTCOMES[outcome]}{extra}{pushed}。", "info")
    return redirect(url_for("duties.appeal_list"))
