"""Commenter profiles: every comment of an author across channels, their level (set with a
reason and an optional expiry), notes, and keys linked as the same person."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from moderation.roles import EDITOR, MODERATOR
from moderation.rules.model import LEVELS, SANCTION_LEVELS
from moderation.storage import authors, profiles, regions
from moderation.web.auth import current_actor, role_required
from moderation.web.context import get_db
from moderation.web.templating import BEIJING

bp = Blueprint("authors", __name__, url_prefix="/authors")
MAX_KEY = 200


def _key(author_key: str) -> str:
    if not author_key or len(author_key) > MAX_KEY:
        abort(404)
    return author_key


@bp.get("/<path:author_key>")
def show(author_key: str):
    """An author's profile: comments, counts, rates, stories, level, notes and links."""
    db = get_db()
    found = profiles.profile(db, _key(author_key))
    if not found["total"]:
        abort(404, "没有这个作者的评论")
    thresholds = authors.thresholds_from(current_app.config["SETTINGS"].authors)
    return render_template(
        "authors/show.html",
        profile=found,
        level=authors.levels_for_cards(db, [author_key], thresholds).get(author_key, ""),
        explicit=authors.explicit_levels(db, [author_key]).get(author_key),
        level_changes=authors.level_changes(db, author_key),
        direct_links=profiles.direct_links(db, author_key),
        levels=LEVELS,
        sanction_levels=SANCTION_LEVELS,
        ip_region=regions.for_authors(db, found["keys"]).get(author_key),
    )


def _back(author_key: str):
    return redirect(url_for("authors.show", author_key=author_key))


def _expiry(value: str) -> str | None:
    """A Beijing date-time from the form (YYYY-MM-DDTHH:MM) as UTC ISO text; None if empty."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value).replace(tzinfo=BEIJING)
    except ValueError:
        raise authors.AuthorLevelError("到期时间格式不对，请用日期时间选择器填写") from None
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@bp.post("/<path:author_key>/level")
@role_required(MODERATOR)
def set_level(author_key: str):
    """Set an author's level (trusted, watch, muted) or clear it, with a reason."""
    form = request.form
    level = form.get("level") or None
    try:
        authors.set_level(
            get_db(), _key(author_key), level, current_actor(), form.get("reason", ""),
            _expiry(form.get("expires", "")),
        )  # fmt: skip
    except authors.AuthorLevelError as error:
        flash(f"未能修改级别：{error}。")
    else:
        flash(f"作者级别已设为{LEVELS.get(level, '自动')}。" if level else "已取消人工级别。")
    return _back(author_key)


@bp.post("/<path:author_key>/notes")
@role_required(MODERATOR)
def add_note(author_key: str):
    """Keep a note on the author."""
    try:
        profiles.add_note(get_db(), _key(author_key), request.form.get("note", ""), current_actor())
    except profiles.ProfileError as error:
        flash(f"未能保存备注：{error}。")
    return _back(author_key)


@bp.post("/<path:author_key>/<any(link, unlink):change>")
@role_required(EDITOR)
def link(author_key: str, change: str):
    """Link another key to this author as the same person, or undo such a link."""
    other = request.form.get("other", "")[:MAX_KEY]
    reason = request.form.get("reason", "")
    db = get_db()
    try:
        if change == "link":
            profiles.link(db, _key(author_key), other, current_actor(), reason)
            flash(f"已将“{other}”与此作者关联为同一人。")
        elif not profiles.unlink(db, author_key, other, current_actor(), reason):
            flash("这两个作者标识并未关联。")
        else:
            flash(f"已取消与“{other}”的关联。")
    except profiles.ProfileError as error:
        flash(f"未能关联：{error}。")
    return _back(author_key)
