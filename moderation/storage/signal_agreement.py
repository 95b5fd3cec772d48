"""Whether the desk agrees with its signals: per flag reason and per rule, from its decisions.

A comment counts once, by the latest approve or reject a *person* gave it in the window
(actors other than ``system``, ``rule:…`` and ``mode:…``):

* per flag code (the comment's current flags): how many such comments carried it and how
  many of those the desk rejected -- agreement for a flag is rejecting what it flagged;
* comments with no flag that puts them into 机器标记: how many the desk approved --
  agreement is approving what was not flagged;
* per rule (``rule_firings`` in the window): the comments it fired on that a person decided,
  approved and rejected; a rule that rejects, holds or asks for an editor agrees when the
  person rejects, a rule that approves when the person approves. A comment a rule rejected
  and nobody touched is left out: silence is not agreement.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from moderation.scoring.flags import FACET_CODES
from moderation.storage import automatic_sql, deciding_sql

WINDOWS = (7, 30)  # days
_PEOPLE = f"NOT {automatic_sql()} AND {deciding_sql()}"  # people's moderation decisions
_LATEST = (
    "SELECT d.comment_id, d.action FROM decisions d WHERE d.id IN "
    f"(SELECT max(id) FROM decisions WHERE at >= ? AND {_PEOPLE} GROUP BY comment_id)"
)


def _share(part: int, whole: int) -> float | None:
    """part / whole rounded, None when nothing was decided."""
    return round(part / whole, 4) if whole else None


def by_flag(db, since: str) -> list[dict]:
    """[{code, decided, rejected, approved, agreement}] per flag code, then the unflagged row
    (code ``""``, agreement = approved share)."""
    rows = db.execute(
        f"SELECT sc.flag_codes, latest.action, count(*) FROM ({_LATEST}) latest "
        "JOIN scores sc ON sc.comment_id = latest.comment_id GROUP BY sc.flag_codes, latest.action",
        [since],
    ).fetchall()
    per_code: dict[str, dict] = {}
    unflagged = {"code": "", "decided": 0, "rejected": 0, "approved": 0}
    for codes, action, count in rows:
        code_list = codes.split()
        targets = [per_code.setdefault(c, {"code": c, "decided": 0, "rejected": 0, "approved": 0})
                   for c in code_list]  # fmt: skip
        if not set(code_list) - FACET_CODES:
            targets.append(unflagged)
        for entry in targets:
            entry["decided"] += count
            entry["rejected" if action == "reject" else "approved"] += count
    out = sorted(per_code.values(), key=lambda e: (-e["decided"], e["code"]))
    for entry in out:
        entry["agreement"] = _share(entry["rejected"], entry["decided"])
    unflagged["agreement"] = _share(unflagged["approved"], unflagged["decided"])
    return [*out, unflagged]


def by_rule(db, since: str) -> list[dict]:
    """[{rule_id, name, action, fired, decided, approved, rejected, agreement}] per rule."""
    rows = db.execute(
        "SELECT f.rule_id, max(f.rule_name), coalesce(max(r.action), ''), "
        "count(DISTINCT f.comment_id), "
        "count(DISTINCT CASE WHEN latest.action = 'approve' THEN f.comment_id END), "
        "count(DISTINCT CASE WHEN latest.action = 'reject' THEN f.comment_id END) "
        f"FROM rule_firings f LEFT JOIN ({_LATEST}) latest ON latest.comment_id = f.comment_id "
        "LEFT JOIN rules r ON r.id = f.rule_id WHERE f.at >= ? "
        "GROUP BY f.rule_id ORDER BY count(DISTINCT f.comment_id) DESC, f.rule_id",
        [since, since],
    ).fetchall()
    out = []
    for rule_id, name, action, fired, approved, rejected in rows:
        agreeing = approved if action == "approve" else rejected
        out.append(
            {
                "rule_id": rule_id,
                "name": name,
                "action": action,
                "fired": fired,
                "decided": approved + rejected,
                "approved": approved,
                "rejected": rejected,
                "agreement": _share(agreeing, approved + rejected),
            }
        )
    return out


def report(db, now: datetime | None = None) -> dict[int, dict]:
    """{days: {"flags": by_flag, "rules": by_rule}} for the last 7 and 30 days."""
    now = now or datetime.now(UTC)
    out = {}
    for days in WINDOWS:
        since = (now - timedelta(days=days)).isoformat(timespec="seconds")
        out[days] = {"flags": by_flag(db, since), "rules": by_rule(db, since)}
    return out
