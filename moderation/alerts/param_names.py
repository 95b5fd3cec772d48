"""What each alert rule parameter is called on the admin page: a Chinese name, its unit and
a line of help, so nobody has to know `window_minutes` or `from_hour`.

A parameter means the same in every kind unless KIND_NAMES says otherwise (`minutes` is how
long the queue waited, how long a channel failed, or how long a push waited). A new
parameter adds one entry here (tests/alerts/test_param_names.py checks every one has it).
"""

from __future__ import annotations

from typing import NamedTuple


class ParamName(NamedTuple):
    """A parameter as the admin page shows it."""

    label: str
    unit: str
    help: str


NAMES = {
    "window_minutes": ParamName("统计时段", "分钟", "看最近多少分钟内的评论。"),
    "baseline_days": ParamName("对比基准", "天", "与此前多少天的平常水平比较。"),
    "min_count": ParamName("最少条数", "条", "时段内少于这么多条不预警（避免少量评论误报）。"),
    "factor": ParamName("高出倍数", "倍", "比平常水平高出多少倍才预警，如 2 即翻倍。"),
    "min_rate": ParamName("最低占比", "（0–1）", "占时段内评论的比例至少多少，如 0.4 即 40%。"),
    "words": ParamName("关键词", "", "多个词用逗号分隔，如：事故, 停水。"),
    "minutes": ParamName("持续超过", "分钟", "情况持续这么久才预警。"),
    "from_hour": ParamName("起始时刻", "时（北京时间）", "每天从几点开始检查，如 8。"),
    "to_hour": ParamName("结束时刻", "时（北京时间）", "到几点停止检查（不含），如 23。"),
}
KIND_NAMES = {
    ("queue_age", "minutes"): ParamName(
        "最早待审评论等待超过", "分钟", "待审队列里最早的评论等了这么久就预警。"
    ),
    ("channel_failing", "minutes"): ParamName(
        "渠道连续失败超过", "分钟", "某个采集渠道连续失败这么久就预警。"
    ),
    ("outbox_failing", "minutes"): ParamName(
        "推送等待超过", "分钟", "审核结果等待推送到渠道超过这么久就预警。"
    ),
    ("outbox_failing", "min_count"): ParamName(
        "推送失败至少", "条", "统计时段内推送失败达到这么多条就预警。"
    ),
}


def param_name(kind: str, key: str) -> ParamName:
    """The Chinese name, unit and help of parameter `key` of an alert rule of `kind`."""
    return KIND_NAMES.get((kind, key)) or NAMES.get(key) or ParamName(key, "", "")


def in_words(kind: str, message: str) -> str:
    """An error message with the kind's parameter keys replaced by their Chinese names."""
    for key in sorted(NAMES, key=len, reverse=True):
        message = message.replace(key, f"“{param_name(kind, key).label}”")
    return message
