"""Comment switches per story: open or close comments on every channel of a story in one
action, the admins' emergency 一键关闭 (and its undo), and the scheduled closings.

Each switch is a row in `comment_switches` (who, why, when) and one outbox action per
linked story on a channel that can do it. Scheduled closings use keys derived from the
day and the story, so the job may run as often as it likes: nothing is queued twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from moderation.storage import outbox
from moderation.timeutil import BEIJING, iso, now_iso

OPEN, CLOSE = "open_comments", "close_comments"
EMERGENCY = "emergency"
NIGHTLY_DAYS = 7  # the nightly close covers stories published this many days back


def switch_story(
    db, story_id: int, action: str, actor: str, reason: str = "manual", batch: str | None = None
) -> int:
    """Open or close a story's comments on every channel that can; the actions queued."""
    if action not in (OPEN, CLOSE):
        raise ValueError(f"unknown switch {action!r}")
    with db.atomic():
        switch_id = (
            db.table("comment_switches")
            .insert(
                {
                    "story_id": story_id,
                    "action": action,
                    "actor": actor,
                    "reason": reason,
                    "batch": batch,
                    "at": now_iso(),
                    "queued": 0,
                }
            )
            .last_pk
        )
        queued = sum(
            _queue(db, story, action, f"switch:{switch_id}:{story['id']}", actor)
            for story in linked_stories(db, story_id)
        )
        db.execute("UPDATE comment_switches SET queued = ? WHERE id = ?", [queued, switch_id])
    return queued


def _queue(db, story: dict, action: str, key: str, actor: str) -> bool:
    rules = outbox.policy(db, story["channel"])
    if not rules or rules["mode"] == "off" or action not in rules["supported"].split():
        return False
    waiting = db.execute(
        "SELECT id, action FROM outbox WHERE story_id = ? AND comment_id IS NULL "
        "AND state = 'pending' ORDER BY id DESC LIMIT 1",
        [story["id"]],
    ).fetchone()
    if waiting and waiting[1] != action:  # the opposite switch, unsent: both cancel out
        db.execute("UPDATE outbox SET state = 'superseded' WHERE id = ?", [waiting[0]])
        return False
    return bool(
        outbox.enqueue(
            db,
            key=key,
            channel=story["channel"],
            action=action,
            mode=rules["mode"],
            story_id=story["id"],
            story_native_id=story["native_id"],
            actor=actor,
        )
    )


def linked_stories(db, story_id: int) -> list[dict]:
    """The story and every story linked to it across channels."""
    return list(
        db.query(
            "SELECT id, channel, native_id, published_at FROM stories "
            "WHERE COALESCE(canonical_id, id) = "
            "(SELECT COALESCE(canonical_id, id) FROM stories WHERE id = ?) ORDER BY id",
            [story_id],
        )
    )


def is_closed(db, story_id: int) -> bool:
    """Whether the story's latest switch *request* closed its comments (what the schedules
    and 一键关闭 go by; what the channels answered is :func:`outcome`)."""
    row = db.execute(
        "SELECT action FROM comment_switches WHERE story_id IN "
        "(SELECT id FROM stories WHERE COALESCE(canonical_id, id) = "
        "(SELECT COALESCE(canonical_id, id) FROM stories WHERE id = ?)) "
        "ORDER BY id DESC LIMIT 1",
        [story_id],
    ).fetchone()
    return bool(row and row[0] == CLOSE)


def outcome(db, story_id: int) -> dict:
    """What the channels say of a story's comment switch, across its linked stories.

    ``closed``: the channels' answer, not the request: the latest switch a channel
    confirmed (done) decides, and with none confirmed the comments are as collected (open).
    ``requested_closed``: the latest request. ``latest``: per linked story on a channel,
    its latest switch action (state, note, id for 重试), newest first; ``failed`` and
    ``waiting`` are those of them that failed or are not answered yet.
    """
    ids = [story["id"] for story in linked_stories(db, story_id)]
    rows = _switch_rows(db, ids) if ids else []
    confirmed = next((row for row in rows if row["state"] == "done"), None)
    latest: dict[int, dict] = {}
    for row in rows:
        latest.setdefault(row["story_id"], row)
    newest = sorted(latest.values(), key=lambda row: row["id"], reverse=True)
    return {
        "closed": bool(confirmed and confirmed["action"] == CLOSE),
        "requested_closed": is_closed(db, story_id) if ids else False,
        "latest": newest,
        "failed": [row for row in newest if row["state"] == "failed"],
        "waiting": [row for row in newest if row["state"] in ("pending", "sending", "held")],
    }


def _switch_rows(db, story_ids: list[int]) -> list[dict]:
    """The switch actions sent or owed on these stories (not the cancelled), newest first."""
    marks = ", ".join("?" * len(story_ids))
    return list(
        db.query(
            "SELECT id, story_id, channel, action, state, note, finished_at, attempts "
            f"FROM outbox WHERE story_id IN ({marks}) AND comment_id IS NULL "
            "AND action IN (?, ?) AND mode = 'on' AND state NOT IN ('superseded', 'dry_run') "
            "ORDER BY id DESC",
            [*story_ids, OPEN, CLOSE],
        )
    )


def outcomes(db, story_ids) -> dict[int, dict]:
    """{story id: :func:`outcome`} for a list of stories."""
    return {story_id: outcome(db, story_id) for story_id in story_ids}


def history(db, story_id: int) -> list[dict]:
    """The story's switches, newest first."""
    return list(
        db.query("SELECT * FROM comment_switches WHERE story_id = ? ORDER BY id DESC", [story_id])
    )


def close_all(db, actor: str) -> tuple[str, int]:
    """一键关闭: close comments on every open story of a pushing channel; (batch, stories)."""
    batch = f"{EMERGENCY}:{now_iso()}"
    stories = [
        row["id"]
        for row in db.query(
            "SELECT DISTINCT COALESCE(s.canonical_id, s.id) AS id FROM stories s "
            "JOIN push_policies p ON p.channel = s.channel WHERE p.mode != 'off' ORDER BY 1"
        )
        if not is_closed(db, row["id"])
    ]
    for story_id in stories:
        switch_story(db, story_id, CLOSE, actor, reason=EMERGENCY, batch=batch)
    return batch, len(stories)


def reopen_all(db, actor: str) -> int:
    """Undo the last 一键关闭: reopen exactly the stories it closed and still closed."""
    row = db.execute(
        "SELECT batch FROM comment_switches WHERE reason = ? ORDER BY id DESC LIMIT 1",
        [EMERGENCY],
    ).fetchone()
    if row is None:
        return 0
    stories = [
        r["story_id"]
        for r in db.query(
            "SELECT story_id FROM comment_switches WHERE batch = ? AND action = ?", [row[0], CLOSE]
        )
        if is_closed(db, r["story_id"])
    ]
    for story_id in stories:
        switch_story(db, story_id, OPEN, actor, reason="emergency_undo", batch=row[0] + ":undo")
    return len(stories)


def emergency_active(db) -> dict | None:
    """The last 一键关闭 if it has not been undone: {batch, at, actor, stories}."""
    row = db.execute(
        "SELECT batch, at, actor FROM comment_switches WHERE reason = ? ORDER BY id DESC LIMIT 1",
        [EMERGENCY],
    ).fetchone()
    if row is None:
        return None
    undone = db.execute(
        "SELECT 1 FROM comment_switches WHERE batch = ? LIMIT 1", [row[0] + ":undo"]
    ).fetchone()
    if undone:
        return None
    count = db.execute(
        "SELECT COUNT(*) FROM comment_switches WHERE batch = ?", [row[0]]
    ).fetchone()[0]
    return {"batch": row[0], "at": row[1], "actor": row[2], "stories": count}


def queue_scheduled(db, now: datetime) -> int:
    """Queue the closings and reopenings the channels' schedules call for at `now`."""
    queued = 0
    with db.atomic():
        for rules in outbox.policies(db):
            if rules["mode"] == "off" or CLOSE not in rules["supported"].split():
                continue
            queued += _nightly(db, rules, now) + _by_age(db, rules, now)
    return queued


def _nightly(db, rules: dict, now: datetime) -> int:
    from moderation.push.actions import parse_clock

    close_at, reopen_at = parse_clock(rules["close_at"]), parse_clock(rules["reopen_at"])
    if close_at is None:
        return 0
    inside, night = night_window(now, close_at, reopen_at or (0, 0))
    since = iso(now - timedelta(days=NIGHTLY_DAYS))
    queued = 0
    for story in db.query(
        "SELECT id, channel, native_id FROM stories WHERE channel = ? AND published_at >= ?",
        [rules["channel"], since],
    ):
        close_key = f"nightly:{night}:{story['id']}:close"
        if is_closed(db, story["id"]):
            continue  # closed by hand: the schedule neither closes nor reopens it
        if inside:
            queued += _queue(db, story, CLOSE, close_key, "schedule")
        elif reopen_at and _queued_key(db, close_key):
            queued += _queue(db, story, OPEN, f"nightly:{night}:{story['id']}:open", "schedule")
    return queued


def night_window(now: datetime, close_at: tuple, reopen_at: tuple) -> tuple[bool, str]:
    """(whether `now` is inside the closed hours, the Beijing date they began) for the
    current or the last closed period; close 23:00 / reopen 07:00 spans midnight."""
    local = now.astimezone(BEIJING)
    minutes = local.hour * 60 + local.minute
    start = close_at[0] * 60 + close_at[1]
    end = reopen_at[0] * 60 + reopen_at[1]
    today, yesterday = local.date(), local.date() - timedelta(days=1)
    if start < end:  # within one day
        inside = start <= minutes < end
        night = today if minutes >= start else yesterday
    else:  # across midnight
        inside = minutes >= start or minutes < end
        night = today if minutes >= start else yesterday
    return inside, night.isoformat()


def _by_age(db, rules: dict, now: datetime) -> int:
    days = rules["close_after_days"]
    if not days:
        return 0
    before = iso(now - timedelta(days=days))
    queued = 0
    for story in db.query(
        "SELECT id, channel, native_id FROM stories WHERE channel = ? AND published_at < ?",
        [rules["channel"], before],
    ):
        queued += _queue(db, story, CLOSE, f"age:{story['id']}:close", "schedule")
    return queued


def _queued_key(db, key: str) -> bool:
    return db.execute("SELECT 1 FROM outbox WHERE key = ?", [key]).fetchone() is not None
