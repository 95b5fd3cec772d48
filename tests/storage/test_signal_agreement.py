"""Per flag reason and per rule: how often the desk agreed with its signals."""

from datetime import UTC, datetime, timedelta

from moderation.rules.model import Rule
from moderation.storage import comments, rules, signal_agreement, stories
from tests.web.conftest import add_comment, add_score


def flag(code):
    return {"code": code, "reason": code, "action": "review", "spans": []}


def decided(db, text, codes, action, actor="王编辑"):
    comment_id = add_comment(db, text)
    add_score(db, comment_id, sentiment=0.5, flags=[flag(c) for c in codes])
    comments.decide(db, comment_id, action, actor)
    return comment_id


def test_agreement_per_flag_and_for_unflagged(db):
    stories.placeholder_story(db, "demo", "story-1")
    decided(db, "a", ["offensive"], "reject")
    decided(db, "b", ["offensive"], "reject")
    decided(db, "c", ["offensive", "low_information"], "approve")
    decided(db, "d", ["low_information"], "approve")  # a facet alone: not 机器标记
    decided(db, "e", [], "approve")
    decided(db, "f", [], "reject")
    decided(db, "g", ["personal_data"], "reject", actor="system")  # not a person: left out
    rows = {row["code"]: row for row in signal_agreement.report(db)[7]["flags"]}
    assert rows["offensive"] == {
        "code": "offensive", "decided": 3, "rejected": 2, "approved": 1, "agreement": 0.6667
    }  # fmt: skip
    assert rows["low_information"]["decided"] == 2
    assert rows[""]["decided"] == 3 and rows[""]["approved"] == 2  # d, e approved; f rejected
    assert "personal_data" not in rows


def test_only_the_latest_decision_in_the_window_counts(db):
    stories.placeholder_story(db, "demo", "story-1")
    comment_id = decided(db, "a", ["suspect"], "approve")
    comments.decide(db, comment_id, "reject", "李编辑")  # changed their mind
    rows = {row["code"]: row for row in signal_agreement.report(db)[30]["flags"]}
    assert rows["suspect"]["decided"] == 1 and rows["suspect"]["rejected"] == 1
    later = datetime.now(UTC) + timedelta(days=40)
    assert signal_agreement.report(db, now=later)[30]["flags"] == [
        {"code": "", "decided": 0, "rejected": 0, "approved": 0, "agreement": None}
    ]


def test_agreement_per_rule(db):
    stories.placeholder_story(db, "demo", "story-1")
    rule_id = rules.add_rule(db, Rule("夜间待审", "hold", {"hours": "0-24"}, queue="夜间"), "admin")
    now = datetime.now(UTC).isoformat(timespec="seconds")
    ids = [decided(db, t, [], a) for t, a in (("x", "reject"), ("y", "approve"), ("z", "reject"))]
    untouched = add_comment(db, "w")
    for comment_id in [*ids, untouched]:
        db.execute(
            "INSERT INTO rule_firings (comment_id, rule_id, rule_name, outcome, detail, at) "
            "VALUES (?, ?, '夜间待审', 'hold', '', ?)",
            [comment_id, rule_id, now],
        )
    (row,) = [r for r in signal_agreement.report(db)[7]["rules"] if r["rule_id"] == rule_id]
    assert (row["fired"], row["decided"], row["rejected"], row["approved"]) == (4, 3, 2, 1)
    assert row["agreement"] == 0.6667 and row["action"] == "hold"
