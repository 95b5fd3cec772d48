"""The rule action ask_second_opinion and the condition second_opinion, as rules declare,
check, store, export and evaluate them."""

from __future__ import annotations

import pytest

from moderation.rules.engine import check_rule, compile_rules
from moderation.rules.model import ACTIONS, CONDITIONS, AuthorFacts, Facts, Rule, RuleError
from moderation.rules.toml_io import rule_from_toml, rule_to_toml
from moderation.storage import rules as rule_store

REASONS = {"abuse": "辱骂"}


def facts(opinion=None, flags=()):
    return Facts(1, "文字", list(flags), 0.5, "web", AuthorFacts("a"), second_opinion=opinion)


def test_action_and_condition_are_declared():
    assert ACTIONS["ask_second_opinion"] == "征求第二意见"
    assert CONDITIONS["second_opinion"][0] is str


@pytest.mark.parametrize("level", ["pass", "review", "block"])
def test_condition_matches_its_level_only(level):
    compiled = compile_rules(
        [check_rule(Rule("r", "hold", {"second_opinion": level}, queue="q"), REASONS)]
    )
    assert [f.rule.name for f in compiled.evaluate(facts(level))] == ["r"]
    others = {"pass", "review", "block"} - {level}
    assert all(compiled.evaluate(facts(other)) == [] for other in others)
    assert compiled.evaluate(facts(None)) == []


def test_bad_level_is_refused_in_chinese():
    with pytest.raises(RuleError, match="second_opinion 须为"):
        check_rule(Rule("r", "hold", {"second_opinion": "maybe"}, queue="q"), REASONS)


def test_asking_does_not_end_the_rules():
    rules = [
        Rule("问", "ask_second_opinion", {"flags": ["suspect"]}, provider="aliyun", position=1),
        Rule("拒", "reject", {"second_opinion": "block"}, reason="abuse", position=2),
    ]
    compiled = compile_rules([check_rule(r, REASONS) for r in rules])
    suspect = [{"code": "suspect", "action": "review", "spans": []}]
    assert [f.rule.name for f in compiled.evaluate(facts("block", suspect))] == ["问", "拒"]
    assert [f.rule.name for f in compiled.evaluate(facts(None, suspect))] == ["问"]


def test_provider_name_is_checked_and_kept_only_for_asking():
    with pytest.raises(RuleError, match="provider"):
        check_rule(Rule("r", "ask_second_opinion", provider="阿里 云"), REASONS)
    kept = check_rule(Rule("r", "hold", queue="q", provider="aliyun"), REASONS)
    assert kept.provider == ""
    assert (
        Rule("r", "ask_second_opinion", provider="aliyun").outcome_words()
        == "征求第二意见（aliyun）"
    )


def test_rule_with_provider_round_trips_through_toml_and_storage(db):
    rule = Rule(
        "新用户问阿里云", "ask_second_opinion", {"author_levels": ["new"]}, provider="aliyun"
    )
    text = rule_to_toml(rule, table="")
    assert 'provider = "aliyun"' in text
    assert rule_from_toml(text).provider == "aliyun"
    rule_id = rule_store.add_rule(db, rule, "admin")
    assert rule_store.get_rule(db, rule_id).provider == "aliyun"


def test_a_rule_asking_an_unconfigured_provider_is_refused_when_saved():
    from moderation.rules.engine import check_providers

    asking = Rule("问阿里", "ask_second_opinion", provider="aliyun")
    first = Rule("问第一个", "ask_second_opinion")
    with pytest.raises(RuleError, match="“aliyun”未在 config.toml.*已配置：tencent"):
        check_providers([first, asking], ["tencent"])
    with pytest.raises(RuleError, match="还没有配置任何服务"):
        check_providers([first], [])
    check_providers([first, asking, Rule("拒", "reject", reason="abuse")], ["aliyun"])
    check_providers([Rule("拒", "reject", reason="abuse")], [])  # no asking, nothing needed


def test_the_rules_page_refuses_an_unconfigured_provider_and_keeps_the_rules(client, auth, db):
    auth.login("admin")
    source = 'name = "问阿里"\naction = "ask_second_opinion"\nprovider = "aliyun"\n'
    response = client.post("/admin/rules", data={"source": source})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "[second_opinion] 还没有配置任何服务" in page
    before = rule_store.list_rules(db)
    client.post("/admin/rules/import", data={"toml": f"[[rules]]\n{source}"})
    assert rule_store.list_rules(db) == before  # the import is refused as a whole
