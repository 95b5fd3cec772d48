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
from moderation.storage import duty_records
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
    for row in duty_records.records(db, start, end):
        written += 1
        row = {
            **row,
            "kind": KIND_NAMES.get(row["kind"], row["kind"]),
            "at": local_time(row["at"], "%Y-%m-%d %H:%M:%S"),
            "channel": channel_labels.get(row["channel"], row["channel"]),
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
