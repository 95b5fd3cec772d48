"""Rules in the scoring pass: the facts of a batch in a few queries, then each firing applied
as a decision named after its rule (actor ``rule:N``); and the dry run over recent comments."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace

from moderation.rules.engine import (
    CompiledRules,
    Firing,
    author_after,
    compile_rules,
    describe,
)
from moderation.rules.model import (
    APPROVE,
    ASK_SECOND_OPINION,
    FLAG_EDITOR,
    HOLD,
    LEVELS,
    NEW,
    NON_TERMINAL,
    REJECT,
    RISKY,
    SET_LEVEL,
    Facts,
    Rule,
)
from moderation.states import MODE_ACTOR, PENDING, RULE_ACTOR
from moderation.storage import authors, automatic_sql, decisions, in_chunks, story_modes
from moderation.storage import rules as rule_store
from moderation.timeutil import BEIJING, now_iso, parse_iso

EXAMPLES = 5


def actor_of(rule_id: int | str) -> str:
    """The decisions-log actor of a rule's decisions (a story mode's are named mode:post)."""
    return rule_id if isinstance(rule_id, str) else f"{RULE_ACTOR}{rule_id}"


def _mode_rule(mode: str, action: str) -> Rule:
    """A story mode acting like a rule, so its decisions are logged and shown the same way."""
    name = story_modes.MODES[mode]
    return Rule(name, action, queue=name if action == HOLD else "", id=f"{MODE_ACTOR}{mode}")


def with_mode(fired: list[Firing], mode: str, facts: Facts) -> list[Firing]:
    """The firings after the story's mode: closed and emergency hold what a rule would
    approve (closed holds the rest too); post approves what no rule decided and no flag
    marked, except from new or risky authors, held in their own queue."""
    terminal = fired[-1] if fired and fired[-1].rule.action not in NON_TERMINAL else None
    levels = fired[:-1] if terminal else fired
    comment_id, author = facts.comment_id, facts.author
    if mode in (story_modes.CLOSED, story_modes.EMERGENCY):
        if (terminal and terminal.rule.action == APPROVE) or (
            terminal is None and mode == story_modes.CLOSED
        ):
            return [*levels, Firing(_mode_rule(mode, HOLD), comment_id, author.key)]
    if mode == story_modes.POST and terminal is None and not facts.flags:
        if author.level in (NEW, RISKY):
            level = LEVELS[author.level]
            name = f"{story_modes.MODES[mode]}：{level}"
            held = Rule(name, HOLD, queue=level, id=f"{MODE_ACTOR}{mode}")
            return [*levels, Firing(held, comment_id, author.key)]
        return [*levels, Firing(_mode_rule(mode, APPROVE), comment_id, author.key)]
    return fired


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


def _moment(text: str | None):
    """A stored timestamp, or None when a channel sent something that is not one."""
    try:
        return parse_iso(text)
    except (TypeError, ValueError):
        return None


def _facts(row: dict, flags: list, sentiment, offensive, author, opinion=None) -> Facts:
    created = _moment(row["created_at"])
    published = _moment(row.get("published_at"))
    age = (created - published).total_seconds() / 86400 if created and published else None
    hour = created.astimezone(BEIJING).hour if created else None
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
        second_opinion=opinion,
    )


def _batch(db, comment_ids, scored, thresholds, modes, opinions=None):
    """The compiled rules and, per pending comment, its facts and its story's mode."""
    compiled = compile_rules(rule_store.list_rules(db))
    context = _context(db, comment_ids)
    pending = [(i, s) for i, s in zip(comment_ids, scored, strict=True) if _open(context, i)]
    if not pending:
        return compiled, []
    modes = modes or story_modes.ModeSettings()
    in_force = story_modes.effective_modes(db, [context[i]["story_id"] for i, _ in pending], modes)
    # Post mode holds new and risky authors: their history is read only when it counts.
    history = compiled.needs_history or story_modes.POST in in_force.values()
    people = authors.author_facts(
        db, [context[i]["author_key"] for i, _ in pending], history, thresholds
    )
    opinions = opinions or {}
    judged = []
    for comment_id, result in pending:
        row = context[comment_id]
        facts = _facts(
            row,
            result.flags,
            result.sentiment,
            result.offensive,
            people[row["author_key"]],
            opinions.get(comment_id),
        )
        judged.append((facts, in_force.get(row["story_id"], story_modes.PRE)))
    return compiled, judged


def opinion_requests(db, comment_ids: list[int], scored, thresholds, modes=None) -> dict:
    """{comment id: providers its rules ask (ask_second_opinion; "" = the first configured)}
    for the pending comments of a freshly scored batch. Nothing is written."""
    asking = [r for r in rule_store.list_rules(db) if r.enabled and r.action == ASK_SECOND_OPINION]
    if not asking:
        return {}  # no rule asks: the batch's facts are not read twice
    compiled, judged = _batch(db, comment_ids, scored, thresholds, modes)
    wanted: dict[int, list[str]] = {}
    people: dict = {}
    for facts, _ in judged:
        for firing in _evaluate(compiled, facts, people)[0]:
            if firing.rule.action == ASK_SECOND_OPINION:
                wanted.setdefault(facts.comment_id, []).append(firing.rule.provider)
    return wanted


def apply_rules(
    db, comment_ids: list[int], scored, thresholds, modes=None, opinions=None
) -> list[Firing]:
    """Decide a freshly scored batch by the rules, then the story modes (inside the
    caller's transaction). `opinions` are {comment id: the most severe second-opinion
    level it got}, for rules with the second_opinion condition.

    Only pending comments no person has decided are touched, so a moderator's undo stands.
    """
    compiled, judged = _batch(db, comment_ids, scored, thresholds, modes, opinions)
    fired, people = [], {}
    for facts, mode in judged:
        firings, facts = _evaluate(compiled, facts, people)
        fired.extend(with_mode(firings, mode, facts))
    decided = _decided_by_people(db, sorted({f.comment_id for f in fired}))
    applied = [f for f in fired if f.comment_id not in decided]
    _apply_all(db, applied, now_iso())
    return applied


def _evaluate(compiled: CompiledRules, facts: Facts, people: dict) -> tuple[list, Facts]:
    """The rules' firings on one comment, and its facts as they leave them. `people` holds
    each author as the batch's earlier firings left them (a set_level holds for the
    author's later comments in the batch too); it is updated."""
    facts = replace(facts, author=people.get(facts.author.key, facts.author))
    fired = compiled.evaluate(facts)
    author = author_after(fired, facts.author)
    people[author.key] = author
    return fired, replace(facts, author=author)


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
                f"AND NOT {automatic_sql()}",
                chunk,
            )
        )
    return found


def _apply_all(db, applied: list[Firing], now: str) -> None:
    """Write what the firings decide: state changes one by one (they reach the outbox), holds,
    editor flags and firing rows in a few statements (at ingest most firings are holds)."""
    held = _holds(db, sorted({f.comment_id for f in applied if f.rule.action == HOLD}))
    flagged = _editor_flags(
        db, sorted({f.comment_id for f in applied if f.rule.action == FLAG_EDITOR})
    )
    levels = authors.explicit_levels(
        db, {f.author_key for f in applied if f.rule.action == SET_LEVEL}
    )
    asked = _asked(
        db, sorted({f.comment_id for f in applied if f.rule.action == ASK_SECOND_OPINION})
    )
    holds, notes, fired = [], [], []
    for firing in applied:
        rule, comment_id, actor = firing.rule, firing.comment_id, actor_of(firing.rule.id)
        if rule.action in (APPROVE, REJECT):
            reason = f"{rule.reason}:{firing.detail}"[:200] if firing.detail else rule.reason
            done = decisions.decide_one(db, comment_id, rule.action, actor, reason or None)
            if done["from"] == done["to"]:
                continue
        elif rule.action == HOLD:
            if held.get(comment_id) == rule.queue:
                continue
            held[comment_id] = rule.queue
            holds.append((comment_id, rule.queue, rule.id, now))
            notes.append((comment_id, actor, HOLD, rule.queue, now))
        elif rule.action == FLAG_EDITOR:
            if (comment_id, actor) in flagged:
                continue
            flagged.add((comment_id, actor))
            notes.append((comment_id, actor, FLAG_EDITOR, rule.why or None, now))
        elif rule.action == SET_LEVEL:
            if levels.get(firing.author_key) == rule.level:
                continue
            authors.set_level(
                db, firing.author_key, rule.level, actor, f"规则 {rule.id}：{rule.name}"
            )
            levels[firing.author_key] = rule.level
        elif rule.action == ASK_SECOND_OPINION:
            if (comment_id, str(rule.id)) in asked:
                continue
            asked.add((comment_id, str(rule.id)))
        fired.append(
            (comment_id, rule.id, rule.name, rule.outcome_words(), firing.detail[:200], now)
        )
    db.conn.executemany(
        "INSERT INTO rule_holds (comment_id, queue, rule_id, at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (comment_id) DO UPDATE SET queue = excluded.queue, "
        "rule_id = excluded.rule_id, at = excluded.at",
        holds,
    )
    # Holds and editor flags leave the state as it is: logged, nothing to push.
    decisions.note_pending(db, notes)
    db.conn.executemany(
        "INSERT INTO rule_firings (comment_id, rule_id, rule_name, outcome, detail, at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        fired,
    )


def _asked(db, comment_ids: list[int]) -> set[tuple[int, str]]:
    """(comment id, rule id) of the second opinions rules already asked for."""
    found = set()
    for chunk, marks in in_chunks(comment_ids):
        found.update(
            (row[0], str(row[1]))
            for row in db.execute(
                f"SELECT comment_id, rule_id FROM rule_firings WHERE comment_id IN ({marks}) "
                "AND outcome LIKE '征求第二意见%'",
                chunk,
            )
        )
    return found


def _holds(db, comment_ids: list[int]) -> dict[int, str]:
    """{comment id: the named queue it is held in}."""
    found = {}
    for chunk, marks in in_chunks(comment_ids):
        found.update(
            db.execute(
                f"SELECT comment_id, queue FROM rule_holds WHERE comment_id IN ({marks})", chunk
            ).fetchall()
        )
    return found


def _editor_flags(db, comment_ids: list[int]) -> set[tuple[int, str]]:
    """(comment id, rule actor) of the editor flags rules already raised."""
    found = set()
    for chunk, marks in in_chunks(comment_ids):
        found.update(
            db.execute(
                f"SELECT comment_id, actor FROM decisions WHERE comment_id IN ({marks}) "
                "AND action = ? AND actor LIKE ?",
                [*chunk, FLAG_EDITOR, f"{RULE_ACTOR}%"],
            ).fetchall()
        )
    return found


def firings_for(db, comment_ids) -> dict[int, list[dict]]:
    """{comment id: its rule firings in words, oldest first} for a page of cards."""
    found: dict[int, list[dict]] = {}
    for chunk, marks in in_chunks(list(comment_ids)):
        for row in db.query(
            f"SELECT * FROM rule_firings WHERE comment_id IN ({marks}) ORDER BY id", chunk
        ):
            row["words"] = (
                f"稿件模式“{row['rule_name']}” → {row['outcome']}"
                if str(row["rule_id"]).startswith(MODE_ACTOR)
                else describe(row["rule_id"], row["rule_name"], row["outcome"])
            )
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
        fired, _ = _evaluate(compiled, facts, people)
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
