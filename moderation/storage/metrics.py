"""Desk metrics from the decision log: who decided how much, how fast, and how long readers
waited. Days and weeks are Beijing days and ISO weeks (Monday first), as the desk counts them.

People's decisions are those whose actor is not automatic (`states.is_automatic`: the
system, a rule, a story mode); only approve and reject count as decisions
(`states.DECIDING_ACTIONS`, as on the overview: flags for an editor and column steps do
not). A correction is a person's decision that reverses an earlier approve or reject.
"""

from __future__ import annotations

from datetime import date, datetime

from moderation.storage import automatic_sql, beijing_day, deciding_sql
from moderation.timeutil import BEIJING, parse_iso

_BEIJING_DAY = beijing_day("at")
_AUTOMATIC = automatic_sql()
_DECIDING = deciding_sql()
_DECIDING_D = deciding_sql("d.action")


def period_of(day: str, period: str) -> str:
    """The label of the day's period: the day itself, its ISO week (2024-W04) or month."""
    if period == "day":
        return day
    if period == "month":
        return day[:7]
    year, week, _ = date.fromisoformat(day).isocalendar()
    return f"{year}-W{week:02d}"


def decisions_by_moderator(db, since: str, until: str, period: str = "day") -> list[dict]:
    """[{period, actor, approve, reject, total}] of people's decisions in [since, until)."""
    rows = db.execute(
        f"SELECT {_BEIJING_DAY} AS day, actor, action, count(*) FROM decisions"
        f" WHERE at >= ? AND at < ? AND {_DECIDING} AND NOT {_AUTOMATIC}"
        " GROUP BY day, actor, action",
        [since, until],
    ).fetchall()
    totals: dict[tuple[str, str], dict] = {}
    for day, actor, action, count in rows:
        key = (period_of(day, period), actor)
        entry = totals.setdefault(
            key, {"period": key[0], "actor": actor, "approve": 0, "reject": 0, "total": 0}
        )
        entry[action] += count
        entry["total"] += count
    return [totals[key] for key in sorted(totals)]


def automatic_share(db, since: str, until: str, period: str = "week") -> list[dict]:
    """[{period, automatic, people, share}]: approve/reject decided by rules vs by people."""
    rows = db.execute(
        f"SELECT {_BEIJING_DAY} AS day, {_AUTOMATIC} AS automatic, count(*) FROM decisions"
        f" WHERE at >= ? AND at < ? AND {_DECIDING} GROUP BY day, automatic",
        [since, until],
    ).fetchall()
    totals: dict[str, dict] = {}
    for day, automatic, count in rows:
        label = period_of(day, period)
        entry = totals.setdefault(label, {"period": label, "automatic": 0, "people": 0})
        entry["automatic" if automatic else "people"] += count
    for entry in totals.values():
        entry["share"] = round(entry["automatic"] / (entry["automatic"] + entry["people"]), 4)
    return [totals[label] for label in sorted(totals)]


def corrections(db, since: str, until: str, period: str = "week") -> list[dict]:
    """[{period, reversals, labels}]: decisions reversed by a person, and sentiment labels
    corrected, per period."""
    totals: dict[str, dict] = {}

    def bump(day: str, field: str, count: int) -> None:
        label = period_of(day, period)
        entry = totals.setdefault(label, {"period": label, "reversals": 0, "labels": 0})
        entry[field] += count

    for day, count in db.execute(
        f"SELECT {_BEIJING_DAY} AS day, count(*) FROM decisions WHERE at >= ? AND at < ?"
        f" AND {_DECIDING} AND NOT {_AUTOMATIC}"
        " AND from_state IN ('approved', 'rejected') GROUP BY day",
        [since, until],
    ):
        bump(day, "reversals", count)
    for day, count in db.execute(
        f"SELECT {_BEIJING_DAY} AS day, count(*) FROM sentiment_corrections"
        " WHERE at >= ? AND at < ? GROUP BY day",
        [since, until],
    ):
        bump(day, "labels", count)
    return [totals[label] for label in sorted(totals)]


def decision_delays(db, since: str, until: str) -> list[tuple[str, float]]:
    """(Beijing day, seconds) from collection to first decision, for comments first decided
    in [since, until)."""
    rows = db.execute(
        "SELECT first.at, c.collected_at FROM (SELECT comment_id, min(at) AS at FROM decisions"
        f" WHERE {_DECIDING} AND at >= ? AND at < ? GROUP BY comment_id) first"
        " JOIN comments c ON c.id = first.comment_id"
        " WHERE NOT EXISTS (SELECT 1 FROM decisions d WHERE d.comment_id = first.comment_id"
        f" AND {_DECIDING_D} AND d.at < ?)",
        [since, until, since],
    ).fetchall()
    delays = []
    for decided, collected in rows:
        decided_at, collected_at = parse_iso(decided), parse_iso(collected)
        day = decided_at.astimezone(BEIJING).date().isoformat()
        delays.append((day, max(0.0, (decided_at - collected_at).total_seconds())))
    return delays


def pending_spans(db, since: str, until: str) -> list[tuple[datetime, datetime | None]]:
    """(collected, first decided or None) of the comments that waited at some moment in
    [since, until): those still pending, and those first decided from `since` on."""
    spans = [
        (parse_iso(collected), None)
        for (collected,) in db.execute(
            "SELECT collected_at FROM comments WHERE status = 'pending' AND collected_at < ?",
            [until],
        )
    ]
    for decided, collected in db.execute(
        "SELECT first.at, c.collected_at FROM (SELECT comment_id, min(at) AS at FROM decisions"
        f" WHERE {_DECIDING} AND at >= ? GROUP BY comment_id) first"
        " JOIN comments c ON c.id = first.comment_id WHERE c.collected_at < ?"
        " AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.comment_id = first.comment_id"
        f" AND {_DECIDING_D} AND d.at < ?)",
        [since, until, since],
    ):
        spans.append((parse_iso(collected), parse_iso(decided)))
    return spans


def backlog_by_channel(db) -> list[dict]:
    """[{channel, pending, oldest}]: what waits now, per channel."""
    return list(
        db.query(
            "SELECT channel, count(*) AS pending, min(collected_at) AS oldest FROM comments"
            " WHERE status = 'pending' GROUP BY channel ORDER BY channel"
        )
    )


def operational_counts(db) -> dict:
    """Numbers an operator's monitoring scrapes: queue, scoring lag, runs, deliveries."""
    pending = db.execute("SELECT count(*) FROM comments WHERE status = 'pending'").fetchone()[0]
    unscored, oldest_unscored = db.execute(
        "SELECT count(*), min(c.collected_at) FROM score_queue q JOIN comments c"
        " ON c.id = q.comment_id"
    ).fetchone()
    runs = db.execute(
        "SELECT channel, status, count(*) FROM runs GROUP BY channel, status ORDER BY 1, 2"
    ).fetchall()
    channels = list(
        db.query(
            "SELECT name, failures, backoff_until, paused, (SELECT max(finished_at) FROM runs r"
            " WHERE r.channel = channels.name AND r.status IN ('ok', 'partial')) AS last_ok_at"
            " FROM channels ORDER BY name"
        )
    )
    deliveries = db.execute(
        "SELECT target, state, count(*) FROM alert_deliveries GROUP BY target, state ORDER BY 1, 2"
    ).fetchall()
    return {
        "pending": pending,
        "unscored": unscored,
        "oldest_unscored": oldest_unscored,
        "runs": runs,
        "channels": channels,
        "deliveries": deliveries,
    }
