"""Checking rules as written, compiling them once per batch, and deciding one comment."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from moderation.rules.checks import BUILDERS, Predicate, matched_flags, parse_hours
from moderation.rules.model import (
    ACTIONS,
    ASK_SECOND_OPINION,
    CONDITIONS,
    HISTORY_CONDITIONS,
    HISTORY_LEVELS,
    HOLD,
    LEVELS,
    MAX_LIST,
    MAX_NAME,
    MAX_TEXT,
    NON_TERMINAL,
    OPINION_LEVELS,
    REJECT,
    SANCTION_LEVELS,
    SET_LEVEL,
    AuthorFacts,
    Facts,
    Rule,
    RuleError,
)


def check_rule(rule: Rule, reasons) -> Rule:
    """The rule with its values typed and trimmed; RuleError (in Chinese) for a bad one.

    `reasons` are the reject reason codes a rule may use.
    """
    name = " ".join(str(rule.name).split())
    if not name or len(name) > MAX_NAME:
        raise RuleError(f"规则名称须为 1 到 {MAX_NAME} 个字")
    if rule.action not in ACTIONS:
        raise RuleError(f"未知动作“{rule.action}”，可用：{'、'.join(ACTIONS)}")
    when = {key: _check_condition(key, value) for key, value in dict(rule.when).items()}
    if rule.action == REJECT and rule.reason not in reasons:
        raise RuleError(f"拒绝须写明原因代码（reason），可用：{'、'.join(reasons)}")
    if rule.action == HOLD and not 0 < len(rule.queue.strip()) <= MAX_NAME:
        raise RuleError("待审须写明队列名称（queue）")
    if rule.action == SET_LEVEL and rule.level not in SANCTION_LEVELS:
        raise RuleError(f"作者级别（level）须为其一：{'、'.join(SANCTION_LEVELS)}")
    if rule.action == ASK_SECOND_OPINION and not re.fullmatch(
        r"[A-Za-z0-9_\-]{0,40}", rule.provider
    ):
        raise RuleError("第二意见服务（provider）须为已配置的服务名称，或留空用第一个")
    if len(rule.why) > MAX_TEXT:
        raise RuleError(f"说明（why）不超过 {MAX_TEXT} 字")
    provider = rule.provider if rule.action == ASK_SECOND_OPINION else ""
    return replace(rule, name=name, when=when, queue=rule.queue.strip(), provider=provider)


def check_providers(rules, configured) -> None:
    """RuleError when a rule asks a second opinion config.toml cannot give.

    Checked when a rule is saved or imported, where the admin can still fix it; before this
    a missing provider was only found when the rule fired.
    """
    names = list(configured)
    for rule in rules:
        if rule.action != ASK_SECOND_OPINION:
            continue
        if not names:
            raise RuleError(
                f"规则“{rule.name}”要征求第二意见，但 config.toml 的 [second_opinion] 还没有配置"
                "任何服务：请先配置服务并重启，或改用其他动作"
            )
        if rule.provider and rule.provider not in names:
            raise RuleError(
                f"规则“{rule.name}”的第二意见服务“{rule.provider}”未在 config.toml 的 "
                f"[second_opinion] 中配置；已配置：{'、'.join(names)}"
            )


def _check_condition(key: str, value):
    if key not in CONDITIONS:
        raise RuleError(f"未知条件“{key}”，可用：{'、'.join(CONDITIONS)}")
    kind, meaning = CONDITIONS[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise RuleError(f"条件 {key}（{meaning}）的值类型不对")
    if kind is list and (not value or len(value) > MAX_LIST):
        raise RuleError(f"条件 {key} 须列出 1 到 {MAX_LIST} 项")
    if kind is list and not all(_short_item(key, item) for item in value):
        raise RuleError(
            f"条件 {key} 的每一项须为{'编号' if key == 'stories' else '不超过 60 字的文字'}"
        )
    if key == "author_levels" and not set(value) <= set(LEVELS):
        raise RuleError(f"作者级别须为其一：{'、'.join(LEVELS)}")
    if key == "flag_level" and value not in ("reject", "review"):
        raise RuleError("flag_level 须为 reject 或 review")
    if key == "second_opinion" and value not in OPINION_LEVELS:
        raise RuleError("second_opinion 须为 pass、review 或 block")
    if key == "hours":
        try:
            parse_hours(value)
        except ValueError:
            raise RuleError('时段须写成“起-止”小时，如 "22-7"') from None
    return value


def _short_item(key: str, item) -> bool:
    """A list item a condition can hold: a story id, or a short text."""
    if key == "stories":
        return isinstance(item, int) and not isinstance(item, bool)
    return isinstance(item, str) and 0 < len(item) <= MAX_NAME


@dataclass(frozen=True)
class Firing:
    """A rule that fired on a comment, with what it matched."""

    rule: Rule
    comment_id: int
    author_key: str
    detail: str = ""  # the flagged words behind a reject, e.g. 傻逼、代开发票


@dataclass(frozen=True)
class CompiledRules:
    """Enabled rules in order, each with its predicates built once."""

    rules: tuple[tuple[Rule, tuple[Predicate, ...]], ...]
    needs_history: bool  # some rule reads approvals, rejections or a history level

    def evaluate(self, facts: Facts) -> list[Firing]:
        """The rules that fire, in order: every set_level and ask_second_opinion that matches
        (a level applies to the rules after it), then the first rule with any other action,
        which ends it."""
        fired = []
        for rule, predicates in self.rules:
            if all(check(facts) for check in predicates):
                fired.append(_firing(rule, facts))
                if rule.action not in NON_TERMINAL:
                    break
                if rule.action == SET_LEVEL:
                    # the rules after it see the new level: on a copy, `facts` stays as given
                    facts = replace(facts, author=replace(facts.author, level=rule.level))
        return fired


def author_after(fired: list[Firing], author: AuthorFacts) -> AuthorFacts:
    """The author as the firings leave them: with the last set_level's level (a new value;
    `author` is unchanged)."""
    for firing in reversed(fired):
        if firing.rule.action == SET_LEVEL:
            return replace(author, level=firing.rule.level)
    return author


def _firing(rule: Rule, facts: Facts) -> Firing:
    words = "、".join(
        dict.fromkeys(span["text"] for f in matched_flags(rule.when, facts) for span in f["spans"])
    )
    return Firing(rule, facts.comment_id, facts.author.key, words)


def compile_rules(rules: list[Rule]) -> CompiledRules:
    """Build every enabled rule's predicates once (per batch, not per comment)."""
    compiled = tuple(
        (rule, tuple(BUILDERS[key](value) for key, value in rule.when.items()))
        for rule in sorted(rules, key=lambda r: r.position)
        if rule.enabled
    )
    needs_history = any(
        HISTORY_CONDITIONS & set(rule.when)
        or set(rule.when.get("author_levels", ())) & set(HISTORY_LEVELS)
        for rule, _ in compiled
    )
    return CompiledRules(compiled, needs_history)


def describe(rule_id, name: str, outcome: str) -> str:
    """The words a card shows for a rule's decision: 规则 3：新用户含链接 → 待审."""
    return f"规则 {rule_id}：{name} → {outcome}"
