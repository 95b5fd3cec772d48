"""Template helpers: local time, flagged-span segments, labels of codes."""

from __future__ import annotations

from datetime import UTC, datetime

from moderation.alerts.text import error_summary
from moderation.scoring.personal_data import mask_personal_data
from moderation.second_opinion.model import LABELS as OPINION_LABELS
from moderation.second_opinion.model import LEVELS as OPINION_LEVELS
from moderation.states import ACTION_NAMES, FLAG_NAMES, REJECT_REASONS, STATE_NAMES
from moderation.timeutil import BEIJING, TIME_FORMAT

# Why a second opinion gave no answer, as the card says it.
OPINION_FAILURES = {
    "failed": "调用失败",
    "timeout": "超时未答复",
    "rate_limited": "服务限流",
    "bad_answer": "答复无法识别",
    "over_budget": "超出调用预算，未发送",
    "not_sent": "本批时限内未轮到，未发送",
}
ACCOUNT_ACTIONS = {
    "created": "创建账户，角色",
    "role": "角色改为",
    "disable": "停用",
    "enable": "启用",
    "password_change": "本人修改密码",
    "password_reset": "管理员重置密码",
}
LABEL_NAMES = {"negative": "负面", "neutral": "中性", "positive": "正面"}
QUOTE_STATE_NAMES = {"selected": "已选入", "signed_off": "已签发", "printed": "已付印"}
RUN_STATUS_NAMES = {"running": "采集中", "ok": "成功", "partial": "部分成功", "failed": "失败"}
INTERVAL_UNITS = {"s": "秒", "m": "分钟", "h": "小时", "d": "天"}
# A moderator's correction, by kind and 0/1 label, as the card and history show it.
CORRECTION_NAMES = {
    "sentiment": {0: "负面", 1: "正面"},
    "offensive": {0: "不冒犯", 1: "冒犯"},
}


def localtime(value: str | None, fmt: str = TIME_FORMAT) -> str:
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


def schedule_label(text: str) -> str:
    """A channel's schedule in words: "10m" -> "每 10 分钟"; cron fields stay as written."""
    import re

    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd])\s*", text or "")
    if match:
        return f"每 {match.group(1)} {INTERVAL_UNITS[match.group(2)]}"
    return f"定时（{text}）"


def segments(text: str, flags: list[dict]) -> list[dict]:
    """The text cut into [{text, code, reason}] pieces; flagged spans carry their flag.

    Offsets come from the scorer (end exclusive); bad ones are clamped, overlaps go to the
    first flag. The template escapes each piece: reader text is never marked safe. Only the
    flagged characters are visited one by one; the rest is sliced whole, so a 20,000-
    character comment costs no more than its few flagged words.
    """
    length = len(text)
    owner: dict[int, dict] = {}
    for flag in flags or []:
        for span in flag.get("spans") or []:
            try:
                start, end = max(int(span["start"]), 0), min(int(span["end"]), length)
            except (KeyError, TypeError, ValueError):
                continue
            for index in range(start, end):
                owner.setdefault(index, flag)
    cuts = sorted({0, length, *owner, *(index + 1 for index in owner)})
    runs: list[list] = []  # [start, end, flag]
    for start, end in zip(cuts, cuts[1:], strict=False):
        flag = owner.get(start)
        if runs and runs[-1][2] is flag:
            runs[-1][1] = end
        else:
            runs.append([start, end, flag])
    return [
        {
            "text": text[start:end],
            "code": flag["code"] if flag else None,
            "reason": flag.get("reason", "") if flag else None,
        }
        for start, end, flag in runs
    ]


def count_label(number: int) -> str:
    """A capped count as shown in the navigation: "1000+" once it reaches the cap."""
    from moderation.storage.queue import COUNT_CAP

    return f"{COUNT_CAP}+" if number >= COUNT_CAP else str(number)


def channel_labels(settings) -> dict[str, str]:
    """Configured channel name -> the label readers know it by (掌上株洲, not `app`)."""
    return {channel.name: channel.label or channel.name for channel in settings.channels}


CHANNEL_TYPE_NAMES = {
    "demo": "演示数据",
    "file": "文件导入",
    "jsonfeed": "JSON 接口",
    "wechat": "微信公众号",
    "weibo": "微博",
}


def author_label(key: str, labels: dict[str, str]) -> str:
    """An author key as people read it: `demo:暴躁老爸` -> `演示数据 · 暴躁老爸` (the channel's
    label, never its internal name)."""
    channel, sep, rest = (key or "").partition(":")
    return f"{labels[channel]} · {rest}" if sep and channel in labels else key


def init_app(app) -> None:
    """Register the filters and the code -> name tables."""
    labels = channel_labels(app.config["SETTINGS"])
    app.jinja_env.filters.update(
        localtime=localtime,
        segments=segments,
        count_label=count_label,
        schedule_label=schedule_label,
        opinion_label=lambda code: OPINION_LABELS.get(code, code),
        masked=mask_personal_data,  # what may be shown of text that also leaves the desk
    )
    app.jinja_env.globals.update(
        flag_names=FLAG_NAMES,
        action_names=ACTION_NAMES,
        account_actions=ACCOUNT_ACTIONS,
        state_names=STATE_NAMES,
        label_names=LABEL_NAMES,
        correction_names=CORRECTION_NAMES,
        reject_reasons=REJECT_REASONS,
        quote_state_names=QUOTE_STATE_NAMES,
        run_status_names=RUN_STATUS_NAMES,
        opinion_levels=OPINION_LEVELS,
        opinion_failures=OPINION_FAILURES,
        channel_label=lambda name: labels.get(name, name),
        author_label=lambda key: author_label(key, labels),
        channel_type_names=CHANNEL_TYPE_NAMES,
        error_summary=error_summary,
    )

    @app.context_processor
    def offensive_thresholds():
        """The configured offensive levels, so a card's bar says what the flag says."""
        scoring = app.config["SETTINGS"].scoring
        return {
            "offensive_review": scoring.offensive_review_above,
            "offensive_reject": scoring.offensive_reject_above,
        }
