"""Pushing from the dashboard: official replies (write, sign off, withdraw), retrying a
failed action, comment switches per story and the admins' 一键关闭, and the push panel of
every comment card."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for

from moderation.collectors import wechat_api
from moderation.push.actions import LABELS
from moderation.roles import ADMIN, CHIEF_EDITOR, EDITOR, MODERATOR
from moderation.storage import outbox, replies, switches
from moderation.web.auth import current_actor, role_required, safe_next
from moderation.web.context import get_db

bp = Blueprint("push", __name__)
FEATURE_WARN_AT = 90  # show the article's 精选 count in red from here (WeChat stops at 100)


def annotate(db, comments: list[dict]) -> None:
    """Give each card its pushed actions, its official replies and its story's 精选 count."""
    ids = [comment["id"] for comment in comments]
    pushes = outbox.for_comments(db, ids)
    written = replies.for_comments(db, ids)
    featured = outbox.featured_counts(db, [comment.get("story_id") for comment in comments])
    history = outbox.sends_for(db, [row["id"] for rows in pushes.values() for row in rows])
    for rows in pushes.values():
        for row in rows:
            row["sends"] = [{**send, "words": send_words(send)} for send in history[row["id"]]]
    for comment in comments:
        comment["pushes"] = pushes[comment["id"]]
        comment["replies"] = written[comment["id"]]
        comment["story_featured"] = featured.get(comment.get("story_id"))


PROBLEM_WORDS = {"timed out": "超时", "answer too large": "答复过大"}
ENDING_WORDS = {
    outbox.DONE: "完成",
    outbox.FAILED: "失败",
    "retry": "稍后重试",
    outbox.DRY_RUN: "演练（未发送）",
}


def send_words(send: dict) -> str:
    """One line of an action's send history in Chinese: a try (path, HTTP status or trouble,
    errcode with its meaning, duration) or how the send ended."""
    if send["outcome"] != outbox.ATTEMPT:
        return f"{ENDING_WORDS.get(send['outcome'], send['outcome'])}：{send['answer'] or ''}"
    verb = (send["path"] or "").removeprefix("/cgi-bin/")
    if send["status"] is None:
        answer = send["answer"] or ""
        said = PROBLEM_WORDS.get(answer, "连接失败" if answer.startswith("connection") else answer)
    else:
        said = f"HTTP {send['status']}"
    if send["errcode"] is not None:
        said += f" · errcode {send['errcode']}"
        if send["errcode"]:
            said += f"（{wechat_api.meaning(send['errcode'])}）"
    return f"{verb} {said} · {(send['duration_ms'] or 0) / 1000:.2f} 秒"


def story_switches(db, story_id: int) -> dict:
    """What the story page shows of its comment switches: the state the channels confirmed,
    what was asked and how each channel answered (failed with the reason, 重试)."""
    outcome = switches.outcome(db, story_id)
    history = outbox.sends_for(db, [row["id"] for row in outcome["latest"]])
    for row in outcome["latest"]:
        row["sends"] = [{**send, "words": send_words(send)} for send in history[row["id"]]]
    return {
        "comments_closed": outcome["closed"],
        "switch": outcome,
        "switch_history": switches.history(db, story_id)[:10],
    }


def switch_outcomes(db, story_ids) -> dict[int, dict]:
    """{story id: its comment switch as the channels answered} for the stories list."""
    return switches.outcomes(db, story_ids)


def channels_panel(db) -> dict:
    """The channels page's push section: per channel mode, schedule, backlog, failures and
    last success; replies waiting for sign-off; whether a 一键关闭 is in force."""
    status = {row["channel"]: row for row in outbox.status(db)}
    return {
        "channels": [
            {**policy, **status.get(policy["channel"], {})} for policy in outbox.policies(db)
        ],
        "awaiting_replies": len(replies.awaiting(db)),
        "emergency": switches.emergency_active(db),
    }


def push_labels() -> dict:
    """Names the templates show for actions and states."""
    return {
        "push_actions": LABELS,
        "push_states": outbox.STATE_LABELS,
        "reply_states": replies.STATE_LABELS,
        "feature_warn_at": FEATURE_WARN_AT,
    }


bp.app_context_processor(push_labels)


def _back(default: str = "queue.index"):
    target = request.form.get("next")
    return redirect(safe_next(target) if target else url_for(default))


@bp.post("/comments/<int:comment_id>/reply")
@role_required(EDITOR)
def write_reply(comment_id: int):
    """An editor writes the official reply to a comment (sent after sign-off)."""
    try:
        reply = replies.write(
            get_db(), comment_id, request.form.get("text", "")[:5000], current_actor()
        )
    except replies.ReplyError as error:
        flash(f"回复未保存：{error}")
    else:
        flash(
            "回复已保存，等待值班总编签发。"
            if reply["state"] == replies.AWAITING
            else "回复已排队发送。"
        )
    return _back()


@bp.post("/replies/<int:reply_id>/sign_off")
@role_required(CHIEF_EDITOR)
def sign_off(reply_id: int):
    """A chief editor signs a reply off: it is queued for the channel."""
    allowed = current_app.config["SETTINGS"].push.self_sign_off
    try:
        replies.sign_off(get_db(), reply_id, current_actor(), self_sign_off=allowed)
    except replies.ReplyError as error:
        flash(f"未能签发：{error}")
    else:
        flash("回复已签发，正在推送到渠道。")
    return _back()


@bp.post("/replies/<int:reply_id>/edit")
@role_required(EDITOR)
def edit_reply(reply_id: int):
    """Change a reply's text: taken back from the channel if sent, then signed off anew."""
    try:
        reply = replies.edit(
            get_db(), reply_id, request.form.get("text", "")[:5000], current_actor()
        )
    except replies.ReplyError as error:
        flash(f"回复未修改：{error}")
    else:
        flash(
            "回复已修改，等待值班总编签发（已发出的旧回复将先从渠道删除）。"
            if reply["state"] == replies.AWAITING
            else "回复已修改：先删除旧回复，再发出新回复。"
        )
    return _back()


@bp.post("/replies/<int:reply_id>/withdraw")
@role_required(EDITOR)
def withdraw(reply_id: int):
    """Take a reply back (deleted on the channel if it was already sent)."""
    try:
        replies.withdraw(get_db(), reply_id, current_actor())
    except replies.ReplyError as error:
        flash(f"未能撤回：{error}")
    else:
        flash("回复已撤回。")
    return _back()


@bp.post("/outbox/<int:row_id>/retry")
@role_required(MODERATOR)
def retry(row_id: int):
    """Send a failed action again, or end the pause an action waits out (the 重试 button):
    after fixed credentials the whole channel resumes at once."""
    if not outbox.retry(get_db(), row_id):
        flash("这项推送已完成或正在发送，无需重试。")
    else:
        flash("已重新排队，将在几秒内推送（该渠道暂停中的推送一并恢复）。")
    return _back()


@bp.post("/stories/<int:story_id>/comments/<any(open, close):action>")
@role_required(EDITOR)
def switch(story_id: int, action: str):
    """Open or close comments on every channel of the story, in one action."""
    db = get_db()
    if not switches.linked_stories(db, story_id):
        abort(404)
    name = switches.OPEN if action == "open" else switches.CLOSE
    queued = switches.switch_story(db, story_id, name, current_actor())
    verb = "打开" if action == "open" else "关闭"
    if queued:
        flash(f"已请求在 {queued} 个渠道稿件上{verb}评论。")
    else:
        flash(f"已记录{verb}评论，但没有开启推送且支持开关评论的渠道：请管理员检查渠道配置。")
    return redirect(url_for("stories.show", story_id=story_id))


@bp.post("/push/emergency/<any(close, reopen):action>")
@role_required(ADMIN)
def emergency(action: str):
    """一键关闭 every story's comments, or undo the last one."""
    db = get_db()
    if action == "close":
        _batch, count = switches.close_all(db, current_actor())
        flash(f"一键关闭：已请求关闭 {count} 篇稿件的评论。可随时“一键恢复”。")
    else:
        count = switches.reopen_all(db, current_actor())
        flash(f"一键恢复：已请求重新打开 {count} 篇稿件的评论。")
    current_app.logger.warning("emergency %s by %s: %s stories", action, current_actor(), count)
    return redirect(url_for("channels.index"))
