"""The rules engine, pure: each condition, rule order, set_level carrying on, checking, TOML."""

from __future__ import annotations

import pytest

from moderation.rules.engine import author_after, check_rule, compile_rules, describe
from moderation.rules.model import AuthorFacts, Facts, Rule, RuleError
from moderation.rules.toml_io import rule_from_toml, rules_from_toml, rules_to_toml

LINK = {"code": "spam_link", "action": "review", "spans": [{"text": "a.cn"}]}
BANNED = {"code": "banned", "action": "reject", "spans": [{"text": "傻逼"}]}
REASONS = {"abuse": "辱骂", "banned": "禁用词"}


def facts(**changes) -> Facts:
    """A plain comment: no flags, neutral, on demo, by a regular author at 10:00 Beijing."""
    author = AuthorFacts(
        changes.pop("author_key", "reader"),
        changes.pop("level", "regular"),
        changes.pop("approved", 5),
        changes.pop("rejected", 0),
    )
    values = dict(
        comment_id=1, text="这是一条普通的评论", flags=[], sentiment=0.5, channel="demo",
        story_id=7, story_age_days=1.0, beijing_hour=10, author=author,
    )  # fmt: skip
    return Facts(**{**values, **changes})


def fires(when: dict, **changes) -> bool:
    """Whether a one-rule set with these conditions fires on the comment."""
    compiled = compile_rules([Rule("r", "approve", when, id=1)])
    return bool(compiled.evaluate(facts(**changes)))


@pytest.mark.parametrize(
    ("when", "matching", "other"),
    [
        ({"flags": ["spam_link"]}, {"flags": [LINK]}, {"flags": [BANNED]}),
        ({"flag_level": "reject"}, {"flags": [BANNED]}, {"flags": [LINK]}),
        ({"no_flags": True}, {}, {"flags": [LINK]}),
        ({"no_flags": False}, {"flags": [LINK]}, {}),
        ({"sentiment_below": 0.2}, {"sentiment": 0.1}, {"sentiment": 0.3}),
        ({"sentiment_above": 0.8}, {"sentiment": 0.9}, {"sentiment": 0.5}),
        ({"offensive_above": 0.7}, {"offensive": 0.9}, {"offensive": 0.2}),
        ({"offensive_above": 0.7}, {"offensive": 0.9}, {}),  # no offensive score: not met
        ({"channels": ["weibo"]}, {"channel": "weibo"}, {"channel": "demo"}),
        ({"stories": [9]}, {"story_id": 9}, {"story_id": 7}),
        ({"story_age_days_above": 3}, {"story_age_days": 4.5}, {"story_age_days": 1.0}),
        ({"story_age_days_below": 1}, {"story_age_days": 0.5}, {"story_age_days": None}),
        ({"author_levels": ["new", "risky"]}, {"level": "new"}, {"level": "trusted"}),
        ({"author_approved_below": 3}, {"approved": 2}, {"approved": 3}),
        ({"author_rejected_at_least": 2}, {"rejected": 2}, {"rejected": 1}),
        ({"length_below": 5}, {"text": "好"}, {"text": "这是一条普通的评论"}),
        ({"length_above": 5}, {"text": "这是一条普通的评论"}, {"text": "好"}),
        ({"has_link": True}, {"flags": [LINK]}, {}),
        ({"has_link": False}, {}, {"flags": [LINK]}),
        ({"hours": "22-7"}, {"beijing_hour": 23}, {"beijing_hour": 7}),
        ({"hours": "22-7"}, {"beijing_hour": 0}, {"beijing_hour": 21}),
        ({"hours": "9-17"}, {"beijing_hour": 9}, {"beijing_hour": 17}),
    ],
)
def test_condition_matches_only_its_comments(when, matching, other):
    assert fires(when, **matching)
    assert not fires(when, **other)


def test_all_conditions_of_a_rule_must_hold():
    when = {"author_levels": ["new"], "has_link": True}
    assert fires(when, level="new", flags=[LINK])
    assert not fires(when, level="new")
    assert not fires(when, level="regular", flags=[LINK])


def test_first_matching_rule_decides_in_order():
    rules = [
        Rule("later", "approve", {"no_flags": False}, id=2, position=2),
        Rule("first", "hold", {"has_link": True}, queue="链接", id=1, position=1),
    ]
    fired = compile_rules(rules).evaluate(facts(flags=[LINK]))
    assert [f.rule.name for f in fired] == ["first"]
    swapped = [Rule(**{**vars(r), "position": 3 - r.position}) for r in rules]
    assert [f.rule.name for f in compile_rules(swapped).evaluate(facts(flags=[LINK]))] == ["later"]


def test_disabled_rule_is_skipped():
    rules = [Rule("off", "reject", {}, reason="abuse", id=1, enabled=False)]
    assert compile_rules(rules).evaluate(facts()) == []


def test_set_level_applies_to_the_rules_after_it():
    rules = [
        Rule(
            "mute spammers", "set_level", {"flags": ["spam_link"]}, level="muted", id=1, position=1
        ),
        Rule("muted", "reject", {"author_levels": ["muted"]}, reason="abuse", id=2, position=2),
    ]
    given = facts(flags=[LINK])
    fired = compile_rules(rules).evaluate(given)
    assert [f.rule.id for f in fired] == [1, 2]
    assert given.author.level == "regular"  # evaluate changes nothing it is given
    assert author_after(fired, given.author).level == "muted"
    assert author_after(fired[1:], given.author) is given.author


def test_reject_names_the_flagged_words():
    rules = [Rule("禁用词", "reject", {"flag_level": "reject"}, reason="banned", id=1)]
    (firing,) = compile_rules(rules).evaluate(facts(flags=[BANNED, LINK]))
    assert firing.detail == "傻逼"


def test_history_is_needed_only_when_a_rule_reads_it():
    assert not compile_rules([Rule("t", "approve", {"author_levels": ["trusted"]})]).needs_history
    assert compile_rules([Rule("n", "hold", {"author_levels": ["new"]}, queue="q")]).needs_history
    assert compile_rules([Rule("a", "approve", {"author_approved_below": 2})]).needs_history


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (Rule("", "approve"), "名称"),
        (Rule("x", "explode"), "未知动作"),
        (Rule("x", "approve", {"colour": "red"}), "未知条件"),
        (Rule("x", "approve", {"sentiment_below": "low"}), "类型"),
        (Rule("x", "approve", {"hours": "25-3"}), "时段"),
        (Rule("x", "approve", {"author_levels": ["vip"]}), "作者级别"),
        (Rule("x", "approve", {"channels": ["web" * 30]}), "每一项"),
        (Rule("x", "approve", {"stories": ["7"]}), "编号"),
        (Rule("x", "reject"), "原因"),
        (Rule("x", "hold"), "队列"),
        (Rule("x", "set_level", level="new"), "级别"),
    ],
)
def test_check_rule_refuses_with_a_chinese_message(rule, message):
    with pytest.raises(RuleError, match=message):
        check_rule(rule, REASONS)


def test_check_rule_types_integers_as_floats():
    checked = check_rule(Rule(" 负面 ", "approve", {"sentiment_below": 0}), REASONS)
    assert checked.name == "负面" and checked.when == {"sentiment_below": 0.0}


def test_rules_round_trip_through_toml():
    rules = [
        Rule("新用户含链接", "hold", {"author_levels": ["new"], "has_link": True}, queue="新用户",
             why='含"引号"\n与换行'),
        Rule("夜间", "reject", {"hours": "22-7", "sentiment_below": 0.1}, reason="abuse",
             enabled=False),
    ]  # fmt: skip
    assert rules_from_toml(rules_to_toml(rules)) == rules


def test_one_rule_from_the_editor_form():
    rule = rule_from_toml('name = "x"\naction = "approve"\n[when]\nno_flags = true\n')
    assert rule == Rule("x", "approve", {"no_flags": True})


@pytest.mark.parametrize(
    "text", ["name = ", "[[rules]]\nname = 3\n", "[[rules]]\nname='x'\nwhat = 1\n", "x = 1"]
)
def test_bad_toml_is_a_rule_error(text):
    with pytest.raises(RuleError):
        rules_from_toml(text)


def test_describe_says_it_in_words():
    rule = Rule("新用户含链接", "hold", queue="新用户")
    assert describe(3, rule.name, rule.outcome_words()) == "规则 3：新用户含链接 → 待审（新用户）"
