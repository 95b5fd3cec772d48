"""The rule editor as a form: every condition and action declared once with its Chinese
label, input kind, unit and help, so an admin never writes `flag_level = "reject"`.

A new condition or action adds ONE entry to CONDITION_FIELDS or ACTION_FIELDS (besides its
meaning in model.CONDITIONS / model.ACTIONS). A condition without an entry here still shows,
as a plain text field holding its TOML value, so nothing is ever uneditable.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass

from moderation.declare import read_toml
from moderation.rules.model import (
    ACTIONS,
    ASK_SECOND_OPINION,
    CONDITIONS,
    HOLD,
    LEVELS,
    REJECT,
    SANCTION_LEVELS,
    SET_LEVEL,
    Rule,
    RuleError,
)

# Input kinds: number (a decimal), count (a whole number), yes_no, pick_many (check boxes from
# a choice list), pick_one (one of a choice list), ids (numbers separated by commas), hours
# (from-to Beijing hours), text (a TOML value: the fallback for undeclared conditions).
NUMBER, COUNT, YES_NO, PICK_MANY, PICK_ONE, IDS, HOURS, TEXT = (
    "number", "count", "yes_no", "pick_many", "pick_one", "ids", "hours", "text",
)  # fmt: skip
FLAG_LEVELS = {"reject": "建议拒绝", "review": "需审核"}
OPINION_LEVELS = {"pass": "通过", "review": "需审核", "block": "建议拒绝"}


@dataclass(frozen=True)
class Field:
    """One form field: a condition's value, or an action's parameter."""

    key: str
    label: str
    kind: str
    unit: str = ""
    help: str = ""
    choices: str = ""  # the name of a choice list (see choice_lists), for pick_one / pick_many
    low: float | None = None
    high: float | None = None
    yes: str = "是"
    no: str = "否"


CONDITION_FIELDS: dict[str, Field] = {
    field.key: field
    for field in (
        Field("flags", "含以下任一标记", PICK_MANY, choices="flags"),
        Field("flag_level", "含某一级别的标记", PICK_ONE, choices="flag_levels"),
        Field("no_flags", "标记", YES_NO, yes="没有任何标记", no="至少有一个标记"),
        Field("sentiment_below", "情感分低于", NUMBER, "（0 最负面，1 最正面）", low=0, high=1),
        Field("sentiment_above", "情感分高于", NUMBER, "（0 最负面，1 最正面）", low=0, high=1),
        Field(
            "offensive_above",
            "冒犯分高于",
            NUMBER,
            "（0–1）",
            "没有冒犯分的评论不满足这个条件。",
            low=0,
            high=1,
        ),
        Field("channels", "来自以下渠道", PICK_MANY, choices="channels"),
        Field("stories", "属于以下稿件", IDS, "（稿件编号）", "多个编号用逗号分隔，如 12, 15。"),
        Field("story_age_days_above", "评论时稿件已发布超过", NUMBER, "天", low=0),
        Field("story_age_days_below", "评论时稿件发布不到", NUMBER, "天", low=0),
        Field("author_levels", "作者级别为其一", PICK_MANY, choices="author_levels"),
        Field("author_approved_below", "作者已通过的评论少于", COUNT, "条", low=0),
        Field("author_rejected_at_least", "作者被拒绝的评论至少", COUNT, "条", low=0),
        Field("length_below", "正文字数少于", COUNT, "字", low=0),
        Field("length_above", "正文字数多于", COUNT, "字", low=0),
        Field("has_link", "链接", YES_NO, yes="含链接", no="不含链接"),
        Field(
            "hours",
            "北京时间时段",
            HOURS,
            help="从几点到几点（不含）；起点大于终点表示跨夜，如 22 到 7 即 22:00 至次日 07:00。",
        ),
        Field(
            "second_opinion",
            "第二意见的风险级别",
            PICK_ONE,
            help="前面的规则征求过第二意见时可用。",
            choices="opinion_levels",
        ),
    )
}
# An action's parameter (the field the action needs besides its name).
ACTION_FIELDS: dict[str, Field] = {
    REJECT: Field("reason", "拒绝原因", PICK_ONE, choices="reasons"),
    HOLD: Field("queue", "放入的待审队列", TEXT, help="队列名称，如“新用户”；会出现在待审页上方。"),
    SET_LEVEL: Field("level", "作者级别设为", PICK_ONE, choices="sanction_levels"),
    ASK_SECOND_OPINION: Field(
        "provider",
        "征求意见的服务",
        TEXT,
        help="[second_opinion] 中配置的服务名称，留空用第一个；这个动作不终止匹配，"
        "后面的规则可用条件“第二意见的风险级别”。",
    ),
}


def static_choices() -> dict[str, dict[str, str]]:
    """The choice lists that need no database or settings (the page adds flags, channels and
    reasons)."""
    return {
        "flag_levels": FLAG_LEVELS,
        "author_levels": LEVELS,
        "sanction_levels": {code: LEVELS[code] for code in SANCTION_LEVELS},
        "opinion_levels": OPINION_LEVELS,
    }


def condition_fields() -> list[Field]:
    """A field for every condition the engine knows, in the engine's order."""
    return [
        CONDITION_FIELDS.get(key) or Field(key, meaning, TEXT, help="填写 TOML 值")
        for key, (_kind, meaning) in CONDITIONS.items()
    ]


def action_choices() -> dict[str, str]:
    """Action code -> its Chinese name."""
    return dict(ACTIONS)


def _number(field: Field, text: str, whole: bool):
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        raise RuleError(f"“{field.label}”须填{'整数' if whole else '数字'}") from None
    if not math.isfinite(value):  # nan passes every bound below
        raise RuleError(f"“{field.label}”须填有限的数字")
    if (field.low is not None and value < field.low) or (
        field.high is not None and value > field.high
    ):
        bounds = (
            f"{field.low:g} 到 {field.high:g}" if field.high is not None else f"≥ {field.low:g}"
        )
        raise RuleError(f"“{field.label}”须在 {bounds} 之间")
    return value


def _read(field: Field, form) -> object | None:
    """The condition's value from the submitted form, or None when it is left unset."""
    name = f"when.{field.key}"
    if field.kind == PICK_MANY:
        picked = [value for value in form.getlist(name) if value]
        return picked or None
    if field.kind == HOURS:
        start, end = form.get(f"{name}.from", ""), form.get(f"{name}.to", "")
        if not start and not end:
            return None
        if not start or not end:
            raise RuleError(f"“{field.label}”须同时选起止时间")
        return f"{int(start)}-{int(end)}"
    text = form.get(name, "").strip()
    if not text:
        return None
    if field.kind == YES_NO:
        return text == "yes"
    if field.kind in (NUMBER, COUNT):
        return _number(field, text, field.kind == COUNT)
    if field.kind == IDS:
        try:
            return [int(part) for part in text.replace("，", ",").split(",") if part.strip()]
        except ValueError:
            raise RuleError(f"“{field.label}”须为用逗号分隔的编号") from None
    if field.kind == TEXT:
        try:
            return read_toml(f"value = {text}")["value"]
        except tomllib.TOMLDecodeError:
            return text  # a bare word is a string
    return text


def rule_from_form(form) -> Rule:
    """The rule an admin filled in (RuleError in Chinese for a value that cannot be read;
    the engine's check_rule judges the rest)."""
    when = {}
    for field in condition_fields():
        value = _read(field, form)
        if value is not None:
            when[field.key] = value
    action = form.get("action", "")
    extras = {field.key: "" for field in ACTION_FIELDS.values()}
    if action in ACTION_FIELDS:
        key = ACTION_FIELDS[action].key
        extras[key] = form.get(key, "").strip()
    return Rule(
        name=form.get("name", "").strip(),
        action=action,
        when=when,
        why=form.get("why", "").strip(),
        **extras,
    )


def form_values(rule: Rule) -> dict[str, object]:
    """The form's fields filled from a rule (to edit it): name -> value or list of values."""
    values: dict[str, object] = {
        "name": rule.name,
        "action": rule.action,
        "why": rule.why,
        **{field.key: getattr(rule, field.key) for field in ACTION_FIELDS.values()},
    }
    kinds = {field.key: field.kind for field in condition_fields()}
    for key, value in rule.when.items():
        kind = kinds.get(key, TEXT)
        if kind == HOURS:
            start, _, end = str(value).partition("-")
            values[f"when.{key}.from"], values[f"when.{key}.to"] = start, end
        elif kind == YES_NO:
            values[f"when.{key}"] = "yes" if value else "no"
        elif kind == PICK_MANY:
            values[f"when.{key}"] = list(value)
        elif kind == IDS:
            values[f"when.{key}"] = ", ".join(str(item) for item in value)
        elif kind == TEXT:
            values[f"when.{key}"] = json.dumps(value, ensure_ascii=False)
        else:
            values[f"when.{key}"] = value if isinstance(value, str) else f"{value:g}"
    return values


def submitted_values(form) -> dict[str, object]:
    """The form's fields as submitted (to show them again beside an error)."""
    return {key: form.getlist(key) if len(form.getlist(key)) > 1 else form.get(key) for key in form}


def describe(rule: Rule, choices: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Each condition of a rule in words, as the rule list shows it (作者级别为其一：新用户)."""
    fields = {field.key: field for field in condition_fields()}
    words = []
    for key, value in rule.when.items():
        field = fields.get(key) or Field(key, key, TEXT)
        names = choices.get(field.choices, {})
        if field.kind == YES_NO:
            words.append(field.yes if value else field.no)
        elif field.kind in (PICK_MANY, PICK_ONE):
            items = value if isinstance(value, list) else [value]
            words.append(f"{field.label}：{'、'.join(names.get(item, item) for item in items)}")
        elif field.kind == HOURS:
            start, _, end = str(value).partition("-")
            words.append(f"{field.label} {start}:00–{end}:00")
        elif field.kind == IDS:
            words.append(f"{field.label}：{'、'.join(f'#{item}' for item in value)}")
        elif field.kind in (NUMBER, COUNT):
            words.append(f"{field.label} {value:g}{field.unit if len(field.unit) < 3 else ''}")
        else:
            words.append(f"{field.label}：{json.dumps(value, ensure_ascii=False)}")
    return words
