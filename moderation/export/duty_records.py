"""The records export for an inspection: decisions with the comment's text as decided,
readers' reports, appeals and account events for a date range, as CSV (UTF-8 with BOM so
Excel opens it right, times in Beijing time, channels by their labels, personal data
masked like every export; reporters are never in it)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date

from moderation.export.masking import mask
from moderation.export.records import neutralise
from moderation.rules.model import LEVELS
from moderation.states import (
    ACTION_NAMES,
    FLAG_NAMES,
    MODE_ACTOR,
    REJECT_REASONS,
    RULE_ACTOR,
    STATE_NAMES,
    SYSTEM_ACTOR,
)
from moderation.storage import duty_records
from moderation.storage import reasons as reason_store
from moderation.timeutil import day_bounds, local_time

COLUMNS = (
    ("kind", "类别"),
    ("at", "时间（北京）"),
    ("actor", "操作人"),
    ("action", "动作"),
    ("from_state", "原状态"),
    ("to_state", "新状态"),
    ("reason", "原因"),
    ("note", "备注"),
    ("comment_id", "评论编号"),
    ("channel", "渠道"),
    ("native_id", "渠道评论ID"),
    ("author_key", "作者"),
    ("text", "决定时评论内容"),
    ("region", "IP属地"),
)
KIND_NAMES = {
    "decision": "审核决定",
    "report": "读者举报",
    "report_closed": "举报处理",
    "appeal": "申诉",
    "appeal_decided": "申诉复核",
    "account": "账号事件",
}
MASKED = ("text", "note")
# An inspector reads Chinese: actions, states, reasons and actors by their names, not the
# codes the database keeps (an unknown code is written as it is).
RECORD_ACTION_NAMES = {
    **ACTION_NAMES,
    "report:open": "待处理",
    "report:upheld": "举报成立",
    "report:dismissed": "举报不成立",
    "appeal:comment": "评论被拒申诉",
    "appeal:mute": "禁言申诉",
    "appeal:open": "待复核",
    "appeal:upheld": "申诉成立",
    "appeal:denied": "申诉驳回",
    "level": "用户等级变更",
    "link": "关联账号",
    "unlink": "取消关联账号",
    "role": "角色改为",
    "disable": "停用账号",
    "enable": "启用账号",
    "password_change": "本人修改密码",
    "password_reset": "管理员重置密码",
}
RECORD_STATE_NAMES = {**STATE_NAMES, **LEVELS}  # a level change records levels as states


def reason_name(reason: str | None, names: dict[str, str]) -> str | None:
    """A reason code (`abuse`, a rule's `banned:代开发票`) by its Chinese name; `names`
    maps codes (the reasons table's, flags', author levels') to names."""
    if not reason:
        return reason
    code, colon, detail = reason.partition(":")
    if code not in names:
        return reason
    return f"{names[code]}：{detail}" if colon else names[code]


def actor_name(actor: str | None) -> str | None:
    """Who acted: a person's account name, 规则 #12, 稿件模式（post）or 系统."""
    if not actor:
        return actor
    if actor == SYSTEM_ACTOR:
        return "系统"
    if actor.startswith(RULE_ACTOR):
        return f"规则 #{actor[len(RULE_ACTOR) :]}"
    if actor.startswith(MODE_ACTOR):
        return f"稿件审核模式（{actor[len(MODE_ACTOR) :]}）"
    return actor


def author_name(author_key: str | None, channel_labels: dict[str, str]) -> str | None:
    """An author's key with its channel by label (`株洲新闻网:u-5`, `账号:admin`)."""
    if not author_key:
        return author_key
    channel, colon, rest = author_key.partition(":")
    if colon and channel == "user":
        return f"账号:{rest}"
    if colon and channel in channel_labels:
        return f"{channel_labels[channel]}:{rest}"
    return author_key


# The years an export may ask for (a date like 9999-12-31 would overflow the day bounds).
YEARS = range(2000, 2101)


def in_years(day: date) -> bool:
    """Whether a day lies in the years an export may cover."""
    return day.year in YEARS


def records_csv(db, first: date, last: date, channel_labels: dict[str, str]) -> tuple[bytes, int]:
    """The CSV of every record on the Beijing days first..last, and how many rows it has."""
    start, end = day_bounds(first, last)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([title for _, title in COLUMNS])
    written = 0
    reasons = {
        **LEVELS,
        **FLAG_NAMES,
        **REJECT_REASONS,
        **reason_store.labels(db, active_only=False),
    }
    for row in duty_records.records(db, start, end):
        written += 1
        row = {
            **row,
            "kind": KIND_NAMES.get(row["kind"], row["kind"]),
            "at": local_time(row["at"], "%Y-%m-%d %H:%M:%S"),
            "channel": channel_labels.get(row["channel"], row["channel"]),
            "actor": actor_name(row["actor"]),
            "action": RECORD_ACTION_NAMES.get(row["action"], row["action"]),
            "from_state": RECORD_STATE_NAMES.get(row["from_state"], row["from_state"]),
            "to_state": RECORD_STATE_NAMES.get(row["to_state"], row["to_state"]),
            "reason": reason_name(row["reason"], reasons),
            "author_key": author_name(row["author_key"], channel_labels),
            **{key: mask(row[key]) for key in MASKED},
        }
        writer.writerow([neutralise(row[key]) for key, _ in COLUMNS])
    return out.getvalue().encode("utf-8-sig"), written


def export_records(
    db,
    first: date,
    last: date,
    channel_labels: dict[str, str],
    actor: str,
    destination: str,
    deliver: Callable[[bytes], object] | None = None,
) -> tuple[bytes, int]:
    """One export, from the command line or the dashboard: the CSV of the Beijing days
    first..last, handed to `deliver` (the command writes its file; an error there leaves
    no audit entry), then its own audit entry (who, which days, how many rows, where to).
    Returns the CSV and its row count."""
    if last < first:
        raise ValueError(f"{last} is before {first}")
    if not (in_years(first) and in_years(last)):
        raise ValueError(f"dates must be in the years {YEARS.start} to {YEARS.stop - 1}")
    data, rows = records_csv(db, first, last, channel_labels)
    if deliver is not None:
        deliver(data)
    with db.atomic():
        duty_records.audit_export(db, actor, first.isoformat(), last.isoformat(), rows, destination)
    return data, rows


def filename(first: date, last: date) -> str:
    """The download's name: records-20261101-20261130.csv."""
    return f"records-{first:%Y%m%d}-{last:%Y%m%d}.csv"
