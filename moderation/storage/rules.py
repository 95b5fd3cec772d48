"""The rule set in the database: listing, adding, editing, ordering and importing rules."""

from __future__ import annotations

import json

from moderation.rules.engine import check_rule
from moderation.rules.model import Rule, RuleError
from moderation.storage import reasons
from moderation.timeutil import now_iso

# Reasons only rules give (beside the moderators' list).
AUTOMATIC_REASONS = {"banned": "禁用词", "muted": "禁言作者"}
MAX_RULES = 200


def reason_codes(db) -> dict[str, str]:
    """The reject reasons a rule may give, code -> label (the managed list)."""
    return {**reasons.labels(db), **AUTOMATIC_REASONS}


def _rule(row: dict) -> Rule:
    return Rule(
        id=row["id"],
        position=row["position"],
        name=row["name"],
        enabled=bool(row["enabled"]),
        when=json.loads(row["conditions"]),
        action=row["action"],
        reason=row["reason"],
        queue=row["queue"],
        level=row["level"],
        provider=row.get("provider") or "",
        why=row["why"],
    )


def list_rules(db) -> list[Rule]:
    """Every rule in order (disabled ones too)."""
    return [_rule(row) for row in db.query("SELECT * FROM rules ORDER BY position, id")]


def get_rule(db, rule_id: int) -> Rule | None:
    """One rule, or None."""
    rows = list(db.query("SELECT * FROM rules WHERE id = ?", [rule_id]))
    return _rule(rows[0]) if rows else None


def _values(rule: Rule, actor: str) -> dict:
    return {
        "name": rule.name,
        "enabled": int(rule.enabled),
        "conditions": json.dumps(rule.when, ensure_ascii=False),
        "action": rule.action,
        "reason": rule.reason,
        "queue": rule.queue,
        "level": rule.level,
        "provider": rule.provider,
        "why": rule.why,
        "updated_by": actor,
        "updated_at": now_iso(),
    }


def add_rule(db, rule: Rule, actor: str, position: int | None = None) -> int:
    """Check and store a new rule at `position` (1 = first; default last); return its id."""
    rule = check_rule(rule, reason_codes(db))
    with db.atomic():
        count = db.execute("SELECT COUNT(*) FROM rules").fetchone()[0]
        if count >= MAX_RULES:
            raise RuleError(f"规则最多 {MAX_RULES} 条")
        position = min(max(position or count + 1, 1), count + 1)
        db.execute("UPDATE rules SET position = position + 1 WHERE position >= ?", [position])
        return db.table("rules").insert({**_values(rule, actor), "position": position}).last_pk


def update_rule(db, rule_id: int, rule: Rule, actor: str) -> None:
    """Check and store a changed rule in its place."""
    rule = check_rule(rule, reason_codes(db))
    with db.atomic():
        if get_rule(db, rule_id) is None:
            raise RuleError(f"没有规则 {rule_id}")
        db.table("rules").update(rule_id, _values(rule, actor))


def delete_rule(db, rule_id: int) -> bool:
    """Remove a rule (its past firings stay, with its name); True if it existed."""
    with db.atomic():
        gone = db.execute("DELETE FROM rules WHERE id = ?", [rule_id]).rowcount > 0
        _renumber(db)
    return gone


def move_rule(db, rule_id: int, step: int) -> None:
    """Move a rule up (step -1) or down (+1) one place."""
    with db.atomic():
        order = [rule.id for rule in list_rules(db)]
        if rule_id not in order:
            raise RuleError(f"没有规则 {rule_id}")
        index = order.index(rule_id)
        other = min(max(index + step, 0), len(order) - 1)
        order[index], order[other] = order[other], order[index]
        _write_order(db, order)


def set_enabled(db, rule_id: int, enabled: bool) -> None:
    """Switch a rule on or off without losing it."""
    db.execute("UPDATE rules SET enabled = ? WHERE id = ?", [int(enabled), rule_id])


def replace_rules(db, rules: list[Rule], actor: str) -> int:
    """Replace the whole rule set (a TOML import): every rule checked first, all or none."""
    codes = reason_codes(db)
    checked = [check_rule(rule, codes) for rule in rules]
    if len(checked) > MAX_RULES:
        raise RuleError(f"规则最多 {MAX_RULES} 条")
    with db.atomic():
        db.execute("DELETE FROM rules")
        db.table("rules").insert_all(
            {**_values(rule, actor), "position": n} for n, rule in enumerate(checked, 1)
        )
    return len(checked)


def _renumber(db) -> None:
    _write_order(db, [rule.id for rule in list_rules(db)])


def _write_order(db, order: list[int]) -> None:
    db.conn.executemany(
        "UPDATE rules SET position = ? WHERE id = ?",
        [(n, rule_id) for n, rule_id in enumerate(order, 1)],
    )
