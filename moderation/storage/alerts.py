"""Alert rules, alerts and their deliveries; and the counts alert conditions are judged on.

An alert stays open (one per rule and condition) until its condition clears, so a flood
that lasts an hour is one alert, not sixty. Deliveries are written in the alert's own
transaction, an outbox the dispatcher works through: nothing fired is lost, and a
delivery marked delivered is never sent again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from moderation.states import SYSTEM_ACTOR
from moderation.storage import in_chunks
from moderation.timeutil import now_iso

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
# offensive: the offensive-language flag, or a banned word
_OFFENSIVE = (
    "(instr(' ' || s.flag_codes || ' ', ' offensive ') > 0"
    " OR instr(' ' || s.flag_codes || ' ', ' banned ') > 0)"
)


def list_rules(db, enabled_only: bool = False) -> list[dict]:
    """Every alert rule in name order, params and targets decoded."""
    where = "WHERE enabled = 1" if enabled_only else ""
    rows = db.query(f"SELECT * FROM alert_rules {where} ORDER BY name")
    return [_rule(row) for row in rows]


def get_rule(db, rule_id: int) -> dict | None:
    """One rule, or None."""
    rows = list(db.query("SELECT * FROM alert_rules WHERE id = ?", [rule_id]))
    return _rule(rows[0]) if rows else None


def _rule(row: dict) -> dict:
    return {**row, "params": json.loads(row["params"]), "targets": json.loads(row["targets"])}


def save_rule(db, rule: dict, actor: str) -> int:
    """Create or update a rule by name; returns its id."""
    values = {
        "name": rule["name"],
        "kind": rule["kind"],
        "enabled": int(rule.get("enabled", True)),
        "params": json.dumps(rule.get("params", {}), ensure_ascii=False, sort_keys=True),
        "targets": json.dumps(list(rule.get("targets", [])), ensure_ascii=False),
        "updated_by": actor,
        "updated_at": now_iso(),
    }
    with db.atomic():
        db.execute(
            "INSERT INTO alert_rules (name, kind, enabled, params, targets, updated_by, updated_at)"
            " VALUES (:name, :kind, :enabled, :params, :targets, :updated_by, :updated_at)"
            " ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, enabled = excluded.enabled,"
            " params = excluded.params, targets = excluded.targets,"
            " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            values,
        )
        return db.execute("SELECT id FROM alert_rules WHERE name = ?", [rule["name"]]).fetchone()[0]


def seed_rules(db, rules: Iterable[dict]) -> int:
    """Install the default rules when there are none yet; returns how many were added."""
    if db.execute("SELECT count(*) FROM alert_rules").fetchone()[0]:
        return 0
    added = 0
    for rule in rules:
        save_rule(db, rule, SYSTEM_ACTOR)
        added += 1
    return added


def fire_alert(db, alert: dict, targets: Iterable[str], now: str) -> int:
    """Record an alert as versions before incidents did: no incident columns, deliveries
    without a stored message (sending builds one from the alert's title and lines). The
    evaluator opens incidents (`start_incident`); this shape stays readable after an
    upgrade, and is what the delivery and page tests queue directly."""
    with db.atomic():
        alert_id = _insert_alert(db, alert, now)
        _add_deliveries(db, targets, now, alert_id=alert_id)
        return alert_id


def _insert_alert(db, alert: dict, now: str, **incident) -> int:
    """Insert an alert row fired and last seen `now`; `incident` adds the incident columns
    (kinds, started_at, notified_at)."""
    row = {
        "rule_id": alert["rule_id"],
        "condition": alert["condition"],
        "title": alert["title"],
        "detail": json.dumps(alert.get("detail", {}), ensure_ascii=False, sort_keys=True),
        "link": alert.get("link"),
        "story_id": alert.get("story_id"),
        "fired_at": now,
        "last_seen_at": now,
        **incident,
    }
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    return db.execute(
        f"INSERT INTO alerts ({columns}) VALUES ({marks})", list(row.values())
    ).lastrowid


def queue_report_deliveries(db, report_id: int, targets: Iterable[str], now: str) -> None:
    """A pending delivery of a generated report to each target (once per target)."""
    with db.atomic():
        _add_deliveries(db, targets, now, report_id=report_id)


def _add_deliveries(db, targets, now, alert_id=None, report_id=None) -> None:
    for target in dict.fromkeys(targets):
        db.execute(
            "INSERT OR IGNORE INTO alert_deliveries (alert_id, report_id, target, state,"
            " next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            [alert_id, report_id, target, PENDING, now, now],
        )


def clear_alerts(db, alert_ids: Iterable[int], now: str) -> None:
    """Close alerts whose condition no longer holds: the next flood fires a new one."""
    for chunk, marks in in_chunks(list(alert_ids)):
        db.execute(
            f"UPDATE alerts SET cleared_at = ? WHERE id IN ({marks}) AND cleared_at IS NULL",
            [now, *chunk],
        )


def due_deliveries(db, now: str, limit: int = 50) -> list[dict]:
    """Pending deliveries whose time has come, oldest first, with their alert's text."""
    return list(
        db.query(
            "SELECT d.*, a.title, a.detail, a.link, a.story_id FROM alert_deliveries d"
            " LEFT JOIN alerts a ON a.id = d.alert_id"
            " WHERE d.state = ? AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at, d.id"
            " LIMIT ?",
            [PENDING, now, limit],
        )
    )


def record_attempt(
    db, delivery_id: int, state: str, error: str, answer: str, now: str, next_at: str | None
) -> None:
    """Store one attempt's outcome; a pending delivery gets its next time."""
    db.execute(
        "UPDATE alert_deliveries SET state = ?, attempts = attempts + 1, last_error = ?,"
        " answer = ?, next_attempt_at = coalesce(?, next_attempt_at),"
        " delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END"
        " WHERE id = ? AND state = 'pending'",
        [state, error[:500], answer[:500], next_at, state, now, delivery_id],
    )


def postpone(db, delivery_id: int, next_at: str) -> None:
    """Move a pending delivery later without counting an attempt (a target's hourly cap)."""
    db.execute(
        "UPDATE alert_deliveries SET next_attempt_at = ? WHERE id = ? AND state = 'pending'",
        [next_at, delivery_id],
    )


def delivered_since(db, target: str, since: str) -> int:
    """How many messages a target was sent since `since` (its rate limit)."""
    return db.execute(
        "SELECT count(*) FROM alert_deliveries WHERE target = ? AND state = 'delivered'"
        " AND delivered_at >= ?",
        [target, since],
    ).fetchone()[0]


def retry_delivery(db, delivery_id: int, now: str) -> None:
    """A failed delivery back to pending, due now (the 重试 button)."""
    db.execute(
        "UPDATE alert_deliveries SET state = 'pending', next_attempt_at = ? WHERE id = ?"
        " AND state = 'failed'",
        [now, delivery_id],
    )


def recent_alerts(db, limit: int = 50, before_id: int | None = None) -> list[dict]:
    """Newest alerts first, with their rule's name and their deliveries' states."""
    clause, args = ("WHERE a.id < ?", [before_id]) if before_id else ("", [])
    alerts = list(
        db.query(
            "SELECT a.*, r.name AS rule_name, r.kind AS rule_kind FROM alerts a"
            f" JOIN alert_rules r ON r.id = a.rule_id {clause} ORDER BY a.id DESC LIMIT ?",
            [*args, limit],
        )
    )
    by_alert = deliveries_of(db, [alert["id"] for alert in alerts])
    for alert in alerts:
        alert["detail"] = json.loads(alert["detail"])
        alert["deliveries"] = by_alert.get(alert["id"], [])
    return alerts


def deliveries_of(db, alert_ids: list[int]) -> dict[int, list[dict]]:
    """Each alert's deliveries, by alert id."""
    found: dict[int, list[dict]] = {}
    for chunk, marks in in_chunks(alert_ids):
        for row in db.query(
            f"SELECT * FROM alert_deliveries WHERE alert_id IN ({marks}) ORDER BY id", chunk
        ):
            found.setdefault(row["alert_id"], []).append(row)
    return found


def alerts_between(db, since: str, until: str) -> list[dict]:
    """Alerts fired in a period, oldest first (for reports)."""
    rows = db.query(
        "SELECT a.*, r.name AS rule_name, r.kind AS rule_kind FROM alerts a"
        " JOIN alert_rules r ON r.id = a.rule_id WHERE a.fired_at >= ? AND a.fired_at < ?"
        " ORDER BY a.fired_at, a.id",
        [since, until],
    )
    return [{**row, "detail": json.loads(row["detail"])} for row in rows]


def unread_count(db, user: str) -> int:
    """Alerts fired since the user last opened the alerts page (the bell's number)."""
    return db.execute(
        "SELECT count(*) FROM alerts WHERE id > coalesce("
        "(SELECT last_read_id FROM alert_reads WHERE user = ?), 0)",
        [user],
    ).fetchone()[0]


def mark_read(db, user: str) -> None:
    """The user has seen every alert up to now."""
    db.execute(
        "INSERT INTO alert_reads (user, last_read_id) VALUES (?, coalesce((SELECT max(id)"
        " FROM alerts), 0)) ON CONFLICT(user) DO UPDATE SET last_read_id = excluded.last_read_id",
        [user],
    )


def story_window_stats(db, since: str, until: str) -> list[dict]:
    """Per story: comments, negative and offensive ones, created in [since, until)."""
    return list(
        db.query(
            "SELECT c.story_id, min(c.channel) AS channel, count(*) AS total,"
            " sum(s.label = 'negative') AS negative,"
            f" sum({_OFFENSIVE}) AS offensive"
            " FROM comments c LEFT JOIN scores s ON s.comment_id = c.id"
            " WHERE c.created_at >= ? AND c.created_at < ? AND c.story_id IS NOT NULL"
            " GROUP BY c.story_id",
            [since, until],
        )
    )


def story_baselines(db, story_ids: list[int], since: str, until: str) -> dict[int, dict]:
    """The same counts per story over an earlier period, for the stories asked about."""
    found = {}
    for chunk, marks in in_chunks(story_ids):
        for row in db.query(
            "SELECT c.story_id, count(*) AS total, sum(s.label = 'negative') AS negative,"
            f" sum({_OFFENSIVE}) AS offensive"
            " FROM comments c LEFT JOIN scores s ON s.comment_id = c.id"
            f" WHERE c.story_id IN ({marks}) AND c.created_at >= ? AND c.created_at < ?"
            " GROUP BY c.story_id",
            [*chunk, since, until],
        ):
            found[row["story_id"]] = row
    return found


def channel_baselines(db, channels: list[str], since: str, until: str) -> dict[str, dict]:
    """Counts per channel over a period: how negative a channel's readers usually are."""
    found = {}
    for channel in channels:
        row = db.execute(
            "SELECT count(*), sum(s.label = 'negative'),"
            f" sum({_OFFENSIVE})"
            " FROM comments c INDEXED BY comments_channel_status_created"
            " LEFT JOIN scores s ON s.comment_id = c.id"
            " WHERE c.channel = ? AND c.status IN ('pending', 'approved', 'rejected')"
            " AND c.created_at >= ? AND c.created_at < ?",
            [channel, since, until],
        ).fetchone()
        found[channel] = {"total": row[0], "negative": row[1] or 0, "offensive": row[2] or 0}
    return found


def texts_between(db, since: str, until: str, limit: int) -> list[dict]:
    """Comments created in a period (id, story and its title, text), newest first."""
    return list(
        db.query(
            "SELECT c.id, c.story_id, st.title AS story_title, c.channel, c.text FROM comments c"
            " LEFT JOIN stories st ON st.id = c.story_id"
            " WHERE c.created_at >= ? AND c.created_at < ? ORDER BY c.created_at DESC LIMIT ?",
            [since, until, limit],
        )
    )


def oldest_pending_at(db) -> str | None:
    """When the oldest comment still waiting for a decision was collected (not posted: a
    first collection of a year of comments is not a year-old backlog)."""
    row = db.execute("SELECT min(collected_at) FROM comments WHERE status = 'pending'").fetchone()
    return row[0]


def channel_health(db) -> list[dict]:
    """Each channel's failures, backoff, last error and last successful run."""
    return list(
        db.query(
            "SELECT ch.name, ch.failures, ch.backoff_until, ch.last_error, ch.paused,"
            " (SELECT max(finished_at) FROM runs r WHERE r.channel = ch.name"
            "  AND r.status IN ('ok', 'partial')) AS last_ok_at,"
            " (SELECT min(started_at) FROM runs r WHERE r.channel = ch.name AND r.status ="
            "  'failed' AND r.started_at > coalesce((SELECT max(finished_at) FROM runs r2"
            "  WHERE r2.channel = ch.name AND r2.status IN ('ok', 'partial')), ''))"
            " AS failing_since"
            " FROM channels ch ORDER BY ch.name"
        )
    )


def story_titles(db, story_ids: list[int]) -> dict[int, str]:
    """Story titles by id, for alert messages."""
    found = {}
    for chunk, marks in in_chunks(story_ids):
        for row in db.query(f"SELECT id, title FROM stories WHERE id IN ({marks})", chunk):
            found[row["id"]] = row["title"]
    return found


def fired_per_rule_since(db, since: str) -> dict[int, int]:
    """How many alerts each rule fired since `since` (the per-rule hourly cap)."""
    rows = db.execute(
        "SELECT rule_id, count(*) FROM alerts WHERE fired_at >= ? GROUP BY rule_id", [since]
    ).fetchall()
    return dict(rows)


def outbox_trouble(db, failed_since: str) -> list[dict]:
    """Per channel: outbox actions failed since `failed_since`, and the oldest still waiting."""
    return list(
        db.query(
            "SELECT channel, sum(state = 'failed') AS failed,"
            " min(CASE WHEN state IN ('pending', 'sending') THEN created_at END) AS oldest_open,"
            " max(CASE WHEN state = 'failed' THEN note END) AS last_note"
            " FROM outbox WHERE state IN ('pending', 'sending')"
            " OR (state = 'failed' AND finished_at >= ?) GROUP BY channel ORDER BY channel",
            [failed_since],
        )
    )


# --- incidents: one open alert per story (or channel, or the queue), several messages ---

_SPAM = (
    "(instr(' ' || coalesce(s.flag_codes, '') || ' ', ' spam_link ') > 0"
    " OR instr(' ' || coalesce(s.flag_codes, '') || ' ', ' spam_solicit ') > 0"
    " OR instr(' ' || coalesce(s.flag_codes, '') || ' ', ' spam_repeat ') > 0"
    " OR instr(' ' || coalesce(s.flag_codes, '') || ' ', ' low_information ') > 0)"
)


def open_incidents(db) -> dict[str, dict]:
    """Open alerts by condition key (one incident per story, channel or the queue)."""
    rows = db.query("SELECT * FROM alerts WHERE cleared_at IS NULL ORDER BY id")
    return {row["condition"]: {**row, "detail": json.loads(row["detail"])} for row in rows}


def start_incident(db, alert: dict, targets: Iterable[str], message: dict, now: str) -> int:
    """Record a new incident and its first message, one delivery per target, in one
    transaction."""
    with db.atomic():
        alert_id = _insert_alert(
            db,
            alert,
            now,
            kinds=" ".join(alert.get("kinds", [])),
            started_at=alert.get("started_at") or now,
            notified_at=now,
        )
        _add_message(db, alert_id, targets, 0, message, now)
        return alert_id


def _add_message(db, alert_id: int, targets, seq: int, message: dict, now: str) -> None:
    text = json.dumps(message, ensure_ascii=False, sort_keys=True)
    for target in dict.fromkeys(targets):
        db.execute(
            "INSERT OR IGNORE INTO alert_deliveries (alert_id, target, state, next_attempt_at,"
            " created_at, seq, message) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [alert_id, target, PENDING, now, now, seq, text],
        )


def incident_message(
    db, alert_id: int, targets: Iterable[str], message: dict, now: str, changes: dict
) -> None:
    """Queue an update (or the 解除) of an incident to its targets and store what changed
    (`changes`: columns of the alert such as detail, kinds, updates, cleared_at)."""
    with db.atomic():
        seq = db.execute(
            "SELECT coalesce(max(seq), 0) + 1 FROM alert_deliveries WHERE alert_id = ?",
            [alert_id],
        ).fetchone()[0]
        _add_message(db, alert_id, targets, seq, message, now)
        update_incident(db, alert_id, {**changes, "notified_at": now})


INCIDENT_COLUMNS = {
    "title", "detail", "kinds", "updates", "notified_at", "last_seen_at", "quiet_since",
    "cleared_at",
}  # fmt: skip


def update_incident(db, alert_id: int, changes: dict) -> None:
    """Change an incident's columns (detail as a dict)."""
    unknown = set(changes) - INCIDENT_COLUMNS
    if unknown:
        raise ValueError(f"not an incident column: {', '.join(sorted(unknown))}")
    values = {
        key: json.dumps(value, ensure_ascii=False, sort_keys=True) if key == "detail" else value
        for key, value in changes.items()
    }
    assignments = ", ".join(f"{key} = ?" for key in values)
    db.execute(f"UPDATE alerts SET {assignments} WHERE id = ?", [*values.values(), alert_id])


def earlier_baseline(db, story_id: int, since: str) -> dict | None:
    """The baseline a story's earliest incident since `since` was judged on: after a first
    wave, the story's own history holds that wave, not what is usual for it."""
    row = db.execute(
        "SELECT detail FROM alerts WHERE story_id = ? AND fired_at >= ?"
        " AND json_extract(detail, '$.baseline') IS NOT NULL ORDER BY fired_at LIMIT 1",
        [story_id, since],
    ).fetchone()
    if row is None:
        return None
    detail = json.loads(row[0])
    return {"baseline": detail["baseline"], "source": detail.get("baseline_source", "")}


def story_facts(db, story_id: int, since: str, until: str, prefer: str | None = None) -> dict:
    """What an alert about a story tells: its title, address and time, comments per
    channel in [since, until), how many of its comments wait for a decision, and up to
    three representative comments of the window (no spam, replies or later copies; the
    `prefer`red sentiment label first, then the most liked and longest)."""
    story = db.execute(
        "SELECT title, url, published_at FROM stories WHERE id = ?", [story_id]
    ).fetchone()
    family = (
        "SELECT id FROM stories WHERE id = :story OR canonical_id = :story"
        " OR id = (SELECT canonical_id FROM stories WHERE id = :story)"
    )
    args = {"story": story_id, "since": since, "until": until, "prefer": prefer or ""}
    channels = db.execute(
        f"SELECT channel, count(*) FROM comments WHERE story_id IN ({family})"
        " AND created_at >= :since AND created_at < :until GROUP BY channel"
        " ORDER BY count(*) DESC, channel",
        args,
    ).fetchall()
    pending = db.execute(
        f"SELECT count(*) FROM comments WHERE story_id IN ({family}) AND status = 'pending'",
        args,
    ).fetchone()[0]
    samples = db.execute(
        "SELECT c.text FROM comments c LEFT JOIN scores s ON s.comment_id = c.id"
        f" WHERE c.story_id IN ({family}) AND c.created_at >= :since AND c.created_at < :until"
        f" AND c.status != 'rejected' AND c.reply_to IS NULL AND NOT {_SPAM}"
        " AND (s.dup_group IS NULL OR c.id = (SELECT min(s2.comment_id) FROM scores s2"
        "  WHERE s2.dup_group = s.dup_group))"
        " AND length(trim(c.text)) >= 6"
        " ORDER BY (coalesce(s.label, '') = :prefer) DESC, c.likes DESC,"
        " min(length(c.text), 60) DESC, c.id LIMIT 3",
        args,
    ).fetchall()
    return {
        "title": story[0] if story else "",
        "url": story[1] if story else None,
        "published_at": story[2] if story else None,
        "channels": channels,
        "pending": pending,
        "samples": [row[0] for row in samples],
    }
