"""Rules to and from TOML, so a rule set can be exported, reviewed and imported again."""

from __future__ import annotations

import json
import tomllib

from moderation.declare import read_toml
from moderation.rules.model import Rule, RuleError

FIELDS = ("name", "action", "reason", "queue", "level", "provider", "why", "enabled")


def _value(value) -> str:
    """One TOML value: JSON's strings, numbers and arrays are valid TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)


def rule_to_toml(rule: Rule, table: str = "rules") -> str:
    """One rule as a `[[rules]]` table (or plain keys when `table` is empty)."""
    lines = [f"[[{table}]]"] if table else []
    for name in FIELDS:
        value = getattr(rule, name)
        if value != "" and not (name == "enabled" and value is True):
            lines.append(f"{name} = {_value(value)}")
    if rule.when:
        lines.append(f"[{table}.when]" if table else "[when]")
        lines.extend(f"{key} = {_value(value)}" for key, value in rule.when.items())
    return "\n".join(lines) + "\n"


def rules_to_toml(rules: list[Rule]) -> str:
    """A whole rule set, in order."""
    header = "# 审核规则：自上而下匹配，第一条命中的规则决定（设置作者级别的规则除外）。\n"
    return header + "\n".join(rule_to_toml(rule) for rule in rules)


def _rule_from(table, where: str) -> Rule:
    if not isinstance(table, dict):
        raise RuleError(f"{where}：应为一个表")
    unknown = set(table) - set(FIELDS) - {"when"}
    if unknown:
        raise RuleError(f"{where}：未知的键 {'、'.join(sorted(unknown))}")
    when = table.get("when", {})
    if not isinstance(when, dict):
        raise RuleError(f"{where}：when 应为一个表")
    texts = {name: table.get(name, "") for name in FIELDS if name != "enabled"}
    if not all(isinstance(value, str) for value in texts.values()):
        raise RuleError(f"{where}：{'、'.join(texts)} 应为文字")
    enabled = table.get("enabled", True)
    if not isinstance(enabled, bool):
        raise RuleError(f"{where}：enabled 应为 true 或 false")
    return Rule(when=when, enabled=enabled, **texts)


def _parse(text: str) -> dict:
    try:
        return read_toml(text)
    except tomllib.TOMLDecodeError as error:
        raise RuleError(f"不是有效的 TOML：{error}") from None


def rule_from_toml(text: str) -> Rule:
    """One rule written as plain keys and a [when] table (the rule editor's form)."""
    return _rule_from(_parse(text), "规则")


def rules_from_toml(text: str) -> list[Rule]:
    """A rule set from `[[rules]]` tables, in order (not yet checked: see check_rule)."""
    tables = _parse(text).get("rules")
    if not isinstance(tables, list) or not tables:
        raise RuleError("没有找到 [[rules]] 规则表")
    rules = [_rule_from(table, f"第 {n} 条规则") for n, table in enumerate(tables, 1)]
    seen: dict[str, int] = {}
    for number, rule in enumerate(rules, 1):
        if rule.name in seen:  # the desk and the decisions name a rule: two alike confuse
            raise RuleError(f"第 {number} 条规则：名称“{rule.name}”与第 {seen[rule.name]} 条重复")
        seen[rule.name] = number
    return rules
