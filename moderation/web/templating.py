"""Template helpers: local time, flagged-span segments, labels of codes."""

from __future__ import annotations

from datetime import UTC, datetime

from moderation.states import REJECT_REASONS
from moderation.timeutil import BEIJING

FLAG_NAMES = {
    "banned": "违禁词",
    "suspect": "可疑词",
    "personal_data": "个人信息",
    "spam_link": "广告链接",
    "spam_solicit": "招揽广告",
    "spam_repeat": "刷屏",
    "low_information": "信息量低",
    "negative": "负面",
    "mass_posting": "批量发帖",
}
ACTION_NAMES = {
    "approve": "通过",
    "reject": "拒绝",
    "reopen": "重新待审",
    "flag_editor": "提请编辑关注",
    "reply_written": "撰写官方回复",
    "reply_signed_off": "签发官方回复",
    "reply_sent": "官方回复已发出",
    "reply_withdrawn": "撤回官方回复",
    "reply_deleted": "官方回复已从渠道删除",
}
STATE_NAMES = {"pending": "待审", "approved": "已通过", "rejected": "已拒绝"}
LABEL_NAMES = {"negative": "负面", "neutral": "中性", "positive": "正面"}


def localtime(value: str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An ISO-8601 UTC timestamp shown in Beijing time."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BEIJING).strftime(fmt)


def segments(text: str, flags: list[dict]) -> list[dict]:
    """The text cut into [{text, code, reason}] pieces; flagged spans carry their flag.

    Offsets come from the scorer (end exclusive); bad ones are clamped, overlaps go to the
    first flag. The template escapes each piece: reader text is never marked safe.
    """
    owner: list[dict | None] = [None] * len(text)
    for flag in flags or []:
        for span in flag.get("spans") or []:
            try:
                start, end = max(int(span["start"]), 0), min(int(span["end"]), len(text))
            except (KeyError, TypeError, ValueError):
                continue
            for index in range(start, end):
                owner[index] = owner[index] or flag
    pieces: list[dict] = []
    for index, char in enumerate(text):
        flag = owner[index]
        if pieces and pieces[-1]["flag"] is flag:
            pieces[-1]["text"] += char
        else:
            pieces.append({"text": char, "flag": flag})
    return [
        {
            "text": piece["text"],
            "code": piece["flag"]["code"] if piece["flag"] else None,
            "reason": piece["flag"].get("reason", "") if piece["flag"] else None,
        }
        for piece in pieces
    ]


def count_label(number: int) -> str:
    """A capped count as shown in the navigation: "1000+" once it reaches the cap."""
    from moderation.storage.queue import COUNT_CAP

    return f"{COUNT_CAP}+" if number >= COUNT_CAP else str(number)


def init_app(app) -> None:
    """Register the filters and the code -> name tables."""
    app.jinja_env.filters.update(localtime=localtime, segments=segments, count_label=count_label)
    app.jinja_env.globals.update(
        flag_names=FLAG_NAMES,
        action_names=ACTION_NAMES,
        state_names=STATE_NAMES,
        label_names=LABEL_NAMES,
        reject_reasons=REJECT_REASONS,
    )
