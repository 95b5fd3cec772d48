"""Official replies to readers' comments: written by an editor, signed off by a chief
editor (when the channel asks for it), then queued in the outbox as a `reply` action.

One live reply per comment (a unique index): WeChat takes one reply per comment (88005
"already reply"), and the desk speaks once. A withdrawn reply takes its sent text back
with a `delete_reply` action; an edited one is withdrawn and written anew, so the channel
gets `delete_reply` then `reply` (the outbox keeps a comment's actions in order). A reply
is signed off by someone other than its author unless `[push] self_sign_off` allows it.
Every step is also a row in the decisions log.
"""

from __future__ import annotations

from moderation.storage import by_comment, decisions, outbox
from moderation.timeutil import now_iso

AWAITING = "awaiting_sign_off"
SIGNED_OFF = "signed_off"
WITHDRAWN = "withdrawn"
STATE_LABELS = {AWAITING: "待总编签发", SIGNED_OFF: "已签发", WITHDRAWN: "已撤回"}
MAX_TEXT = 2000  # stored bound; each channel's own limit is checked before queueing


_WITH_PUSH = (
    "SELECT r.*, o.state AS push_state, o.note AS push_note, o.finished_at AS sent_at, "
    "d.state AS withdraw_state, d.note AS withdraw_note "
    "FROM official_replies r LEFT JOIN outbox o ON o.id = r.outbox_id "
    "LEFT JOIN outbox d ON d.key = 'reply:' || r.id || ':delete' "
)


class ReplyError(ValueError):
    """A reply that cannot be written, signed off or withdrawn; the message says why."""


def write(db, comment_id: int, text: str, author: str) -> dict:
    """An editor's reply to a comment; queued at once if the channel needs no sign-off."""
    text = " ".join(text.split()) if "\n" not in text else text.strip()
    with db.atomic():
        target, rules = _target(db, comment_id)
        _check_text(text, rules)
        if live(db, comment_id):
            raise ReplyError("该评论已有官方回复：每条评论只回复一次，可先撤回再写。")
        reply_id = (
            db.table("official_replies")
            .insert(
                {
                    "comment_id": comment_id,
                    "text": text,
                    "author": author,
                    "written_at": now_iso(),
                    "state": AWAITING,
                }
            )
            .last_pk
        )
        decisions.record(
            db, comment_id, author, "reply_written", target["status"], target["status"], text
        )
        if not rules["replies_need_sign_off"]:
            _sign_off(db, reply_id, author, target, rules)
    return get(db, reply_id)


def sign_off(db, reply_id: int, chief: str, self_sign_off: bool = False) -> dict:
    """A chief editor releases a reply: it is queued for the channel.

    The chief must not be the reply's author unless `self_sign_off` (``[push]``) allows it.
    """
    with db.atomic():
        reply = get(db, reply_id)
        if reply is None or reply["state"] != AWAITING:
            raise ReplyError("这条回复不在待签发状态。")
        if reply["author"] == chief and not self_sign_off:
            raise ReplyError("不能签发自己撰写的回复：请另一位值班总编签发。")
        target, rules = _target(db, reply["comment_id"])
        _check_text(reply["text"], rules)
        _sign_off(db, reply_id, chief, target, rules)
    return get(db, reply_id)


def _sign_off(db, reply_id: int, chief: str, target: dict, rules: dict) -> None:
    reply = get(db, reply_id)
    row_id = _enqueue(db, reply, target, rules, "reply", chief)
    db.execute(
        "UPDATE official_replies SET state = ?, signed_off_by = ?, signed_off_at = ?, "
        "outbox_id = ? WHERE id = ?",
        [SIGNED_OFF, chief, now_iso(), row_id, reply_id],
    )
    decisions.record(
        db, reply["comment_id"], chief, "reply_signed_off", target["status"], target["status"]
    )


def withdraw(db, reply_id: int, actor: str) -> dict:
    """Take a reply back: unsent, nothing goes out; sent, a delete_reply follows."""
    with db.atomic():
        reply = get(db, reply_id)
        if reply is None or reply["state"] == WITHDRAWN:
            raise ReplyError("这条回复已撤回或不存在。")
        target, rules = _target(db, reply["comment_id"], need_push=False)
        sent = (
            reply["outbox_id"]
            and db.execute(
                "UPDATE outbox SET state = 'superseded', note = '回复已撤回，未发送' "
                "WHERE id = ? AND state = 'pending'",
                [reply["outbox_id"]],
            ).rowcount
            == 0
        )
        if sent and rules and rules["mode"] != "off":
            _enqueue(db, reply, target, rules, "delete_reply", actor)
        db.execute(
            "UPDATE official_replies SET state = ?, withdrawn_by = ? WHERE id = ?",
            [WITHDRAWN, actor, reply_id],
        )
        decisions.record(
            db, reply["comment_id"], actor, "reply_withdrawn", target["status"], target["status"]
        )
    return get(db, reply_id)


def edit(db, reply_id: int, text: str, editor: str) -> dict:
    """Change a reply's text: the old one is withdrawn (taken back from the channel if sent)
    and the new text written as a new reply by `editor`, to be signed off again."""
    with db.atomic():
        reply = get(db, reply_id)
        if reply is None or reply["state"] == WITHDRAWN:
            raise ReplyError("这条回复已撤回或不存在。")
        clean = " ".join(text.split()) if "\n" not in text else text.strip()
        if clean == reply["text"]:
            raise ReplyError("回复内容没有改动。")
        _check_text(clean, _target(db, reply["comment_id"])[1])
        withdraw(db, reply_id, editor)
        return write(db, reply["comment_id"], text, editor)


def _enqueue(db, reply: dict, target: dict, rules: dict, action: str, actor: str) -> int | None:
    """Queue a reply (keyed by the reply) or its deletion for the comment's channel."""
    suffix = "" if action == "reply" else ":delete"
    return outbox.enqueue_about(
        db,
        reply["comment_id"],
        target,
        key=f"reply:{reply['id']}{suffix}",
        channel=target["channel"],
        action=action,
        mode=rules["mode"],
        reply_id=reply["id"],
        text=reply["text"] if action == "reply" else None,
        actor=actor,
    )


def _target(db, comment_id: int, need_push: bool = True) -> tuple[dict, dict | None]:
    target = outbox.comment_target(db, comment_id)
    if target is None:
        raise ReplyError("没有这条评论。")
    rules = outbox.policy(db, target["channel"])
    if need_push and (not rules or "reply" not in rules["supported"].split()):
        raise ReplyError("该渠道不支持官方回复。")
    if need_push and rules["mode"] == "off":
        raise ReplyError("该渠道尚未开启推送（push），请管理员在配置中开启后再回复。")
    return target, rules


def _check_text(text: str, rules: dict) -> None:
    if not text:
        raise ReplyError("回复不能为空。")
    limit = min(rules["reply_limit"] or MAX_TEXT, MAX_TEXT)
    if len(text) > limit:
        raise ReplyError(f"回复有 {len(text)} 字，超过该渠道的 {limit} 字上限，请删减后再提交。")


def get(db, reply_id: int) -> dict | None:
    """One reply, with the state of its outbox row."""
    rows = list(db.query(_WITH_PUSH + "WHERE r.id = ?", [reply_id]))
    return rows[0] if rows else None


def live(db, comment_id: int) -> dict | None:
    """A comment's reply that is not withdrawn, if any."""
    row = db.execute(
        "SELECT id FROM official_replies WHERE comment_id = ? AND state != ?",
        [comment_id, WITHDRAWN],
    ).fetchone()
    return get(db, row[0]) if row else None


def for_comments(db, comment_ids) -> dict[int, list[dict]]:
    """{comment id: its replies with their push state, oldest first}."""
    return by_comment(db, _WITH_PUSH + "WHERE r.comment_id IN ({marks}) ORDER BY r.id", comment_ids)


def awaiting(db, limit: int = 100) -> list[dict]:
    """Replies waiting for a chief editor, oldest first."""
    return list(
        db.query(
            "SELECT r.*, c.text AS comment_text, c.channel FROM official_replies r "
            "JOIN comments c ON c.id = r.comment_id WHERE r.state = ? ORDER BY r.id LIMIT ?",
            [AWAITING, limit],
        )
    )
