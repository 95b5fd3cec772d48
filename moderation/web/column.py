"""The column builder: editions, their sections and quotes, preview, sign-off, downloads,
and the archive of printed editions.

Every change is a POST carrying the CSRF token, checked for its role on the server, then a
redirect back to the builder (with the editor's search filters kept).
"""

from __future__ import annotations

import difflib
import hashlib

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

from moderation.export import review as edition_review
from moderation.export.checks import FIX_MASK, FIX_PRINT_RULE
from moderation.export.edition import (
    ExportError,
    column_sections,
    edition_from_approved,
    printed_section,
    section_lengths,
)
from moderation.export.formats import FORMATS, archive_exports, export_edition
from moderation.roles import CHIEF_EDITOR, EDITOR
from moderation.storage import edition_candidates as picks
from moderation.storage import edition_exports as archive
from moderation.storage import editions as store
from moderation.web.auth import current_actor, role_required
from moderation.web.context import get_db, sqlite_int

bp = Blueprint("column", __name__, url_prefix="/editions")
FILTERS = ("q", "story", "channel")


def _edition(date: str) -> dict:
    edition = store.get_edition(get_db(), date)
    if edition is None:
        abort(404)
    return edition


def _filters() -> dict:
    """The builder's search filters, carried through every form so they survive a POST."""
    return {key: request.args[key] for key in FILTERS if request.args.get(key)}


def _back(date: str, anchor: str | None = None):
    return redirect(url_for("column.builder", date=date, _anchor=anchor, **_filters()))


def _settings():
    return current_app.config["SETTINGS"]


def _thresholds() -> edition_review.Thresholds:
    return edition_review.thresholds_from(_settings())


@bp.get("/")
@role_required(EDITOR)
def index():
    """Every edition, newest first: drafts being built and the archive of printed ones."""
    db = get_db()
    editions = store.list_editions(db)
    for edition in editions:
        edition["exports"] = archive.list_exports(db, edition)
    return render_template(
        "column/index.html",
        editions=editions,
        status_names=store.STATUS_NAMES,
        default_title=_settings().export.column_title,
    )


@bp.post("/")
@role_required(EDITOR)
def create():
    """Start the edition of a date, empty or with every approved comment (one section per
    story, as `moderation export --from-approved` does)."""
    date = request.form.get("date", "")
    title = request.form.get("title", "").strip()[:40] or _settings().export.column_title
    start = edition_from_approved if request.form.get("from_approved") else store.create_edition
    try:
        edition = start(get_db(), date, title, current_actor())
    except store.EditionError as error:
        flash(str(error)[:200], "error")
        return redirect(url_for("column.index"))
    return redirect(url_for("column.builder", date=edition["date"]))


def diff_segments(original: str, excerpt: str) -> list[tuple[str, str]]:
    """The print excerpt against the original as (equal|delete|insert, text) pieces."""
    pieces = []
    matcher = difflib.SequenceMatcher(None, original, excerpt, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("equal", original[a1:a2]))
            continue
        if a2 > a1:
            pieces.append(("delete", original[a1:a2]))
        if b2 > b1:
            pieces.append(("insert", excerpt[b1:b2]))
    return pieces


@bp.get("/<date>")
@role_required(EDITOR)
def builder(date: str):
    """Build an edition: its sections and quotes, and the approved comments to pick from."""
    db = get_db()
    edition = _edition(date)
    sections = store.sections(db, edition)
    printed = store.printed_in(db, [q["comment_id"] for s in sections for q in s["quotes"]])
    for section in sections:
        section["length"] = section_lengths(printed_section(section))
        for quote in section["quotes"]:
            quote["diff"] = diff_segments(quote["original"], quote["excerpt"])
            quote["printed_in"] = [d for d in printed.get(quote["comment_id"], []) if d != date]
    filters = _filters()
    found = edition_review.review(db, edition, _thresholds(), sections)
    candidates = picks.candidates(
        db,
        edition,
        query=filters.get("q", "").strip()[:100],
        story_id=request.args.get("story", type=sqlite_int),
        channel=filters.get("channel"),
    )
    return render_template(
        "column/builder.html",
        edition=edition,
        sections=sections,
        candidates=candidates,
        filters=filters,
        stories=picks.story_choices(db),
        channels=picks.channels_with_approved(db),
        review=found,
        needs_work={p.quote_id for p in found.blocking if p.quote_id},
        require_consent=_settings().export.require_consent,
        status_names=store.STATUS_NAMES,
        editable=edition["status"] != store.PRINTED,
        formats=FORMATS,
    )


def _apply(date: str, change, anchor: str | None = None, done: str | None = None):
    """Run one change of an edition; an EditionError becomes a message for the editor."""
    edition = _edition(date)
    was_signed = edition["status"] == store.SIGNED_OFF
    try:
        change(get_db(), edition)
    except store.EditionError as error:
        flash(str(error)[:200], "error")  # may echo form input: keep the cookie small
        return _back(date, anchor)
    if done:
        flash(done, "info")
    if was_signed and store.get_edition(get_db(), date)["status"] == store.DRAFT:
        flash("专栏在签发后被修改，签发已撤销，需值班总编重新签发。", "warning")
    return _back(date, anchor)


@bp.post("/<date>/sections")
@role_required(EDITOR)
def add_section(date: str):
    """Add a story as a new section."""
    story_id = request.form.get("story_id", type=sqlite_int)
    return _apply(date, lambda db, e: store.add_section(db, e, story_id, current_actor()))


@bp.post("/<date>/sections/<int:section_id>")
@role_required(EDITOR)
def update_section(date: str, section_id: int):
    """Save a section's heading and intro."""
    heading = request.form.get("heading", "")[:200]
    intro = request.form.get("intro", "")[:5000]
    return _apply(
        date,
        lambda db, e: store.update_section(db, e, section_id, heading, intro, current_actor()),
        f"section-{section_id}",
    )


@bp.post("/<date>/sections/<int:section_id>/delete")
@role_required(EDITOR)
def remove_section(date: str, section_id: int):
    """Drop a section; its quotes go back to the approved pool."""
    return _apply(date, lambda db, e: store.remove_section(db, e, section_id, current_actor()))


@bp.post("/<date>/quotes")
@role_required(EDITOR)
def select(date: str):
    """Pick an approved comment into a section; warn when it was printed before."""
    section_id = request.form.get("section_id", type=sqlite_int)
    comment_id = request.form.get("comment_id", type=sqlite_int)
    result = {}

    def change(db, edition):
        result.update(store.select_quote(db, edition, section_id, comment_id, current_actor()))

    response = _apply(date, change, f"section-{section_id}")
    if result.get("printed_in"):
        flash(f"注意：这条评论已在 {'、'.join(result['printed_in'])} 的版面上刊登过。", "warning")
    return response


@bp.post("/<date>/quotes/<int:quote_id>")
@role_required(EDITOR)
def update_quote(date: str, quote_id: int):
    """Save a quote's print excerpt, display name and consent box."""
    excerpt = request.form.get("excerpt", "")[:5000]
    name = request.form.get("display_name", "")[:64]
    consent = request.form.get("consent") == "1"
    return _apply(
        date,
        lambda db, e: store.update_quote(db, e, quote_id, excerpt, name, consent, current_actor()),
        f"quote-{quote_id}",
    )


@bp.post("/<date>/quotes/<int:quote_id>/delete")
@role_required(EDITOR)
def unselect(date: str, quote_id: int):
    """Take a quote out of the edition."""
    return _apply(date, lambda db, e: store.unselect_quote(db, e, quote_id, current_actor()))


@bp.post("/<date>/<any(section, quote):kind>/<int:item_id>/<any(up, down):direction>")
@role_required(EDITOR)
def move(date: str, kind: str, item_id: int, direction: str):
    """Move a section or a quote one place (the no-JavaScript way to reorder)."""
    delta = -1 if direction == "up" else 1
    return _apply(
        date,
        lambda db, e: store.move(db, e, kind, item_id, delta, current_actor()),
        f"{kind}-{item_id}",
    )


@bp.post("/<date>/order")
@role_required(EDITOR)
def reorder(date: str):
    """Set a whole order at once (sent by drag-and-drop and keyboard reordering)."""
    kind = request.form.get("kind", "")
    parent_id = request.form.get("parent_id", type=sqlite_int) or 0
    try:
        ids = [sqlite_int(part) for part in request.form.get("ids", "").split(",") if part]
    except ValueError:
        abort(400)
    return _apply(date, lambda db, e: store.reorder(db, e, kind, parent_id, ids, current_actor()))


@bp.get("/<date>/preview")
@role_required(EDITOR)
def preview(date: str):
    """The column as it will print, with a character count per section."""
    db = get_db()
    edition = _edition(date)
    sections = column_sections(db, edition)
    return render_template(
        "column/preview.html",
        edition=edition,
        sections=[(section, section_lengths(section)) for section in sections],
        review=edition_review.review(db, edition, _thresholds()),
        status_names=store.STATUS_NAMES,
    )


@bp.post("/<date>/sign-off")
@role_required(CHIEF_EDITOR)
def sign_off(date: str):
    """A chief editor signs the column off for print."""
    thresholds = _thresholds()
    return _apply(
        date,
        lambda db, e: edition_review.sign_off(db, e, current_actor(), thresholds),
        done="专栏已签发。",
    )


@bp.post("/<date>/overrides")
@role_required(EDITOR)
def override(date: str):
    """Accept one overridable problem for print, with the editor's note on record."""
    key = request.form.get("key", "")[:200]
    note = request.form.get("note", "")[:400]
    thresholds = _thresholds()
    return _apply(
        date,
        lambda db, e: edition_review.override(db, e, key, note, current_actor(), thresholds),
        anchor="problems",
        done="已记录：该问题签发时不再拦截。",
    )


@bp.post("/<date>/overrides/withdraw")
@role_required(EDITOR)
def withdraw_override(date: str):
    """Take an override back: the problem stops the sign-off again."""
    key = request.form.get("key", "")[:200]
    return _apply(
        date, lambda db, e: edition_review.withdraw_override(db, e, key), anchor="problems"
    )


@bp.post("/<date>/quotes/<int:quote_id>/<any(print_rule, mask):fix>")
@role_required(EDITOR)
def fix_quote(date: str, quote_id: int, fix: str):
    """Rewrite a quote by the documented rule: emoji out (print_rule) or personal data
    masked (mask); recorded as an edit of the print excerpt."""
    done = {FIX_PRINT_RULE: "已按印刷规则删除表情符号。", FIX_MASK: "已遮盖个人信息。"}[fix]
    return _apply(
        date,
        lambda db, e: edition_review.apply_fix(db, e, quote_id, fix, current_actor()),
        anchor=f"quote-{quote_id}",
        done=done,
    )


@bp.post("/<date>/print")
@role_required(EDITOR)
def mark_printed(date: str):
    """The signed-off column went to print: archive every export of it."""

    def change(db, edition):
        with db.atomic():
            store.mark_printed(db, edition, current_actor())
            try:
                archive_exports(db, store.get_edition(db, date), current_actor())
            except ExportError as error:
                raise store.EditionError(str(error)) from None

    return _apply(date, change, done="已付印，导出文件已存档。")


@bp.get("/<date>/export.<fmt>")
@role_required(EDITOR)
def download(date: str, fmt: str):
    """Download the edition as TXT (UTF-8 or ?encoding=gb18030), DOCX, CSV or JSON."""
    edition = _edition(date)
    try:
        export = export_edition(get_db(), edition, fmt, request.args.get("encoding", "utf-8"))
    except ExportError as error:
        flash(str(error)[:200], "error")  # the message may echo a huge ?encoding=
        return redirect(url_for("column.builder", date=date))
    return Response(
        export.content,
        content_type=export.content_type,
        headers={"Content-Disposition": f"attachment; filename={export.filename}"},
    )


@bp.get("/<date>/archive/<int:export_id>")
@role_required(EDITOR)
def archived(date: str, export_id: int):
    """Download an export exactly as stored when the edition went to print."""
    edition = _edition(date)
    stored = archive.get_export(get_db(), edition, export_id)
    if stored is None:
        abort(404)
    export = export_edition(get_db(), edition, stored["format"], stored["encoding"])
    reproduced = hashlib.sha256(export.content).hexdigest() == stored["sha256"]
    return Response(
        stored["content"],
        content_type=export.content_type,
        headers={
            "Content-Disposition": f"attachment; filename={export.filename}",
            "X-Reproduced": "yes" if reproduced else "no",
        },
    )
