"""The transactional outbox: actions owed to the channels, written in the decision's own
transaction, then claimed, sent and recorded by the sender.

A row's life: ``pending`` -> ``sending`` (claimed by one sender, committed before the HTTP
call) -> ``done`` / ``failed`` (with the reason) or back to ``pending`` with a later
``next_at``. A sender that dies mid-call leaves its row ``sending``; once its lease ends (or
its process is seen dead) the row is sent again: delivery is at least once, and every
action is idempotent on the channel (the key travels as the idempotency key), so a resend
changes nothing. Rows stamped ``dry_run`` are never sent: the request they would have made
is recorded. Every send attempt is a row in ``outbox_sends`` (request, answer, time).
"""

from __future__ import annotations

import json
import os
import socket
from datetime import datetime, timedelta

from moderation.push.actions import DELETE, FEATURE, INVERSE, NONE, UNFEATURE
from moderation.states import APPROVED, PENDING, REJECTED, SYSTEM_ACTOR
from moderation.storage import by_comment, decision_log
from moderation.storage.channels import process_alive
from moderation.timeutil import iso, now_iso

# The actions that set where a comment stands on its channel (精选 or gone), as SQL.
_STANDING = f"('{FEATURE}', '{UNFEATURE}', '{DELETE}')"

WAITING = "pending"
SENDING = "sending"
DONE = "done"
FAILED = "failed"
DRY_RUN = "dry_run"
SUPERSEDED = "superseded"  # undone before it was sent: nothing to send
HELD = "held"  # push = "off" or the channel disabled: kept, sent once pushing resumes
OPEN_STATES = (WAITING, SENDING)
STATE_LABELS = {
    WAITING: "待推送",
    HELD: "已暂停",
    SENDING: "推送中",
    DONE: "已同步",
    FAILED: "失败",
    DRY_RUN: "演练（未发送）",
    SUPERSEDED: "已撤销（未发送）",
}

MAX_NOTE = 500
MAX_EXCHANGE = 4000  # characters of a request or answer kept in the audit
HELD_NOTE = "推送已关闭或渠道已停用：暂停发送，恢复推送后继续"
ATTEMPT = "attempt"  # an outbox_sends row for one HTTP try (the others end the row)
# Channels that may send now: pushing (on or dry_run) and enabled.
ACTIVE_CHANNELS = "SELECT channel FROM push_policies WHERE mode != 'off' AND enabled = 1"


# -- policies ---------------------------------------------------------------------------


def sync_policies(db, policies: dict[str, dict]) -> None:
    """Store each channel's push policy (from config.toml); channels not listed push nothing.

    Written only when it changed, so opening the database stays a read.
    """
    stored = {row.pop("channel"): row for row in db.query("SELECT * FROM push_policies")}
    for row in stored.values():
        row.pop("updated_at")
    policies = {name: {"enabled": 1, **policy} for name, policy in policies.items()}
    if stored != policies:
        now = now_iso()
        with db.atomic():
            db.execute("DELETE FROM push_policies")
            for channel, policy in policies.items():
                db.table("push_policies").insert({"channel": channel, **policy, "updated_at": now})
    hold_or_resume(db)


def hold_or_resume(db) -> tuple[int, int]:
    """Hold the waiting rows of channels that may not send (push off, disabled, gone) as
    已暂停, and put held rows of channels that may send again back to due; (held, resumed).

    Only reads when nothing changes, so opening the database stays a read.
    """
    to_hold = db.execute(
        f"SELECT COUNT(*) FROM outbox WHERE state = ? AND channel NOT IN ({ACTIVE_CHANNELS})",
        [WAITING],
    ).fetchone()[0]
    to_resume = db.execute(
        f"SELECT COUNT(*) FROM outbox WHERE state = ? AND channel IN ({ACTIVE_CHANNELS})",
        [HELD],
    ).fetchone()[0]
    if not (to_hold or to_resume):
        return 0, 0
    with db.atomic():
        db.execute(
            f"UPDATE outbox SET state = ?, note = ? WHERE state = ? "
            f"AND channel NOT IN ({ACTIVE_CHANNELS})",
            [HELD, HELD_NOTE, WAITING],
        )
        db.execute(
            f"UPDATE outbox SET state = ?, note = NULL, next_at = ?, mode = (SELECT p.mode "
            f"FROM push_policies p WHERE p.channel = outbox.channel) WHERE state = ? "
            f"AND channel IN ({ACTIVE_CHANNELS})",
            [WAITING, iso(datetime.now().astimezone(), "milliseconds"), HELD],
        )
    return to_hold, to_resume


def policy(db, channel: str) -> dict | None:
    """A channel's push policy, or None when it pushes nothing."""
    rows = list(db.query("SELECT * FROM push_policies WHERE channel = ?", [channel]))
    return rows[0] if rows else None


def policies(db) -> list[dict]:
    """Every channel's push policy, by name."""
    return list(db.query("SELECT * FROM push_policies ORDER BY channel"))


# -- enqueueing -------------------------------------------------------------------------


def on_decision(db, decision_id: int, comment_id: int, to_state: str, actor: str) -> int | None:
    """Queue what a decision owes the channel, in the caller's transaction; the row id or None.

    Approve and reject push what the channel's policy says; a reopen (an undo) pushes the
    inverse of what was pushed; an action still unsent whose inverse comes is cancelled.
    """
    comment = comment_target(db, comment_id)
    rules = comment and policy(db, comment["channel"])
    if not rules or rules["mode"] == "off":
        return None
    pushed = _pushed(db, comment_id, rules["mode"])
    featured = bool(comment["featured"])
    for row in pushed:
        featured = {FEATURE: True, UNFEATURE: False}.get(row["action"], featured)
    if any(row["action"] == DELETE for row in pushed):
        return None  # gone from the channel: nothing more to send
    want = _wanted(rules, to_state, featured)
    if want == NONE or (want == FEATURE and featured) or (want == UNFEATURE and not featured):
        return None
    last = pushed[-1] if pushed else None
    if last and last["state"] == WAITING and last["action"] in (FEATURE, UNFEATURE):
        _supersede(db, last["id"])  # not sent yet: the newer decision replaces it
        if INVERSE.get(last["action"]) == want:
            return None
    return enqueue_about(
        db,
        comment_id,
        comment,
        key=f"decision:{decision_id}",
        channel=comment["channel"],
        action=want,
        mode=rules["mode"],
        decision_id=decision_id,
        actor=actor,
    )


def _wanted(rules: dict, to_state: str, featured: bool) -> str:
    if to_state == APPROVED:
        return rules["on_approve"]
    if to_state == REJECTED and rules["on_reject"] != NONE:
        return rules["on_reject"]
    if to_state in (REJECTED, PENDING) and featured:
        return UNFEATURE  # undoing an approve takes the 精选 back
    return NONE


def enqueue_about(
    db, comment_id: int | None, target: dict | None, *, channel: str, **fields
) -> int | None:
    """Queue an action about a comment: its story and native ids come from `target`
    (``comment_target``; None when the comment is gone, as an appeal's may be)."""
    ids = (
        {
            "story_id": target["story_id"],
            "comment_native_id": target["native_id"],
            "story_native_id": target["story_native_id"],
        }
        if target
        else {}
    )
    return enqueue(db, channel=channel, comment_id=comment_id, **ids, **fields)


def comment_target(db, comment_id: int) -> dict | None:
    """What an action on a comment needs: its channel, native ids, state and 精选 flag."""
    row = db.execute(
        "SELECT c.channel, c.native_id, c.featured, c.status, c.story_id, s.native_id "
        "FROM comments c LEFT JOIN stories s ON s.id = c.story_id WHERE c.id = ?",
        [comment_id],
    ).fetchone()
    if row is None:
        return None
    keys = ("channel", "native_id", "featured", "status", "story_id", "story_native_id")
    return dict(zip(keys, row, strict=True))


def _pushed(db, comment_id: int, mode: str) -> list[dict]:
    """A comment's 精选/delete actions that were or will be sent, oldest first."""
    return list(
        db.query(
            "SELECT id, action, state FROM outbox WHERE comment_id = ? AND mode = ? "
            f"AND action IN {_STANDING} "
            "AND state NOT IN ('superseded', 'failed') ORDER BY id",
            [comment_id, mode],
        )
    )


def _supersede(db, row_id: int) -> None:
    db.execute(
        "UPDATE outbox SET state = ?, finished_at = ?, note = ? WHERE id = ? AND state = ?",
        [SUPERSEDED, now_iso(), "决定已撤销，未发送", row_id, WAITING],
    )


def enqueue(db, *, key: str, channel: str, action: str, mode: str, **fields) -> int | None:
    """Add one action (ignored if its key is queued already); the row id or None.

    On a channel that may not send now (disabled) the action is kept 已暂停.
    """
    now = now_iso()
    active = db.execute(
        f"SELECT 1 FROM push_policies WHERE channel = ? AND channel IN ({ACTIVE_CHANNELS})",
        [channel],
    ).fetchone()
    row = {
        "key": key,
        "channel": channel,
        "action": action,
        "mode": mode,
        "state": WAITING if active else HELD,
        "note": None if active else HELD_NOTE,
        "next_at": now,
        "created_at": now,
        **fields,
    }
    columns = ", ".join(row)
    marks = ", ".join("?" * len(row))
    cursor = db.execute(
        f"INSERT OR IGNORE INTO outbox ({columns}) VALUES ({marks})", list(row.values())
    )
    return cursor.lastrowid if cursor.rowcount else None


# -- sending ----------------------------------------------------------------------------


def holder_id() -> str:
    """Who claims rows: host and process, so a dead sender's claims can be taken back."""
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_next(
    db, holder: str, now: datetime, lease_seconds: float, skip: set[str], channel: str | None
) -> dict | None:
    """Take the oldest due row (not of a `skip` channel) for `holder`, committed at once.

    A comment's actions go in order: a row waits while an older one of its comment is
    open; a story's switches likewise. Nothing else waits: one comment's trouble (a long
    retry, a failure) never holds the channel. Channels that may not send are skipped.
    """
    stamp = iso(now, "milliseconds")
    clauses = ["(o.state = 'pending' AND o.next_at <= ?) OR (o.state = 'sending' AND "
               "o.lease_until <= ?)"]  # fmt: skip
    params: list = [stamp, stamp]
    if channel:
        clauses.append("o.channel = ?")
        params.append(channel)
    if skip:
        clauses.append(f"o.channel NOT IN ({', '.join('?' * len(skip))})")
        params.extend(sorted(skip))
    sql = (
        f"SELECT o.id FROM outbox o WHERE ({clauses[0]}) "
        + "".join(f" AND {clause}" for clause in clauses[1:])
        + f" AND o.channel IN ({ACTIVE_CHANNELS})"
        " AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.comment_id = o.comment_id "
        "AND e.id < o.id AND e.state IN ('pending', 'sending'))"
        " AND (o.comment_id IS NOT NULL OR NOT EXISTS (SELECT 1 FROM outbox e "
        "WHERE e.story_id = o.story_id AND e.comment_id IS NULL AND e.id < o.id "
        "AND e.state IN ('pending', 'sending'))) ORDER BY o.id LIMIT 1"
    )
    lease = iso(now + timedelta(seconds=lease_seconds), "milliseconds")
    with db.atomic():
        found = db.execute(sql, params).fetchone()
        if found is None:
            return None
        db.execute(
            "UPDATE outbox SET state = ?, claimed_by = ?, lease_until = ?, "
            "attempts = attempts + 1 WHERE id = ?",
            [SENDING, holder, lease, found[0]],
        )
    return db.table("outbox").get(found[0])


def reclaim_orphans(db, alive=None) -> int:
    """Rows left `sending` by a dead process on this host go back to pending; how many."""
    alive = alive or process_alive
    host = socket.gethostname()
    freed = 0
    for row in db.query("SELECT id, claimed_by FROM outbox WHERE state = 'sending'"):
        owner_host, _, pid = (row["claimed_by"] or "").rpartition(":")
        if owner_host == host and pid.isdigit() and not alive(int(pid)):
            db.execute(
                "UPDATE outbox SET state = ?, claimed_by = NULL, lease_until = NULL "
                "WHERE id = ? AND state = ? AND claimed_by = ?",
                [WAITING, row["id"], SENDING, row["claimed_by"]],
            )
            freed += 1
    return freed


def finish(db, row_id: int, holder: str, done: bool, note: str, request, answer: str) -> None:
    """Record how a claimed row ended (done or failed for good) and the exchange."""
    state = DONE if done else FAILED
    with db.atomic():
        changed = db.execute(
            "UPDATE outbox SET state = ?, note = ?, finished_at = ?, claimed_by = NULL, "
            "lease_until = NULL WHERE id = ? AND claimed_by = ?",
            [state, (note or "")[:MAX_NOTE] or None, now_iso(), row_id, holder],
        ).rowcount
        _audit(db, row_id, request, answer, state)
        if changed and done:
            _log_reply_sent(db, row_id)


def _log_reply_sent(db, row_id: int) -> None:
    """A sent (or taken back) official reply goes into the comment's history and exports."""
    row = db.execute(
        "SELECT o.action, o.comment_id, o.actor, c.status FROM outbox o "
        "JOIN comments c ON c.id = o.comment_id WHERE o.id = ? AND o.reply_id IS NOT NULL",
        [row_id],
    ).fetchone()
    if row:
        action, comment_id, actor, status = row
        event = "reply_sent" if action == "reply" else "reply_deleted"
        decision_log.record(db, comment_id, actor or SYSTEM_ACTOR, event, status, status)


def finish_dry_run(db, row_id: int, holder: str, request) -> None:
    """A dry-run row: record what would have been sent, send nothing."""
    with db.atomic():
        db.execute(
            "UPDATE outbox SET state = ?, note = ?, finished_at = ?, claimed_by = NULL, "
            "lease_until = NULL WHERE id = ? AND claimed_by = ?",
            [DRY_RUN, "演练模式：未发送", now_iso(), row_id, holder],
        )
        _audit(db, row_id, request, "", DRY_RUN)


def retry_later(db, row_id: int, holder: str, until: datetime, note: str, request=None) -> None:
    """Put a claimed row back to wait until `until` (a transient failure), with the reason."""
    with db.atomic():
        db.execute(
            "UPDATE outbox SET state = ?, next_at = ?, note = ?, claimed_by = NULL, "
            "lease_until = NULL WHERE id = ? AND claimed_by = ?",
            [WAITING, iso(until, "milliseconds"), note[:MAX_NOTE], row_id, holder],
        )
        _audit(db, row_id, request or {}, note, "retry")


def pause_channel(db, channel: str, until: datetime) -> None:
    """Nothing of `channel` is due before `until` (its quota is spent or it is down)."""
    stamp = iso(until, "milliseconds")
    db.execute(
        "UPDATE outbox SET next_at = ? WHERE channel = ? AND state = ? AND next_at < ?",
        [stamp, channel, WAITING, stamp],
    )


def give_up(db, row_id: int, holder: str, note: str) -> None:
    """A claimed row whose transient failures went on too long: failed, with the reason."""
    finish(db, row_id, holder, False, note, {}, note)


def record_attempts(db, row_id: int, request, attempts) -> None:
    """Every HTTP try of one send (time, path, status or trouble, errcode, duration)."""
    text = request if isinstance(request, str) else json.dumps(request, ensure_ascii=False)
    with db.atomic():
        for attempt in attempts:
            db.table("outbox_sends").insert(
                {
                    "outbox_id": row_id,
                    "at": attempt.at,
                    "request": text[:MAX_EXCHANGE],
                    "answer": attempt.describe()[:MAX_NOTE],
                    "outcome": ATTEMPT,
                    "path": attempt.path[:200],
                    "status": attempt.status,
                    "errcode": attempt.errcode,
                    "duration_ms": round(attempt.seconds * 1000),
                }
            )


def _audit(db, row_id: int, request, answer: str, outcome: str) -> None:
    text = request if isinstance(request, str) else json.dumps(request, ensure_ascii=False)
    db.table("outbox_sends").insert(
        {
            "outbox_id": row_id,
            "at": now_iso(),
            "request": text[:MAX_EXCHANGE],
            "answer": (answer or "")[:MAX_EXCHANGE],
            "outcome": outcome,
        }
    )


def retry(db, row_id: int) -> bool:
    """The 重试 button: a failed row is due again; a row waiting out a pause (a refused
    token, a spent quota, a backoff) is due now and so is the rest of its channel's
    waiting work. False if the row was neither failed nor waiting."""
    now = iso(datetime.now().astimezone(), "milliseconds")
    with db.atomic():
        row = db.execute("SELECT channel, state FROM outbox WHERE id = ?", [row_id]).fetchone()
        if row is None or row[1] not in (FAILED, WAITING):
            return False
        db.execute(
            "UPDATE outbox SET state = ?, next_at = ?, finished_at = NULL WHERE id = ?",
            [WAITING, now, row_id],
        )
        if row[1] == WAITING:
            resume_channel(db, row[0], now)
    return True


def resume_channel(db, channel: str, now: str | None = None) -> int:
    """Every waiting row of `channel` is due now (an operator fixed what paused it)."""
    now = now or iso(datetime.now().astimezone(), "milliseconds")
    return db.execute(
        "UPDATE outbox SET next_at = ? WHERE channel = ? AND state = ? AND next_at > ?",
        [now, channel, WAITING, now],
    ).rowcount


# -- reading ----------------------------------------------------------------------------


def for_comments(db, comment_ids) -> dict[int, list[dict]]:
    """{comment id: its outbox rows, oldest first} for a page of cards."""
    return by_comment(
        db, "SELECT * FROM outbox WHERE comment_id IN ({marks}) ORDER BY id", comment_ids
    )


def sends(db, row_id: int) -> list[dict]:
    """Every send attempt of one row: request, answer, time."""
    return list(db.query("SELECT * FROM outbox_sends WHERE outbox_id = ? ORDER BY id", [row_id]))


def sends_for(db, row_ids) -> dict[int, list[dict]]:
    """{outbox row id: its send history (tries and endings), oldest first} for a page."""
    row_ids = sorted({row_id for row_id in row_ids if row_id is not None})
    found: dict[int, list[dict]] = {row_id: [] for row_id in row_ids}
    if not row_ids:
        return found
    marks = ",".join("?" * len(row_ids))
    for row in db.query(
        "SELECT id, outbox_id, at, answer, outcome, path, status, errcode, duration_ms "
        f"FROM outbox_sends WHERE outbox_id IN ({marks}) ORDER BY id",
        row_ids,
    ):
        found[row["outbox_id"]].append(row)
    return found


def status(db) -> list[dict]:
    """Per channel: backlog, failures, dry runs, last success, oldest waiting and why."""
    rows = db.query(
        """
        SELECT channel,
               SUM(state IN ('pending', 'sending')) AS backlog,
               SUM(state = 'held') AS held,
               SUM(state = 'failed') AS failed,
               SUM(state = 'dry_run') AS dry_run,
               SUM(state = 'done') AS done,
               MAX(CASE WHEN state = 'done' THEN finished_at END) AS last_success,
               MIN(CASE WHEN state = 'pending' THEN next_at END) AS next_at
        FROM outbox GROUP BY channel ORDER BY channel
        """
    )
    found = {row["channel"]: row for row in rows}
    for row in found.values():
        waiting = db.execute(
            "SELECT note FROM outbox WHERE channel = ? AND state = 'pending' AND note IS NOT NULL "
            "ORDER BY id DESC LIMIT 1",
            [row["channel"]],
        ).fetchone()
        row["waiting_because"] = waiting[0] if waiting else None
    return list(found.values())


def latest_story(db, channel: str) -> str | None:
    """The native id of a channel's newest stored story (what `push --check` reads)."""
    row = db.execute(
        "SELECT native_id FROM stories WHERE channel = ? ORDER BY id DESC LIMIT 1", [channel]
    ).fetchone()
    return row[0] if row else None


def featured_counts(db, story_ids) -> dict[int, int]:
    """{story id: comments 精选 on the channel} (collected 精选 plus ones we featured since)."""
    story_ids = sorted({s for s in story_ids if s is not None})
    if not story_ids:
        return {}
    marks = ",".join("?" * len(story_ids))
    counts = dict.fromkeys(story_ids, 0)
    for story_id, featured in db.execute(
        f"""
        SELECT c.story_id, COUNT(*) FROM comments c
        WHERE c.story_id IN ({marks}) AND COALESCE(
            (SELECT o.action = '{FEATURE}' FROM outbox o WHERE o.comment_id = c.id
             AND o.mode = 'on' AND o.state IN ('pending', 'sending', 'done')
             AND o.action IN {_STANDING} ORDER BY o.id DESC LIMIT 1),
            c.featured) = 1
        GROUP BY c.story_id
        """,
        story_ids,
    ):
        counts[story_id] = featured
    return counts
