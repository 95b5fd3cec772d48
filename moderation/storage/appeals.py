"""Commenters' appeals (申诉): against a rejected comment or a mute, filed through the
signed endpoint, decided by someone other than whoever decided first (checked here, on the
server), recorded and pushed back to the site. An upheld appeal restores the comment (an
approve, a recorded decision) and can lift the author's sanction."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from moderation.push.actions import APPEAL_OUTCOME
from moderation.rules.model import LEVELS, MUTED
from moderation.scoring.personal_data import mask_personal_data
from moderation.states import REJECTED, SYSTEM_ACTOR
from moderation.storage import authors, decisions, outbox
from moderation.storage.decisions import Seen
from moderation.storage.reader_reports import (
    IntakeError,
    bounded_text,
    comment_by_native,
    filed_last_hour,
    keep_as_seen,
    site_id,
)
from moderation.timeutil import iso, now_iso

COMMENT, MUTE = "comment", "mute"
KINDS = {COMMENT: "评论被拒", MUTE: "被禁言"}
OPEN, UPHELD, DENIED = "open", "upheld", "denied"
OUTCOMES = {UPHELD: "申诉成立", DENIED: "申诉驳回"}
MAX_NOTE = 500
MAX_AUTHOR_ID = 200


class AppealError(ValueError):
    """An appeal decision that cannot be made as asked (message in Chinese)."""


class SanctionChanged(AppealError):
    """A mute appeal decided on a page out of date: the author's level changed after the
    page was drawn (`change` is that level change)."""

    def __init__(self, change: dict):
        level = change["to_level"]
        what = f"改为“{LEVELS.get(level, level)}”" if level else "解除"
        super().__init__(f"您打开页面之后，该作者的级别已由 {change['actor']} {what}，申诉仍待复核")
        self.change = change


def file_appeal(
    db,
    *,
    channel: str,
    kind: str,
    digest: str,
    comment_native_id: str | None = None,
    author_id: str | None = None,
    text=None,
    appeal_id=None,
    now: datetime,
    per_hour: int,
    time_limit_hours: int,
    text_chars: int,
) -> dict:
    """Store one appeal: {"id", "duplicate"}; an open appeal on the same thing is returned,
    not doubled; IntakeError (409) when there is nothing to appeal."""
    if kind not in KINDS:
        raise IntakeError(f"kind must be one of {', '.join(KINDS)}")
    text = bounded_text(text, text_chars)
    appeal_id = site_id(appeal_id)
    with db.atomic():
        if kind == COMMENT:
            subject = _rejected_comment(db, channel, comment_native_id)
        else:
            subject = _muted_author(db, channel, author_id)
        found = db.execute(
            "SELECT id FROM appeals WHERE kind = ? AND COALESCE(comment_id, 0) = ? "
            "AND author_key = ? AND state = 'open'",
            [kind, subject["comment_id"] or 0, subject["author_key"]],
        ).fetchone()
        if found:
            return {"id": found[0], "duplicate": True}
        if filed_last_hour(db, digest, now) >= per_hour:
            raise IntakeError(f"more than {per_hour} requests in an hour from this reader", 429)
        appeal = db.table("appeals").insert(
            {
                "kind": kind,
                **subject,
                "channel": channel,
                "site_appeal_id": appeal_id,
                "appellant_digest": digest,
                "text": text,
                "received_at": iso(now),
                "due_at": iso(now + timedelta(hours=time_limit_hours)),
                "state": OPEN,
            }
        )
    return {"id": appeal.last_pk, "duplicate": False}


def _rejected_comment(db, channel: str, native_id) -> dict:
    if not isinstance(native_id, str | int) or isinstance(native_id, bool):
        raise IntakeError("comment_id is required for a comment appeal")
    comment = comment_by_native(db, channel, str(native_id))
    if comment["status"] != REJECTED:
        raise IntakeError("the comment is not rejected: nothing to appeal", 409)
    last = decisions.last(db, comment["id"])
    return {
        "comment_id": comment["id"],
        "author_key": comment["author_key"],
        "first_decider": last["actor"] if last else SYSTEM_ACTOR,
        "first_record_id": last["id"] if last else None,
    }


def _muted_author(db, channel: str, author_id) -> dict:
    if not isinstance(author_id, str | int) or isinstance(author_id, bool):
        raise IntakeError("author_id is required for a mute appeal")
    author_id = str(author_id)
    if not author_id or len(author_id) > MAX_AUTHOR_ID:
        raise IntakeError(f"author_id must be 1 to {MAX_AUTHOR_ID} characters")
    author_key = f"{channel}:{author_id}"
    if authors.explicit_levels(db, [author_key]).get(author_key) != MUTED:
        raise IntakeError("the author is not muted: nothing to appeal", 409)
    change = authors.level_changes(db, author_key)[0]
    return {
        "comment_id": None,
        "author_key": author_key,
        "first_decider": change["actor"],
        "first_record_id": change["id"],
    }


def decide(
    db,
    appeal_id: int,
    outcome: str,
    actor: str,
    note: str = "",
    lift: bool = False,
    seen: Seen | str | None = None,
    seen_level: int | None = None,
) -> dict:
    """Decide an open appeal. Refused for whoever decided first. Upheld restores a comment
    (approve) and, with `lift` or for a mute appeal, lifts the author's mute; the outcome
    is recorded and queued for the site.

    `seen` is what the moderator was shown of the comment (a Seen, or its state): upheld
    or denied, a comment decided by someone else since raises DecisionConflict and the
    appeal stays open (`decisions.decide` checks it). `seen_level` is the author's newest
    level change the page knew of: for a mute appeal, a newer one raises SanctionChanged."""
    if isinstance(seen, str):
        seen = Seen(states=seen)
    if outcome not in OUTCOMES:
        raise AppealError("结果须为“申诉成立”或“申诉驳回”")
    note = " ".join((note or "").split())
    if len(note) > MAX_NOTE:
        raise AppealError(f"说明不超过 {MAX_NOTE} 字")
    with db.atomic():
        appeal = db.table("appeals").get(appeal_id) if _exists(db, appeal_id) else None
        if appeal is None:
            raise AppealError("没有这条申诉")
        if appeal["state"] != OPEN:
            raise AppealError("这条申诉已处理")
        if actor == appeal["first_decider"]:
            raise AppealError("申诉须由首次处理人以外的人复核")
        if appeal["kind"] == MUTE and seen_level is not None:
            newest = authors.level_changes(db, appeal["author_key"])
            if newest and newest[0]["id"] != seen_level:
                raise SanctionChanged(newest[0])
        decision_id = _apply(db, appeal, outcome, actor, note, seen)
        wants_lift = outcome == UPHELD and (lift or appeal["kind"] == MUTE)
        lifted = wants_lift and _lift(db, appeal["author_key"], actor, appeal_id)
        db.execute(
            "UPDATE appeals SET state = ?, decided_by = ?, decided_at = ?, note = ?, "
            "decision_id = ?, lifted = ? WHERE id = ?",
            [outcome, actor, now_iso(), note or None, decision_id, int(lifted), appeal_id],
        )
        pushed = _queue_outcome(db, appeal, outcome, note, decision_id, actor)
    return {"decision_id": decision_id, "lifted": lifted, "pushed": pushed is not None}


def _exists(db, appeal_id: int) -> bool:
    return db.execute("SELECT 1 FROM appeals WHERE id = ?", [appeal_id]).fetchone() is not None


def _apply(db, appeal: dict, outcome: str, actor: str, note: str, seen) -> int | None:
    """A comment appeal upheld is an approve; otherwise the outcome is a row of the
    comment's history. Both go through `decisions.decide` with what the moderator saw. A
    mute appeal has no comment: the appeal row is its record."""
    comment_id = appeal["comment_id"]
    if comment_id is None:
        return None
    if outcome == UPHELD:
        [result] = decisions.decide(db, [comment_id], "approve", actor, "申诉成立", seen)
        if result["decision_id"] is not None:
            return result["decision_id"]
        state = result["to"]
    else:
        state = keep_as_seen(db, comment_id, actor, seen)
    action = "appeal_upheld" if outcome == UPHELD else "appeal_denied"
    return decisions.record(db, comment_id, actor, action, state, state, note or None)


def _lift(db, author_key: str, actor: str, appeal_id: int) -> bool:
    """Lift a mute in force (audited as an account event); False when there is none."""
    if authors.explicit_levels(db, [author_key]).get(author_key) != MUTED:
        return False
    authors.set_level(db, author_key, None, actor, f"申诉 #{appeal_id} 成立，解除禁言")
    return True


def _queue_outcome(db, appeal, outcome, note, decision_id, actor) -> int | None:
    policy = outbox.policy(db, appeal["channel"])
    if not policy or policy["mode"] == "off" or policy["type"] != "jsonfeed":
        return None
    target = outbox.comment_target(db, appeal["comment_id"]) if appeal["comment_id"] else None
    body = {
        "outcome": outcome,
        "kind": appeal["kind"],
        "appeal_id": appeal["site_appeal_id"],
        "author_id": appeal["author_key"].split(":", 1)[1],
        "note": mask_personal_data(note) if note else None,  # shown to the reader: masked
    }
    return outbox.enqueue_about(
        db,
        appeal["comment_id"],
        target,
        key=f"{APPEAL_OUTCOME}:{appeal['id']}",
        channel=appeal["channel"],
        action=APPEAL_OUTCOME,
        mode=policy["mode"],
        decision_id=decision_id,
        text=json.dumps(body, ensure_ascii=False, sort_keys=True),
        actor=actor,
    )


def listing(db, state: str | None = OPEN, limit: int = 200) -> list[dict]:
    """Appeals (open ones oldest first; decided ones newest first) with their comment and,
    for a comment, the reason code of the decision appealed against (for a mute, the
    reason the mute was given)."""
    order = "a.received_at ASC" if state == OPEN else "a.decided_at DESC"
    where, params = ("WHERE a.state = ?", [state]) if state else ("WHERE a.state != 'open'", [])
    return list(
        db.query(
            "SELECT a.id, a.kind, a.comment_id, a.author_key, a.channel, a.text, "
            "a.first_decider, a.received_at, a.due_at, a.state, a.decided_by, a.decided_at, "
            "a.note, a.lifted, c.text AS comment_text, c.status AS comment_status, "
            "COALESCE(c.author_name, (SELECT n.author_name FROM comments n WHERE "
            "n.author_key = a.author_key ORDER BY n.id DESC LIMIT 1)) AS author_name, "
            "d.reason AS first_reason, m.reason AS mute_reason, (SELECT MAX(l.id) FROM "
            "author_level_changes l WHERE l.author_key = a.author_key) AS level_change "
            "FROM appeals a "
            "LEFT JOIN comments c ON c.id = a.comment_id "
            "LEFT JOIN decisions d ON a.kind = 'comment' AND d.id = a.first_record_id "
            "LEFT JOIN author_level_changes m ON a.kind = 'mute' AND m.id = a.first_record_id "
            f"{where} ORDER BY {order}, a.id LIMIT ?",
            [*params, limit],
        )
    )


def open_count(db) -> int:
    """Appeals waiting for a decision."""
    return db.execute("SELECT COUNT(*) FROM appeals WHERE state = 'open'").fetchone()[0]
