"""The one function that records a moderation decision: state, row, outbox action and the
"who decided first" check, for one comment or many, all or nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from moderation.states import APPROVED, PENDING, REJECTED, is_automatic
from moderation.storage import automatic_sql, decisions
from tests.test_scoring_pipeline import add

ROOT = Path(__file__).resolve().parents[2]


def add_comment(db, text: str) -> int:
    """One pending comment on a shared story."""
    count = db.execute("SELECT COUNT(*) FROM comments").fetchone()[0]
    return add(db, "web", str(count + 1), text)


def rows(db) -> list[tuple]:
    return db.execute(
        "SELECT comment_id, actor, action, from_state, to_state FROM decisions ORDER BY id"
    ).fetchall()


def test_decide_changes_state_logs_once_and_is_idempotent(db):
    first, second = add_comment(db, "一"), add_comment(db, "二")
    done = decisions.decide(db, [first, second], "approve", "mod1")
    assert [(d["from"], d["to"]) for d in done] == [(PENDING, APPROVED)] * 2
    again = decisions.decide(db, [first, second], "approve", "mod1")
    assert [d["decision_id"] for d in again] == [None, None]
    assert rows(db) == [
        (first, "mod1", "approve", PENDING, APPROVED),
        (second, "mod1", "approve", PENDING, APPROVED),
    ]


def test_a_bulk_decision_over_a_comment_decided_meanwhile_applies_nothing(db):
    kept, other = add_comment(db, "甲"), add_comment(db, "乙")
    decisions.decide_one(db, kept, "reject", "mod1", "personal_data", seen=PENDING)
    shown = decisions.Seen(states={kept: PENDING, other: PENDING})
    with pytest.raises(decisions.DecisionConflict) as raised:
        decisions.decide(db, [kept, other], "approve", "mod2", seen=shown)
    assert raised.value.conflicts[0]["comment_id"] == kept
    assert raised.value.last["actor"] == "mod1" and raised.value.current == REJECTED
    assert decisions.statuses(db, [kept, other]) == {kept: REJECTED, other: PENDING}


def test_a_decision_after_the_one_seen_is_a_conflict_even_back_in_the_same_state(db):
    comment = add_comment(db, "丙")
    mine = decisions.decide_one(db, comment, "approve", "mod1")["decision_id"]
    decisions.decide_one(db, comment, "reject", "mod2")
    decisions.decide_one(db, comment, "approve", "mod2")
    with pytest.raises(decisions.DecisionConflict):
        decisions.decide_one(db, comment, "reopen", "mod1", seen=decisions.Seen(APPROVED, mine))
    assert decisions.statuses(db, [comment]) == {comment: APPROVED}


def test_automatic_actors_are_declared_once(db):
    for actor, automatic in (("system", True), ("rule:3", True), ("mode:post", True),
                             ("王编辑", False), ("rulebook", False)):  # fmt: skip
        assert is_automatic(actor) is automatic
        found = db.execute(f"SELECT {automatic_sql()} FROM (SELECT ? AS actor)", [actor])
        assert bool(found.fetchone()[0]) is automatic


def test_one_module_writes_decision_rows():
    found = subprocess.run(
        ["git", "grep", "-il", "insert into decisions", "moderation"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert found == ["moderation/storage/decision_log.py"]
