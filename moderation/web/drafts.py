"""The desk's draft in the dashboard: see the proposed column for a week, then swap quotes
for alternates, drop or add stories, and accept it into a new edition of the builder.

`/editions/new?draft=1` shows the proposal (nothing stored); "开始编辑" stores it as a draft
the editor changes with POSTs (PRG, CSRF, editor role); accepting opens the new edition.
"""

from __future__ import annotations

from datetime import date as Date
from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from moderation.drafting import desk
from moderation.drafting.draft import build_draft, story_rows
from moderation.roles import EDITOR
from moderation.timeutil import local_today
from moderation.web.auth import current_actor, role_required
from moderation.web.context import get_db, sqlite_int

bp = Blueprint("drafts", __name__, url_prefix="/editions")


def _draft_settings():
    return current_app.config["SETTINGS"].draft


def last_week(today: Date) -> tuple[Date, Date]:
    """The seven newsroom days before `today` (the week a column usually covers)."""
    return today - timedelta(days=7), today - timedelta(days=1)


def _range(source) -> tuple[Date, Date] | None:
    """The requested [from, to] range, or None with a message for the editor."""
    try:
        first = Date.fromisoformat(source.get("from", ""))
        last = Date.fromisoformat(source.get("to", ""))
    except ValueError:
        return None
    if last < first or (last - first).days > 62:
        return None
    return first, last


@bp.get("/new")
@role_required(EDITOR)
def new():
    """The proposed column for a week (with ?draft=1), or the way to an empty edition."""
    if not request.args.get("draft"):
        return redirect(url_for("column.index"))
    default = last_week(local_today())
    span = _range(request.args)
    body = None
    if span:
        body = build_draft(get_db(), *span, _draft_settings())
    elif "from" in request.args:
        flash("日期范围无效：请填写起止日期（YYYY-MM-DD），结束不早于开始，最长 62 天。", "error")
    first, last = span or default
    return render_template(
        "drafts/draft.html", body=body, draft=None, first=first, last=last, editable=False
    )


@bp.post("/drafts")
@role_required(EDITOR)
def create():
    """Store the week's proposal as a draft the editor can change."""
    span = _range(request.form)
    if not span:
        flash("日期范围无效：请填写起止日期（YYYY-MM-DD），结束不早于开始。", "error")
        return redirect(url_for("drafts.new", draft=1))
    draft_id = desk.start_draft(get_db(), *span, _draft_settings(), current_actor())
    return redirect(url_for("drafts.show", draft_id=draft_id))


def _stored(draft_id: int) -> dict:
    from moderation.storage.drafts import get_draft

    draft = get_draft(get_db(), draft_id)
    if draft is None:
        abort(404)
    return draft


@bp.get("/drafts/<int:draft_id>")
@role_required(EDITOR)
def show(draft_id: int):
    """A stored draft: swap, drop, add, accept."""
    draft = _stored(draft_id)
    body = draft["body"]
    first, last = Date.fromisoformat(body["start"]), Date.fromisoformat(body["end"])
    shown = {section["story_id"] for section in body["sections"]}
    addable = [row for row in story_rows(get_db(), first, last) if row["story_id"] not in shown]
    return render_template(
        "drafts/draft.html",
        body=body,
        draft=draft,
        first=first,
        last=last,
        addable=addable[:50],
        edition_date=(last + timedelta(days=1)).isoformat(),
        title=current_app.config["SETTINGS"].export.column_title,
        editable=draft["status"] == "open",
    )


def _change(draft_id: int, change, anchor: str | None = None):
    """Apply one change; a DraftError becomes a message for the editor."""
    try:
        done = change(get_db())
    except desk.DraftError as error:
        flash(str(error)[:200], "error")
        return redirect(url_for("drafts.show", draft_id=draft_id))
    if isinstance(done, str):
        flash(done, "info")
    return redirect(url_for("drafts.show", draft_id=draft_id, _anchor=anchor))


def _form_int(name: str) -> int:
    value = request.form.get(name, type=sqlite_int)
    if value is None:
        abort(400)
    return value


@bp.post("/drafts/<int:draft_id>/swap")
@role_required(EDITOR)
def swap(draft_id: int):
    """Put an alternate in a proposed quote's place; say what it displaced."""
    story_id, pick_id = _form_int("story_id"), _form_int("pick_id")
    alternate_id = _form_int("alternate_id")

    def change(db):
        displaced = desk.swap(db, draft_id, story_id, pick_id, alternate_id, current_actor())
        return "已替换：" + desk.displaced_note(displaced)

    return _change(draft_id, change, f"story-{story_id}")


@bp.post("/drafts/<int:draft_id>/drop")
@role_required(EDITOR)
def drop(draft_id: int):
    """Take a story out of the draft."""
    story_id = _form_int("story_id")
    return _change(draft_id, lambda db: desk.drop_story(db, draft_id, story_id))


@bp.post("/drafts/<int:draft_id>/add")
@role_required(EDITOR)
def add(draft_id: int):
    """Draft one more story chosen by the editor."""
    story_id = _form_int("story_id")
    return _change(
        draft_id,
        lambda db: desk.add_story(db, draft_id, story_id, _draft_settings()),
        f"story-{story_id}",
    )


@bp.post("/drafts/<int:draft_id>/accept")
@role_required(EDITOR)
def accept(draft_id: int):
    """Create the edition from the draft as shown, and open it in the builder."""
    date = request.form.get("date", "")[:10]
    title = request.form.get("title", "").strip()[:40] or "融媒·观察"
    try:
        edition = desk.accept(get_db(), draft_id, date, title, current_actor())
    except desk.DraftError as error:
        flash(str(error)[:200], "error")
        return redirect(url_for("drafts.show", draft_id=draft_id))
    flash("草稿已采用为新一期专栏：请填写导语、核对署名与同意，再送签发。", "info")
    return redirect(url_for("column.builder", date=edition["date"]))
