"""The records an inspection asks for, kept at least RECORDS_MIN_DAYS: decisions (with the
comment's text as it was when decided), readers' reports, appeals and account events, read
for a date range; the audit of each export; and the purge of closed reports and appeals,
which refuses to go below the minimum."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from moderation.states import RECORDS_MIN_DAYS, SYSTEM_ACTOR
from moderation.timeutil import iso, now_iso


class RetentionError(ValueError):
    """A retention shorter than the records must be kept."""


def check_days(days: int) -> None:
    """Refuse a retention under RECORDS_MIN_DAYS (the message names the minimum)."""
    if days < RECORDS_MIN_DAYS:
        raise RetentionError(
            f"records are kept at least {RECORDS_MIN_DAYS} days (asked for {days}): "
            "decisions, reports, appeals and account events cannot be purged sooner"
        )


def purge_closed(db, days: int, now: datetime | None = None) -> int:
    """Delete reports and appeals closed more than `days` ago (never fewer than the
    minimum); open ones always stay. How many rows went."""
    check_days(days)
    cutoff = iso((now or datetime.now().astimezone()) - timedelta(days=days))
    with db.atomic():
        gone = db.execute(
            "DELETE FROM reader_reports WHERE state != 'open' AND closed_at < ?", [cutoff]
        ).rowcount
        gone += db.execute(
            "DELETE FROM appeals WHERE state != 'open' AND decided_at < ?", [cutoff]
        ).rowcount
    return gone


# The comment's text at a moment: the text replaced by the first edit after it, else today's.
# Times are to the second: an edit in the same second counts as after the decision, except
# for the system's own reopen, which the edit caused (same transaction, new text).
_TEXT_AT = """COALESCE(
    (SELECT e.old_text FROM comment_edits e WHERE e.comment_id = c.id AND (e.detected_at > {at}
     OR (e.detected_at = {at} AND NOT {caused}))
     ORDER BY e.id LIMIT 1), c.text)"""
_BY_EDIT = f"(d.actor = '{SYSTEM_ACTOR}' AND d.action = 'reopen')"
_AT_DECISION = _TEXT_AT.format(at="d.at", caused=_BY_EDIT)
_AT_REPORT = _TEXT_AT.format(at="p.received_at", caused="0")
_AT_REPORT_CLOSED = _TEXT_AT.format(at="p.closed_at", caused="0")
_AT_APPEAL = _TEXT_AT.format(at="a.received_at", caused="0")
_AT_APPEAL_DECIDED = _TEXT_AT.format(at="a.decided_at", caused="0")

_RECORDS = f"""
SELECT 'decision' AS kind, d.at AS at, d.actor AS actor, d.action AS action,
       d.from_state AS from_state, d.to_state AS to_state, d.reason AS reason, NULL AS note,
       c.id AS comment_id, c.channel AS channel, c.native_id AS native_id,
       c.author_key AS author_key, {_AT_DECISION} AS text, r.region AS region
FROM decisions d JOIN comments c ON c.id = d.comment_id
LEFT JOIN comment_regions r ON r.comment_id = c.id
WHERE d.at >= :start AND d.at < :end
UNION ALL
SELECT 'report', p.received_at, NULL, 'report:' || p.state, NULL, NULL, p.reason, p.text,
       c.id, c.channel, c.native_id, c.author_key, {_AT_REPORT},
       r.region
FROM reader_reports p JOIN comments c ON c.id = p.comment_id
LEFT JOIN comment_regions r ON r.comment_id = c.id
WHERE p.received_at >= :start AND p.received_at < :end
UNION ALL
SELECT 'report_closed', p.closed_at, p.closed_by, 'report:' || p.state, NULL, NULL, p.reason,
       NULL, c.id, c.channel, c.native_id, c.author_key, {_AT_REPORT_CLOSED},
       r.region
FROM reader_reports p JOIN comments c ON c.id = p.comment_id
LEFT JOIN comment_regions r ON r.comment_id = c.id
WHERE p.closed_at >= :start AND p.closed_at < :end
UNION ALL
SELECT 'appeal', a.received_at, NULL, 'appeal:' || a.kind, NULL, NULL, NULL, a.text,
       a.comment_id, a.channel, c.native_id, a.author_key,
       CASE WHEN c.id IS NULL THEN NULL ELSE {_AT_APPEAL} END, r.region
FROM appeals a LEFT JOIN comments c ON c.id = a.comment_id
LEFT JOIN comment_regions r ON r.comment_id = c.id
WHERE a.received_at >= :start AND a.received_at < :end
UNION ALL
SELECT 'appeal_decided', a.decided_at, a.decided_by, 'appeal:' || a.state, NULL, NULL,
       CASE WHEN a.lifted THEN '解除禁言' END, a.note, a.comment_id, a.channel, c.native_id,
       a.author_key,
       CASE WHEN c.id IS NULL THEN NULL ELSE {_AT_APPEAL_DECIDED} END, r.region
FROM appeals a LEFT JOIN comments c ON c.id = a.comment_id
LEFT JOIN comment_regions r ON r.comment_id = c.id
WHERE a.decided_at >= :start AND a.decided_at < :end
UNION ALL
SELECT 'account', l.at, l.actor, 'level', l.from_level, l.to_level, l.reason, l.expires_at,
       NULL, NULL, NULL, l.author_key, NULL, NULL
FROM author_level_changes l WHERE l.at >= :start AND l.at < :end
UNION ALL
SELECT 'account', k.at, k.actor, k.action, NULL, NULL, k.reason, k.other_key,
       NULL, NULL, NULL, k.author_key, NULL, NULL
FROM author_link_log k WHERE k.at >= :start AND k.at < :end
UNION ALL
SELECT 'account', e.at, e.actor, e.action, NULL, NULL, NULL, e.detail,
       NULL, NULL, NULL, 'user:' || COALESCE(u.name, e.user_id), NULL, NULL
FROM account_events e LEFT JOIN users u ON u.id = e.user_id
WHERE e.at >= :start AND e.at < :end
ORDER BY 2, 1
"""


def records(db, start: str, end: str) -> Iterator[dict]:
    """Every record with a time in [start, end) (ISO-8601 UTC), oldest first, streamed."""
    return db.query(_RECORDS, {"start": start, "end": end})


def audit_export(db, actor: str, date_from: str, date_to: str, rows: int, file: str) -> int:
    """The export's own audit entry: who exported which range, how many rows, to where."""
    return (
        db.table("record_exports")
        .insert(
            {
                "actor": actor,
                "date_from": date_from,
                "date_to": date_to,
                "rows": rows,
                "file": file[:500],
                "at": now_iso(),
            }
        )
        .last_pk
    )


def exports(db) -> list[dict]:
    """Past record exports, newest first."""
    return list(db.query("SELECT * FROM record_exports ORDER BY id DESC"))
