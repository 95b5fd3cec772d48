"""Alert rules to and from TOML, for the admin page's export and import.

The file is a list of `[[rules]]` tables: name, kind, enabled, targets and a `params`
sub-table. tomllib reads; writing is done here, for the few value types rules hold
(strings, numbers, booleans and lists of strings).
"""

from __future__ import annotations

import json
import tomllib

from moderation.alerts.conditions import validate_params
from moderation.declare import read_toml

MAX_RULES = 200
NAME_LENGTH = 60


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string is JSON-compatible
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def dump_rules(rules: list[dict]) -> str:
    """The rules as TOML text that `load_rules` reads back to the same rules."""
    parts = ["# 评论预警规则：moderation 管理页面导出\n"]
    for rule in rules:
        parts.append("\n[[rules]]\n")
        parts.append(f"name = {_value(rule['name'])}\n")
        parts.append(f"kind = {_value(rule['kind'])}\n")
        parts.append(f"enabled = {_value(bool(rule.get('enabled', True)))}\n")
        parts.append(f"targets = {_value(list(rule.get('targets', [])))}\n")
        if rule.get("params"):
            parts.append("[rules.params]\n")
            for key in sorted(rule["params"]):
                parts.append(f"{key} = {_value(rule['params'][key])}\n")
    return "".join(parts)


def load_rules(text: str, known_targets) -> list[dict]:
    """Rules read from TOML and checked; ValueError in Chinese names the rule and the key."""
    try:
        data = read_toml(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"不是有效的 TOML：{error}") from None
    tables = data.get("rules", [])
    if not isinstance(tables, list) or len(tables) > MAX_RULES:
        raise ValueError(f"需要 [[rules]] 表，最多 {MAX_RULES} 条")
    rules = []
    for number, table in enumerate(tables, 1):
        try:
            rules.append(check_rule(table, known_targets))
        except ValueError as error:
            raise ValueError(f"第 {number} 条规则：{error}") from None
    names = [rule["name"] for rule in rules]
    if len(set(names)) != len(names):
        raise ValueError("规则名称重复")
    return rules


def check_rule(table: dict, known_targets) -> dict:
    """One rule's fields checked: a name, a known kind, valid params, configured targets."""
    unknown = set(table) - {"name", "kind", "enabled", "targets", "params"}
    if unknown:
        raise ValueError(f"未知的键 {', '.join(sorted(unknown))}")
    name = str(table.get("name", "")).strip()
    if not name or len(name) > NAME_LENGTH:
        raise ValueError(f"名称需要 1 到 {NAME_LENGTH} 个字符")
    targets = table.get("targets", [])
    if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
        raise ValueError("targets 应为推送目标名称列表")
    missing = [target for target in targets if target not in known_targets]
    if missing:
        raise ValueError(f"推送目标未在配置中定义：{'、'.join(missing)}")
    kind = str(table.get("kind", ""))
    params = table.get("params", {})
    if not isinstance(params, dict):
        raise ValueError("params 应为表")
    return {
        "name": name,
        "kind": kind,
        "enabled": bool(table.get("enabled", True)),
        "targets": list(dict.fromkeys(targets)),
        "params": validate_params(kind, params),
    }
