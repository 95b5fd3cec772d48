"""Word lists in the dashboard: admins add and remove banned and suspect words.

They add to the lists in config.toml (which stay as they are); new comments are scored with
both at once, pending ones in the background (pipeline.refresh_pending, run by the
scheduler), decided ones after `moderation rescore`.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from moderation.roles import ADMIN
from moderation.storage import wordlists
from moderation.web.auth import current_actor, role_required
from moderation.web.context import get_db

bp = Blueprint("wordlists", __name__, url_prefix="/admin")
KIND_NAMES = {
    "banned": "禁用词（自动拒绝）",
    "suspect": "可疑词（标记待审）",
    "allowed": "例外词（含禁用词或可疑词但无害的组合，如“垃圾分类”“SB-2024”）",
    "insult": "侮辱性称呼（地域、身材、职业等；标记待审，冒犯分达 0.2 时建议拒绝）",
    "report": "案情与防骗提醒用语（如“骗子电话”“被抓”；不因冒犯模型单独标记）",
}


@bp.get("/words")
@role_required(ADMIN)
def index():
    """Both lists: config.toml's words (read-only here) and the dashboard's."""
    scoring = current_app.config["SETTINGS"].scoring
    return render_template(
        "admin/words.html",
        kinds=KIND_NAMES,
        configured={
            "banned": scoring.banned_words,
            "suspect": scoring.suspect_words,
            "allowed": scoring.allowed_words,
            "insult": scoring.insult_words,
            "report": scoring.report_words,
        },
        entries=wordlists.entries(get_db()),
    )


@bp.post("/words")
@role_required(ADMIN)
def add():
    """Add a word to a list."""
    try:
        word = wordlists.add_word(
            get_db(), request.form.get("kind", ""), request.form.get("word", ""), current_actor()
        )
    except wordlists.WordListError as error:
        abort(400, str(error))
    flash(
        f"已添加“{word}”。新评论立即按新词表评分；待审评论由调度器在后台重新评分（最新的先）；"
        "已审评论需要时请运行 moderation rescore。"
    )
    return redirect(url_for("wordlists.index"))


@bp.post("/words/<any(banned, suspect, allowed, insult, report):kind>/remove")
@role_required(ADMIN)
def remove(kind: str):
    """Remove a dashboard word from a list."""
    word = request.form.get("word", "")
    if not wordlists.remove_word(get_db(), kind, word):
        abort(404, "这个词不在词表中（config.toml 里的词请在配置文件中修改）")
    flash(f"已删除“{word}”。")
    return redirect(url_for("wordlists.index"))
