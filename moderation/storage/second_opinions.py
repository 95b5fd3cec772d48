"""Second opinions in the database: each call (answer or failure), the cache by content
digest, the budgets' counts, the answers a comment got, and the figures /metrics shows."""

from __future__ import annotations

import json
from datetime import timedelta

from moderation.states import APPROVED, REJECTED, is_automatic
from moderation.storage import in_chunks
from moderation.timeutil import BEIJING, iso, now_iso, parse_iso

OVER_BUDGET = "over_budget"
NOT_SENT = "not_sent"  # its batch's deadline came before its turn
UNSENT = (OVER_BUDGET, NOT_SENT)
ORDER = {"pass": 0, "review": 1, "block": 2}


def cached(db, provider: str, digests, since: str) -> dict[str, dict]:
    """{digest: the newest successful call for it since `since`} for one provider."""
    found: dict[str, dict] = {}
    for chunk, marks in in_chunks(sorted(set(digests))):
        for row in db.query(
            "SELECT * FROM opinion_calls WHERE provider = ? AND status = 'ok' AND at >= ? "
            f"AND digest IN ({marks}) ORDER BY id",
            [provider, since, *chunk],
        ):
            found[row["digest"]] = row
    return found


def calls_since(db, provider: str, since: str) -> int:
    """Calls made to `provider` since `since` (what its budget counts)."""
    return db.execute(
        "SELECT COUNT(*) FROM opinion_calls WHERE provider = ? AND at >= ? "
        "AND status NOT IN (?, ?)",
        [provider, since, *UNSENT],
    ).fetchone()[0]


def record_calls(db, calls: list[dict]) -> list[int]:
    """Store calls ({provider, digest, status, level, labels, provider_labels, latency_ms,
    cost_units, error}); return their ids in order."""
    now = now_iso()
    ids = []
    for call in calls:
        cursor = db.execute(
            "INSERT INTO opinion_calls (provider, digest, status, level, labels, "
            "provider_labels, latency_ms, cost_units, error, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                call["provider"][:60],
                call["digest"][:64],
                call["status"],
                call.get("level"),
                json.dumps(list(call.get("labels", ()))[:20], ensure_ascii=False),
                json.dumps(list(call.get("provider_labels", ()))[:20], ensure_ascii=False),
                max(0, int(call.get("latency_ms", 0))),
                float(call.get("cost_units", 0)),
                (call.get("error") or None) and str(call["error"])[:300],
                call.get("at", now),
            ],
        )
        ids.append(cursor.lastrowid)
    return ids


def link(db, links: list[tuple[int, str, int, bool]]) -> None:
    """Record which call answered each (comment, provider): (comment id, provider, call id,
    cached). A newer link replaces an older one."""
    now = now_iso()
    db.conn.executemany(
        "INSERT INTO comment_opinions (comment_id, provider, call_id, cached, at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (comment_id, provider) DO UPDATE SET "
        "call_id = excluded.call_id, cached = excluded.cached, at = excluded.at",
        [(c, p, call, int(was_cached), now) for c, p, call, was_cached in links],
    )


def _opinion(row: dict) -> dict:
    row["labels"] = json.loads(row["labels"])
    row["provider_labels"] = json.loads(row["provider_labels"])
    return row


def for_comments(db, comment_ids) -> dict[int, list[dict]]:
    """{comment id: its providers' answers or failures, by provider name} for cards."""
    found: dict[int, list[dict]] = {}
    for chunk, marks in in_chunks(sorted(set(comment_ids))):
        for row in db.query(
            "SELECT o.comment_id, o.provider, o.cached, c.status, c.level, c.labels, "
            "c.provider_labels, c.latency_ms, c.error, c.at FROM comment_opinions o "
            f"JOIN opinion_calls c ON c.id = o.call_id WHERE o.comment_id IN ({marks}) "
            "ORDER BY o.provider",
            chunk,
        ):
            found.setdefault(row["comment_id"], []).append(_opinion(row))
    return found


def worst_levels(db, comment_ids) -> dict[int, str]:
    """{comment id: the most severe level its answers gave} (comments with none left out)."""
    levels: dict[int, str] = {}
    for comment_id, opinions in for_comments(db, comment_ids).items():
        answered = [o["level"] for o in opinions if o["status"] == "ok" and o["level"]]
        if answered:
            levels[comment_id] = max(answered, key=ORDER.__getitem__)
    return levels


def budget_left(db, provider: str, per_minute: int, per_day: int, now: str) -> int:
    """Calls `provider` may still make now: within the last minute and the Beijing day."""
    moment = parse_iso(now)
    day = moment.astimezone(BEIJING).replace(hour=0, minute=0, second=0, microsecond=0)
    minute = calls_since(db, provider, iso(moment - timedelta(minutes=1)))
    today = calls_since(db, provider, iso(day))
    return max(0, min(per_minute - minute, per_day - today))


def call_figures(db, since: str | None = None, until: str | None = None) -> dict[str, dict]:
    """{provider: calls, failures, unsent (over budget or past the deadline), latencies
    (ms of the calls sent), cost_units} in [since, until) (all time without them)."""
    figures: dict[str, dict] = {}
    for row in db.query(
        "SELECT provider, status, latency_ms, cost_units FROM opinion_calls "
        "WHERE at >= ? AND at < ?",
        [since or "", until or "9999"],
    ):
        entry = figures.setdefault(
            row["provider"],
            {"calls": 0, "failures": 0, "unsent": 0, "latencies": [], "cost_units": 0.0},
        )
        if row["status"] in UNSENT:
            entry["unsent"] += 1
            continue
        entry["calls"] += 1
        entry["failures"] += row["status"] != "ok"
        entry["latencies"].append(row["latency_ms"])
        entry["cost_units"] += row["cost_units"]
    return figures


def decided_by_people(db, since: str | None = None, until: str | None = None) -> list[dict]:
    """Comments whose last decision (in [since, until)) is a person's approve or reject: id,
    status, the built-in signals (offensive, sentiment) and each provider's answered level."""
    rows = list(
        db.query(
            "SELECT c.id, c.status, s.offensive, s.sentiment, d.actor FROM comments c "
            "JOIN decisions d ON d.id = (SELECT MAX(id) FROM decisions WHERE comment_id = c.id) "
            "LEFT JOIN scores s ON s.comment_id = c.id "
            "WHERE c.status IN (?, ?) AND d.at >= ? AND d.at < ?",
            [APPROVED, REJECTED, since or "", until or "9999"],
        )
    )
    people = [row for row in rows if not is_automatic(row["actor"])]
    answers: dict[int, dict[str, str]] = {}
    for chunk, marks in in_chunks([row["id"] for row in people]):
        for row in db.query(
            "SELECT o.comment_id, o.provider, c.level FROM comment_opinions o "
            "JOIN opinion_calls c ON c.id = o.call_id "
            f"WHERE c.status = 'ok' AND o.comment_id IN ({marks})",
            chunk,
        ):
            answers.setdefault(row["comment_id"], {})[row["provider"]] = row["level"]
    return [{**row, "opinions": answers.get(row["id"], {})} for row in people]


def comments_to_ask(db, comment_ids) -> dict[int, dict]:
    """{comment id: channel, status} for a batch (who may be asked about)."""
    found = {}
    for chunk, marks in in_chunks(list(comment_ids)):
        for row in db.query(
            f"SELECT id, channel, status FROM comments WHERE id IN ({marks})", chunk
        ):
            found[row["id"]] = row
    return found
