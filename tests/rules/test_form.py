"""The rule form: every condition and action declared with a Chinese label, what an admin
fills in becomes the same rule the TOML would, and bad values are refused in Chinese."""

import re

import pytest
from werkzeug.datastructures import MultiDict

from moderation.rules import form as rule_form
from moderation.rules.engine import check_rule
from moderation.rules.model import ACTIONS, CONDITIONS, Rule, RuleError
from moderation.rules.toml_io import rule_from_toml

CHINESE = re.compile(r"[\u4e00-\u9fff]")
REASONS = {"ad": "广告", "abuse": "辱骂"}


def test_every_condition_and_action_has_a_chinese_label():
    assert set(rule_form.CONDITION_FIELDS) == set(CONDITIONS)  # one entry per condition
    for field in rule_form.condition_fields():
        assert CHINESE.search(field.label), field.key
        assert not re.search(r"[a-z]_[a-z]", field.label + field.help), field.key
    assert all(CHINESE.search(name) for name in ACTIONS.values())


def test_the_form_makes_the_same_rule_as_the_toml():
    toml = rule_from_toml(
        'name = "新用户夜间含链接"\naction = "reject"\nreason = "ad"\n[when]\n'
        'author_levels = ["new", "watch"]\nhas_link = true\nhours = "22-7"\n'
        "sentiment_below = 0.2\nlength_above = 5\nstories = [3, 4]\n"
    )
    form = MultiDict(
        [
            ("name", "新用户夜间含链接"),
            ("action", "reject"),
            ("reason", "ad"),
            ("queue", "ignored"),
            ("when.author_levels", "new"),
            ("when.author_levels", "watch"),
            ("when.has_link", "yes"),
            ("when.hours.from", "22"),
            ("when.hours.to", "7"),
            ("when.sentiment_below", "0.2"),
            ("when.length_above", "5"),
            ("when.stories", "3，4"),
            ("when.flag_level", ""),
        ]
    )
    assert check_rule(rule_form.rule_from_form(form), REASONS) == check_rule(toml, REASONS)


def test_form_values_round_trip_through_the_form():
    rule = Rule(
        "x", "hold", {"no_flags": False, "hours": "9-17", "channels": ["demo"]}, queue="白天"
    )
    values = rule_form.form_values(rule)
    form = MultiDict()
    for key, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            form.add(key, item)
    assert rule_form.rule_from_form(form) == rule


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("when.sentiment_below", "abc", "“情感分低于”须填数字"),
        ("when.sentiment_below", "2", "“情感分低于”须在 0 到 1 之间"),
        ("when.length_below", "3.5", "“正文字数少于”须填整数"),
        ("when.stories", "12, x", "“属于以下稿件”须为用逗号分隔的编号"),
        ("when.hours.from", "22", "“北京时间时段”须同时选起止时间"),
    ],
)
def test_bad_values_are_refused_in_chinese(field, value, words):
    form = MultiDict([("name", "x"), ("action", "approve"), (field, value)])
    with pytest.raises(RuleError, match=words):
        rule_form.rule_from_form(form)


def test_the_list_describes_conditions_in_words():
    rule = Rule("x", "approve", {"author_levels": ["trusted"], "has_link": False, "hours": "22-7"})
    words = rule_form.describe(rule, rule_form.static_choices())
    assert words == ["作者级别为其一：信任", "不含链接", "北京时间时段 22:00–7:00"]
