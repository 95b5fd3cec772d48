"""Rules in the scoring pass: the facts of a batch in a few queries, then each firing applied
as a decision named after its rule (actor ``rule:N``); and the dry run over recent comments."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import UTC, timedelta

from moderation.rules.engine import CompiledRules, Firing, compile_rules, describe
from moderation.rules.model import (
    APPROVE,
    FLAG_EDITOR,
    HOLD,
    REJECT,
    SET_LEVEL,
    Facts,
    Rule,
)
from moderation.states import PENDING, SYSTEM_ACTOR
from moderation.storage import authors, comments, decisions, in_chunks
from moderation.storage import rules as rule_store
from moderation.timeutil import now_iso, parse_iso

RULE_ACTOR = "rule:"
BEIJING = timedelta(hours=8)
EXAMPLES = 5


def actor_of(rule_id: int) -> str:
    """The decisions-log actor of a rule's decisions."""
    return f"{RULE_ACTOR}{rule_id}"


def _context(db, comment_ids: list[int]) -> dict[int, dict]:
    """{comment id: channel, story, created_at, status, story published_at}."""
    found = {}
    for chunk, marks in in_chunks(comment_ids):
        for row in db.query(
            "SELECT c.id, c.channel, c.story_id, c.created_at, c.status, c.text, c.author_key, "
            "s.published_at FROM comments c LEFT JOIN stories s ON s.id = c.story_id "
            f"WHERE c.id IN ({marks})",
            chunk,
        ):
            found[row["id"]] = row
    return found


def _facts(row: dict, flags: list, sentiment, offensive, author) -> Facts:
    created = parse_iso(row["created_at"])
    published = parse_iso(row.get("published_at"))
    age = (created - published).total_seconds() / 86400 if created and published else None
    hour = (created.astimezone(UTC) + BEIJING).hour if created else None
    return Facts(
        comment_id=row["id"],
        text=row["text"],
        flags=flags,
        sentiment=sentiment,
        offensive=offensive,
        channel=row["channel"],
        story_id=row["story_id"],
        story_age_days=age,
        beijing_hour=hour,
        author=author,
    )


def apply_rules(db, comment_ids: list[int], scored, thresholds) -> list[Firing]:
    """Decide a freshly scored batch by the rules (inside the caller's transaction).

    Only pending comments no person has decided are touched, so a moderator's undo stands.
    """
    compiled = compile_rules(rule_store.list_rules(db))
    if not compiled.rules:
        return []
    context = _context(db, comment_ids)
    pending = [(i, s) for i, s in zip(comment_ids, scored, strict=True) if _open(context, i)]
    if not pending:
        return []
    people = authors.author_facts(
        db, [context[i]["author_key"] for i, _ in pending], compiled.needs_history, thresholds
    )
    fired = []
    for comment_id, result in pending:
        row = context[comment_id]
        facts = _facts(
            row,
            result.flags,
            result.sentiment,
            getattr(result, "offensive", None),  # absent until the offensive model lands
            people[row["author_key"]],
        )
        fired.extend(compiled.evaluate(facts))
    decided = _decided_by_people(db, sorted({f.comment_id for f in fired}))
    applied = [f for f in fired if f.comment_id not in decided]
    now = now_iso()
    for firing in applied:
        _apply(db, firing, now)
    return applied


def _open(context: dict, comment_id: int) -> bool:
    row = context.get(comment_id)
    return row is not None and row["status"] == PENDING


def _decided_by_people(db, comment_ids: list[int]) -> set[int]:
    """Comments a person has decided (a rule never overrides them, after an undo too)."""
    found = set()
    for chunk, marks in in_chunks(comment_ids):
        found.update(
            row[0]
            for row in db.execute(
                f"SELECT DISTINCT comment_id FROM decisions WHERE comment_id IN ({marks}) "
                "AND actor != ? AND substr(actor, 1, 5) != ?",
                [*chunk, SYSTEM_ACTOR, RULE_ACTOR],
            )
        )
    return found


def _apply(db, firing: Firing, now: str) -> None:
    rule, comment_id = firing.rule, firing.comment_id
    actor = actor_of(rule.id)
    if rule.action in (APPROVE, REJECT):
        reason = f"{rule.reason}:{firing.detail}"[:200] if firing.detail else rule.reason or None
        comments.decide(db, comment_id, rule.action, actor, reason)
    elif rule.action == HOLD:
        if not _held_in(db, comment_id, rule.queue):
            db.table("rule_holds").upsert(
                {"comment_id": comment_id, "queue": rule.queue, "rule_id": rule.id, "at": now},
                pk="comment_id",
            )
            decisions.record(db, comment_id, actor, HOLD, PENDING, PENDING, rule.queue)
    elif rule.action == FLAG_EDITOR:
        decisions.record(db, comment_id, actor, FLAG_EDITOR, PENDING, PENDING, rule.why or None)
    elif rule.action == SET_LEVEL:
        current = authors.explicit_levels(db, [firing.author_key]).get(firing.author_key)
        if current != rule.level:
            authors.set_level(
                db, firing.author_key, rule.level, actor, f"规则 {rule.id}：{rule.name}"
            )
    db.table("rule_firings").insert(
        {
            "comment_id": comment_id,
            "rule_id": rule.id,
            "rule_name": rule.name,
            "outcome": rule.outcome_words(),
            "detail": firing.detail[:200],
            "at": now,
        }
    )


def _held_in(db, comment_id: int, queue: str) -> bool:
    row = db.execute("SELECT queue FROM rule_holds WHERE comment_id = ?", [comment_id]).fetchone()
    return row is not None and row[0] == queue


def firings_for(db, comment_ids) -> dict[int, list[dict]]:
    """{comment id: its rule firings in words, oldest first} for a page of cards."""
    found: dict[int, list[dict]] = {}
    for chunk, marks in in_chunks(list(comment_ids)):
        for row in db.query(
            f"SELECT * FROM rule_firings WHERE comment_id IN ({marks}) ORDER BY id", chunk
        ):
            row["words"] = describe(row["rule_id"], row["rule_name"], row["outcome"])
            found.setdefault(row["comment_id"], []).append(row)
    return found


def held_queues(db) -> dict[str, int]:
    """{named queue: pending comments held in it}."""
    return dict(
        db.execute(
            "SELECT h.queue, COUNT(*) FROM rule_holds h JOIN comments c ON c.id = h.comment_id "
            "WHERE c.status = 'pending' GROUP BY h.queue ORDER BY h.queue"
        ).fetchall()
    )


def dry_run(db, candidate: Rule, limit: int, thresholds) -> dict:
    """How the rule set with `candidate` in its place would decide the last `limit` scored
    comments (as they are now): what the candidate decides, what earlier rules take first,
    counts per final outcome and a few examples. Nothing is written."""
    others = [r for r in rule_store.list_rules(db) if candidate.id is None or r.id != candidate.id]
    at = min(max(candidate.position or len(others) + 1, 1), len(others) + 1)
    ordered = others[: at - 1] + [replace(candidate, id=None)] + others[at - 1 :]
    compiled = compile_rules([replace(r, position=n) for n, r in enumerate(ordered, 1)])
    rows = list(
        db.query(
            "SELECT c.id, c.channel, c.story_id, c.created_at, c.status, c.text, c.author_key, "
            "s.published_at, sc.* FROM comments c JOIN scores sc ON sc.comment_id = c.id "
            "LEFT JOIN stories s ON s.id = c.story_id ORDER BY c.id DESC LIMIT ?",
            [limit],
        )
    )
    return _summarise(db, compiled, rows, thresholds)


def _summarise(db, compiled: CompiledRules, rows: list[dict], thresholds) -> dict:
    people = authors.author_facts(
        db, [row["author_key"] for row in rows], compiled.needs_history, thresholds
    )
    by_rule: Counter = Counter()
    candidate_hits, examples = 0, []
    for row in rows:
        facts = _facts(
            row,
            json.loads(row["flags"]),
            row["sentiment"],
            row.get("offensive"),
            people[row["author_key"]],
        )
        fired = compiled.evaluate(facts)
        final = fired[-1].rule if fired else None
        by_rule[final.name if final else "（无规则命中：待审）"] += 1
        if any(f.rule.id is None for f in fired):
            candidate_hits += 1
            if len(examples) < EXAMPLES:
                examples.append(
                    {"id": row["id"], "text": row["text"][:80], "status": row["status"]}
                )
    return {
        "checked": len(rows),
        "candidate": candidate_hits,
        "by_rule": dict(by_rule.most_common()),
        "examples": examples,
    }
