"""Moderation modes in the dashboard: an editor sets a story pre, post or closed; an admin
switches the sitewide emergency mode (敏感时期); pages show what is in force."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, request, url_for

from moderation.roles import ADMIN, EDITOR
from moderation.storage import story_modes, switches
from moderation.web.auth import current_actor, role_required, safe_next
from moderation.web.context import get_db

bp = Blueprint("modes", __name__)


def _settings() -> story_modes.ModeSettings:
    return story_modes.settings_from(current_app.config["SETTINGS"].modes)


@bp.post("/stories/<int:story_id>/mode")
@role_required(EDITOR)
def set_story_mode(story_id: int):
    """Set a story's moderation mode; closing (or reopening) also switches the comments on
    the channels that can, as the story page's switch does."""
    mode = request.form.get("mode", "")
    db = get_db()
    was = story_modes.story_mode(db, story_id)
    try:
        story_modes.set_mode(db, story_id, mode, current_actor(), request.form.get("reason", ""))
    except story_modes.ModeError as error:
        flash(f"未能修改模式：{error}。")
        return redirect(url_for("stories.show", story_id=story_id))
    flash(f"本稿件的评论改为“{story_modes.MODES[mode]}”，从下一批评分起生效。")
    closing = mode == story_modes.CLOSED
    if closing != (was == story_modes.CLOSED):
        action = switches.CLOSE if closing else switches.OPEN
        if switches.switch_story(db, story_id, action, current_actor(), reason="mode"):
            flash(f"已请求各渠道{'关闭' if closing else '打开'}本稿件的评论。")
    return redirect(url_for("stories.show", story_id=story_id))


@bp.post("/admin/emergency-mode/<any(on, off):change>")
@role_required(ADMIN)
def emergency(change: str):
    """Switch the sitewide emergency mode: no comment is approved without a person."""
    story_modes.set_emergency(
        get_db(), change == "on", current_actor(), request.form.get("reason", "")
    )
    flash(
        "紧急模式已开启：所有评论须人工审核后才能通过。" if change == "on" else "紧急模式已关闭。"
    )
    target = request.form.get("next")
    return redirect(safe_next(target) if target else url_for("queue.index"))


@bp.app_context_processor
def modes_in_force():
    """`emergency_on` and `mode_of(story_id)` for every logged-in page."""
    if not g.get("user"):
        return {}
    db = get_db()

    def mode_of(story_id: int) -> dict:
        """The story's own mode and the one in force now, with their names."""
        own = story_modes.story_mode(db, story_id)
        now = story_modes.effective_modes(db, [story_id], _settings()).get(story_id, own)
        return {"own": own, "now": now, "names": story_modes.MODES}

    return {"emergency_on": story_modes.emergency(db), "mode_of": mode_of}
