"""Readers' reports (举报): filed through the signed endpoint, deduplicated per reporter,
bounded per reporter per hour, queued by count and age, closed together by one outcome that
is recorded and pushed back to the site.

A reporter is kept only as a digest of their token (the site's token never is), and no
page or export shows it: it serves deduplication and the hourly bound alone.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from moderation.push.actions import REPORT_OUTCOME
from moderation.states import ACTIONS
from moderation.storage import by_comment, comments, decisions, in_chunks, outbox
from moderation.storage.decisions import Seen
from moderation.timeutil import iso, now_iso, parse_iso

# The fixed list readers choose from, and the rejection reason an upheld report records.
REASONS = {
    "违法违规": "illegal",
    "色情低俗": "vulgar",
    "辱骂攻击": "abuse",
    "广告": "ad",
    "谣言": "rumor",
    "侵犯隐私": "personal_data",
    "其他": "other",
}
OPEN, UPHELD, DISMISSED = "open", "upheld", "dismissed"
OUTCOMES = {UPHELD: "举报成立", DISMISSED: "举报不成立"}
MAX_SITE_ID = 100
QUEUE_LIMIT = 200


class IntakeError(ValueError):
    """A report or appeal the desk refuses; `status` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


class OutcomeError(ValueError):
    """An outcome that cannot be applied as asked (message in Chinese)."""


class NewReports(OutcomeError):
    """Reports arrived after the moderator's page was drawn: a dismissal would answer
    readers whose reasons nobody looked at. `count` says how many."""

    def __init__(self, count: int):
        super().__init__(f"您打开页面之后，这条评论又收到 {count} 条举报；请看过后再定")
        self.count = count


def comment_by_native(db, channel: str, native_id: str) -> dict:
    """The stored comment a site names by its own id; IntakeError 404 when unknown."""
    row = db.execute(
        "SELECT id, status, author_key FROM comments WHERE channel = ? AND native_id = ?",
        [channel, native_id],
    ).fetchone()
    if row is None:
        raise IntakeError(f"no comment {native_id!r} on channel {channel!r}", 404)
    return {"id": row[0], "status": row[1], "author_key": row[2]}


def bounded_text(text, limit: int) -> str | None:
    """A reader's note: None when empty; IntakeError when too long or not text."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise IntakeError("text must be a string")
    text = text.strip()
    if len(text) > limit:
        raise IntakeError(f"text is longer than {limit} characters")
    return text or None


def site_id(value) -> str | None:
    """The site's own id of a report or appeal (echoed back with the outcome)."""
    if value is None:
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise IntakeError("report_id / appeal_id must be a string or a number")
    value = str(value)
    if len(value) > MAX_SITE_ID:
        raise IntakeError(f"report_id / appeal_id is longer than {MAX_SITE_ID} characters")
    return value


def filed_last_hour(db, digest: str, now: datetime) -> int:
    """How many reports and appeals one reader token filed in the hour before `now`."""
    since = iso(now - timedelta(hours=1))
    return db.execute(
        "SELECT (SELECT COUNT(*) FROM reader_reports WHERE reporter_digest = ? "
        "AND received_at > ?) + (SELECT COUNT(*) FROM appeals WHERE appellant_digest = ? "
        "AND received_at > ?)",
        [digest, since, digest, since],
    ).fetchone()[0]


def file_report(
    db,
    *,
    channel: str,
    comment_native_id: str,
    reason: str,
    digest: str,
    text=None,
    report_id=None,
    now: datetime,
    per_hour: int,
    time_limit_hours: int,
    text_chars: int,
) -> dict:
    """Store one report: {"id", "duplicate"}; the same reporter on the same comment again is
    the stored report (not a second one); IntakeError says why one is refused."""
    if reason not in REASONS:
        raise IntakeError(f"reason must be one of {'、'.join(REASONS)}")
    text = bounded_text(text, text_chars)
    report_id = site_id(report_id)
    with db.atomic():
        comment = comment_by_native(db, channel, comment_native_id)
        found = db.execute(
            "SELECT id FROM reader_reports WHERE comment_id = ? AND reporter_digest = ?",
            [comment["id"], digest],
        ).fetchone()
        if found:
            return {"id": found[0], "duplicate": True}
        if filed_last_hour(db, digest, now) >= per_hour:
            raise IntakeError(f"more than {per_hour} reports in an hour from this reader", 429)
        report = db.table("reader_reports").insert(
            {
                "comment_id": comment["id"],
                "channel": channel,
                "site_report_id": report_id,
                "reporter_digest": digest,
                "reason": reason,
                "text": text,
                "received_at": iso(now),
                "due_at": iso(now + timedelta(hours=time_limit_hours)),
                "state": OPEN,
            }
        )
    return {"id": report.last_pk, "duplicate": False}


def save_feed_counts(db, channel: str, counts: dict[str, int]) -> None:
    """Report counts a JSON feed carries ({native id: count}), in the page's transaction."""
    now = now_iso()
    for chunk, marks in in_chunks(list(counts)):
        rows = db.execute(
            f"SELECT id, native_id FROM comments WHERE channel = ? AND native_id IN ({marks})",
            [channel, *chunk],
        ).fetchall()
        db.conn.executemany(
            "INSERT INTO feed_report_counts (comment_id, count, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (comment_id) DO UPDATE SET count = excluded.count, "
            "updated_at = excluded.updated_at WHERE count != excluded.count",
            [(comment_id, counts[native_id], now) for comment_id, native_id in rows],
        )


_QUEUE = """
WITH open_reports AS (
    SELECT comment_id, COUNT(*) AS reports, MIN(received_at) AS oldest, MIN(due_at) AS due_at
    FROM reader_reports WHERE state = 'open' GROUP BY comment_id
), feed AS (
    SELECT comment_id, count - handled AS reports, updated_at AS oldest
    FROM feed_report_counts WHERE count > handled
), waiting AS (
    SELECT comment_id, SUM(reports) AS reports, MIN(oldest) AS oldest, MIN(due_at) AS due_at
    FROM (SELECT comment_id, reports, oldest, due_at FROM open_reports
          UNION ALL SELECT comment_id, reports, oldest, NULL FROM feed)
    GROUP BY comment_id
)
SELECT w.reports, w.oldest, w.due_at, c.id, c.channel, c.native_id, c.text, c.status,
       c.author_key, c.author_name, c.created_at, c.story_id, s.title AS story_title
FROM waiting w JOIN comments c ON c.id = w.comment_id LEFT JOIN stories s ON s.id = c.story_id
ORDER BY w.reports DESC, w.oldest ASC, c.id LIMIT ?
"""


def queue(db, limit: int = QUEUE_LIMIT) -> list[dict]:
    """Comments with open reports, most reported first, then the longest waiting; each
    with its reasons ({reason: count}) and readers' notes (never who reported)."""
    rows = list(db.query(_QUEUE, [limit]))
    details = by_comment(
        db,
        "SELECT comment_id, id, reason, text FROM reader_reports "
        "WHERE state = 'open' AND comment_id IN ({marks}) ORDER BY id",
        [row["id"] for row in rows],
    )
    for row in rows:
        reasons: dict[str, int] = {}
        for report in details[row["id"]]:
            reasons[report["reason"]] = reasons.get(report["reason"], 0) + 1
        row["reasons"] = dict(sorted(reasons.items(), key=lambda item: -item[1]))
        row["notes"] = [report["text"] for report in details[row["id"]] if report["text"]][:10]
        row["newest_report"] = max((report["id"] for report in details[row["id"]]), default=0)
    return rows


def open_count(db) -> int:
    """Comments waiting in the 举报 queue (for the navigation)."""
    return db.execute(
        "SELECT COUNT(*) FROM (SELECT comment_id FROM reader_reports WHERE state = 'open' "
        "UNION SELECT comment_id FROM feed_report_counts WHERE count > handled)"
    ).fetchone()[0]


def counts_for(db, comment_ids) -> dict[int, dict]:
    """{comment id: {"open", "total"}} reports per card (endpoint and feed together)."""
    found = {comment_id: {"open": 0, "total": 0} for comment_id in comment_ids}
    for comment_id, open_, total in _grouped(
        db,
        "SELECT comment_id, SUM(state = 'open'), COUNT(*) FROM reader_reports "
        "WHERE comment_id IN ({marks}) GROUP BY comment_id",
        list(found),
    ):
        found[comment_id] = {"open": open_, "total": total}
    for comment_id, open_, total in _grouped(
        db,
        "SELECT comment_id, count - handled, count FROM feed_report_counts "
        "WHERE comment_id IN ({marks})",
        list(found),
    ):
        found[comment_id]["open"] += open_
        found[comment_id]["total"] += total
    return found


def _grouped(db, sql: str, ids: list) -> list[tuple]:
    rows = []
    for chunk, marks in in_chunks(ids):
        rows += db.execute(sql.format(marks=marks), chunk).fetchall()
    return rows


def close_reports(
    db,
    comment_id: int,
    outcome: str,
    actor: str,
    reason: str | None = None,
    seen=None,
    seen_report: int | None = None,
) -> dict:
    """The moderator's outcome on a reported comment: upheld rejects it with the matching
    reason (a recorded decision), dismissed leaves it; either closes every open report on
    it, is recorded, and is queued for the site. {"decision_id", "closed", "pushed"}.

    `seen` is what the moderator was shown (a Seen, or the comment's state as a string):
    a comment decided by someone else since raises DecisionConflict and nothing is closed,
    whichever the outcome (`decisions.decide` checks it). `seen_report` is the newest report
    the page showed: a dismissal with reports newer than it raises NewReports (an upheld
    report closes them too: the comment is rejected, every reporter was right)."""
    if outcome not in OUTCOMES:
        raise OutcomeError("处理结果须为“举报成立”或“举报不成立”")
    if outcome == UPHELD and reason not in REASONS:
        raise OutcomeError(f"举报成立须选择原因：{'、'.join(REASONS)}")
    if isinstance(seen, str):
        seen = Seen(states=seen)
    with db.atomic():
        open_ids = [
            row[0]
            for row in db.execute(
                "SELECT id FROM reader_reports WHERE comment_id = ? AND state = 'open'",
                [comment_id],
            )
        ]
        feed = db.execute(
            "SELECT count - handled FROM feed_report_counts WHERE comment_id = ?", [comment_id]
        ).fetchone()
        if not open_ids and not (feed and feed[0] > 0):
            comments.get_status(db, comment_id)  # DecisionError for no such comment
            raise OutcomeError("这条评论没有待处理的举报（可能已由他人处理）")
        if outcome == DISMISSED and seen_report is not None:
            unseen = sum(1 for report_id in open_ids if report_id > seen_report)
            if unseen:
                raise NewReports(unseen)
        decision_id = _record_outcome(db, comment_id, outcome, actor, reason, seen)
        now = now_iso()
        db.execute(
            "UPDATE reader_reports SET state = ?, closed_at = ?, closed_by = ?, decision_id = ? "
            "WHERE comment_id = ? AND state = 'open'",
            [outcome, now, actor, decision_id, comment_id],
        )
        db.execute(
            "UPDATE feed_report_counts SET handled = count WHERE comment_id = ?", [comment_id]
        )
        pushed = _queue_outcome(db, comment_id, outcome, reason, decision_id, actor, open_ids)
    return {"decision_id": decision_id, "closed": len(open_ids), "pushed": pushed is not None}


# The action that leaves a comment in a state (a no-op through `decisions.decide`).
KEEP = {state: action for action, state in ACTIONS.items()}


def keep_as_seen(db, comment_id: int, actor: str, seen: Seen | None) -> str:
    """An outcome that changes nothing (report dismissed, appeal denied) still stands on
    what the moderator saw: `decisions.decide` with the action that keeps the comment in the
    state they were shown, a no-op that refuses (DecisionConflict) when it was decided
    since. Returns the comment's state."""
    state = seen.expected(comment_id) if seen else None
    state = state if state in KEEP else comments.get_status(db, comment_id)
    decisions.decide(db, [comment_id], KEEP[state], actor, None, seen)
    return state


def _record_outcome(db, comment_id, outcome, actor, reason, seen) -> int:
    """Upheld: the comment is rejected with the reason's code (or, rejected already, the
    outcome is recorded beside it); dismissed: recorded, the state kept. Both through
    `decisions.decide` with what the moderator saw."""
    if outcome == UPHELD:
        [result] = decisions.decide(db, [comment_id], "reject", actor, REASONS[reason], seen)
        if result["decision_id"] is not None:
            return result["decision_id"]
        state = result["to"]
    else:
        state = keep_as_seen(db, comment_id, actor, seen)
    action = "report_upheld" if outcome == UPHELD else "report_dismissed"
    note = REASONS[reason] if outcome == UPHELD else None
    return decisions.record(db, comment_id, actor, action, state, state, note)


def _queue_outcome(db, comment_id, outcome, reason, decision_id, actor, report_ids) -> int | None:
    """The outcome for the site (a jsonfeed channel that pushes), after the comment's own
    actions: the site answers its reporters from it."""
    target = outbox.comment_target(db, comment_id)
    rules = target and outbox.policy(db, target["channel"])
    if not rules or rules["mode"] == "off" or rules["type"] != "jsonfeed":
        return None
    site_ids = (
        [
            row[0]
            for row in db.execute(
                f"SELECT site_report_id FROM reader_reports WHERE id IN "
                f"({','.join('?' * len(report_ids))}) AND site_report_id IS NOT NULL ORDER BY id",
                report_ids,
            )
        ]
        if report_ids
        else []
    )
    body = {"outcome": outcome, "reason": reason if outcome == UPHELD else None,
            "report_ids": site_ids}  # fmt: skip
    return outbox.enqueue_about(
        db,
        comment_id,
        target,
        key=f"{REPORT_OUTCOME}:{decision_id}",
        channel=target["channel"],
        action=REPORT_OUTCOME,
        mode=rules["mode"],
        decision_id=decision_id,
        text=json.dumps(body, ensure_ascii=False, sort_keys=True),
        actor=actor,
    )


def overdue(db, now: datetime) -> dict:
    """Open reports past their time limit: how many, on how many comments, the oldest due."""
    count, comments_, oldest = db.execute(
        "SELECT COUNT(*), COUNT(DISTINCT comment_id), MIN(due_at) FROM reader_reports "
        "WHERE state = 'open' AND due_at <= ?",
        [iso(now)],
    ).fetchone()
    return {"reports": count, "comments": comments_, "oldest_due": oldest}


def metrics(db, now: datetime) -> dict:
    """Counts for /metrics: received, handled, handled in time, upheld, open, overdue."""
    row = db.execute(
        "SELECT COUNT(*), SUM(state != 'open'), SUM(state != 'open' AND closed_at <= due_at), "
        "SUM(state = 'upheld'), SUM(state = 'open'), SUM(state = 'open' AND due_at <= ?) "
        "FROM reader_reports",
        [iso(now)],
    ).fetchone()
    keys = ("received", "handled", "handled_in_time", "upheld", "open", "overdue")
    found = {key: value or 0 for key, value in zip(keys, row, strict=True)}
    found["upheld_share"] = found["upheld"] / found["handled"] if found["handled"] else 0.0
    return found


def waited(report: dict, now: datetime) -> timedelta:
    """How long a queued comment's oldest report has waited."""
    return now - (parse_iso(report["oldest"]) or now)
