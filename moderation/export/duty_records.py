"""The records export for an inspection: decisions with the comment's text as decided,
readers' reports, appeals and account events for a date range, as CSV (UTF-8 with BOM so
Excel opens it right, times in Beijing time, channels by their labels, personal data
masked like every export; reporters are never in it)."""

from __future__ import annotations

import csv
import io
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
