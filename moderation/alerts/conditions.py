"""Alert conditions: pure judgements over counts the storage layer has gathered.

Each judge takes a rule's params and the facts for one evaluation and returns the
conditions that hold now. A condition's `key` names what it is about (a story, a channel,
the queue): while a key keeps holding, its alert stays open and is not sent again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from moderation.timeutil import BEIJING, parse_iso

KINDS = {
    "negative_spike": "负面评论激增",
    "offensive_spike": "冒犯评论激增",
    "volume_spike": "评论量激增",
    "keyword": "关键词",
    "queue_age": "待审积压",
    "channel_failing": "渠道故障",
    "outbox_failing": "推送失败",
    "reports_overdue": "举报超时",
}

DEFAULT_PARAMS = {
    "negative_spike": {
        "window_minutes": 30,
        "baseline_days": 7,
        "min_count": 8,
        "factor": 2.0,
        "min_rate": 0.4,
    },
    "offensive_spike": {
        "window_minutes": 30,
        "baseline_days": 7,
        "min_count": 5,
        "factor": 2.0,
        "min_rate": 0.2,
    },
    "volume_spike": {"window_minutes": 30, "baseline_days": 7, "min_count": 30, "factor": 3.0},
    "keyword": {"words": [], "window_minutes": 60},
    "queue_age": {"minutes": 180, "from_hour": 8, "to_hour": 23},
    "channel_failing": {"minutes": 60},
    "outbox_failing": {"minutes": 30, "window_minutes": 60, "min_count": 1},
    "reports_overdue": {"min_count": 1},
}


# Installed on the first scheduler start of a desk with no rules: shown in the bell only,
# until an admin picks targets for them at /admin/alerts.
DEFAULT_RULES = (
    {"name": "负面评论激增", "kind": "negative_spike"},
    {"name": "冒犯评论激增", "kind": "offensive_spike"},
    {"name": "评论量激增", "kind": "volume_spike"},
    {"name": "待审积压超过3小时", "kind": "queue_age"},
    {"name": "渠道连续失败1小时", "kind": "channel_failing"},
    {"name": "推送失败或积压", "kind": "outbox_failing"},
    {"name": "举报超过处理时限", "kind": "reports_overdue"},
)


@dataclass(frozen=True)
class Condition:
    """Something that holds now and deserves an alert."""

    key: str
    title: str
    lines: tuple[str, ...] = ()
    story_id: int | None = None
    link_path: str = "/"
    detail: dict = field(default_factory=dict)


def params_for(rule: dict) -> dict:
    """The rule's params over its kind's defaults."""
    return {**DEFAULT_PARAMS.get(rule["kind"], {}), **rule.get("params", {})}


def _rate(part: int | None, total: int | None) -> float:
    return (part or 0) / total if total else 0.0


def spikes(
    rule: dict, window: list[dict], story_base: dict, channel_base: dict, titles: dict
) -> list[Condition]:
    """Stories whose share of negative (or offensive) comments in the window is far above
    both the story's own earlier share and its channel's, with enough of them to matter."""
    params = params_for(rule)
    measure = "negative" if rule["kind"] == "negative_spike" else "offensive"
    word = "负面" if measure == "negative" else "冒犯"
    found = []
    for row in window:
        count = row[measure] or 0
        rate = _rate(count, row["total"])
        story = story_base.get(row["story_id"], {})
        channel = channel_base.get(row["channel"], {})
        baseline = max(
            _rate(story.get(measure), story.get("total")),
            _rate(channel.get(measure), channel.get("total")),
        )
        if count < params["min_count"] or rate < params["min_rate"]:
            continue
        if rate < baseline * params["factor"]:
            continue
        line = (
            f"近 {params['window_minutes']} 分钟 {count} 条{word}评论，"
            f"占 {rate:.0%}（平时 {baseline:.0%}）"
        )
        detail = {
            "count": count,
            "total": row["total"],
            "rate": round(rate, 4),
            "baseline": round(baseline, 4),
        }
        found.append(_story_condition(row["story_id"], titles, f"{word}评论激增", line, detail))
    return found


def _story_condition(story_id: int, titles: dict, what: str, line: str, detail: dict):
    """A condition about one story, linked to its page: 《title》what."""
    title = titles.get(story_id, f"稿件 {story_id}")
    return Condition(
        key=f"story:{story_id}",
        title=f"《{title}》{what}",
        lines=(line,),
        story_id=story_id,
        link_path=f"/stories/{story_id}",
        detail=detail,
    )


def volume_spikes(
    rule: dict, window: list[dict], story_base: dict, titles: dict
) -> list[Condition]:
    """Stories drawing many more comments in the window than they usually do per window."""
    params = params_for(rule)
    windows_in_baseline = params["baseline_days"] * 24 * 60 / params["window_minutes"]
    found = []
    for row in window:
        usual = (story_base.get(row["story_id"], {}).get("total") or 0) / windows_in_baseline
        if row["total"] < params["min_count"] or row["total"] < usual * params["factor"]:
            continue
        line = f"近 {params['window_minutes']} 分钟 {row['total']} 条评论（平时约 {usual:.1f} 条）"
        detail = {"total": row["total"], "usual": round(usual, 2)}
        found.append(_story_condition(row["story_id"], titles, "评论量激增", line, detail))
    return found


def keyword_hits(rule: dict, comments: list[dict], find) -> list[Condition]:
    """Stories under which a subscribed word appeared in the window (`find(text)` -> words,
    seeing through the evasions the word lists see through)."""
    by_story: dict[int | None, dict] = {}
    for comment in comments:
        words = find(comment["text"])
        if not words:
            continue
        hit = by_story.setdefault(
            comment["story_id"],
            {"words": set(), "ids": [], "sample": "", "title": comment.get("story_title")},
        )
        hit["words"].update(words)
        hit["ids"].append(comment["id"])
        hit["sample"] = hit["sample"] or comment["text"][:80]
    found = []
    for story_id, hit in by_story.items():
        words = "、".join(sorted(hit["words"]))
        title = hit["title"] or "未关联稿件"
        found.append(
            Condition(
                key=f"story:{story_id}",
                title=f"关键词「{words}」出现在《{title}》下",
                lines=(f"{len(hit['ids'])} 条评论提到：{words}", f"例：{hit['sample']}"),
                story_id=story_id,
                link_path=f"/stories/{story_id}" if story_id else "/search",
                detail={"words": sorted(hit["words"]), "comment_ids": hit["ids"][:50]},
            )
        )
    return found


def within_hours(now: datetime, from_hour: int, to_hour: int) -> bool:
    """Whether `now`, in Beijing time, falls in [from_hour, to_hour) (wrapping midnight)."""
    hour = now.astimezone(BEIJING).time()
    start, end = time(from_hour % 24), time(to_hour % 24)
    if from_hour == to_hour:
        return True
    return start <= hour < end if start < end else hour >= start or hour < end


def queue_age(rule: dict, oldest_pending: str | None, now: datetime) -> list[Condition]:
    """The oldest pending comment has waited too long, during the desk's hours."""
    params = params_for(rule)
    oldest = parse_iso(oldest_pending)
    if oldest is None or not within_hours(now, params["from_hour"], params["to_hour"]):
        return []
    waited = now - oldest
    if waited < timedelta(minutes=params["minutes"]):
        return []
    minutes = int(waited.total_seconds() // 60)
    return [
        Condition(
            key="queue",
            title=f"待审评论已等待 {minutes // 60} 小时 {minutes % 60} 分钟",
            lines=(f"最早一条待审评论发表于 {oldest.astimezone(BEIJING):%m-%d %H:%M}（北京时间）",),
            link_path="/?sort=oldest",
            detail={"oldest": oldest_pending, "minutes": minutes},
        )
    ]


def failing_channels(rule: dict, health: list[dict], now: datetime) -> list[Condition]:
    """Channels failing (or backing off) for longer than the rule allows."""
    params = params_for(rule)
    found = []
    for channel in health:
        since = parse_iso(channel["failing_since"])
        if not channel["failures"] or since is None or channel["paused"]:
            continue
        if now - since < timedelta(minutes=params["minutes"]):
            continue
        minutes = int((now - since).total_seconds() // 60)
        found.append(
            Condition(
                key=f"channel:{channel['name']}",
                title=f"渠道 {channel['name']} 已连续失败 {minutes} 分钟",
                lines=(f"最近错误：{(channel['last_error'] or '')[:200]}",),
                link_path="/channels",
                detail={"failures": channel["failures"], "since": channel["failing_since"]},
            )
        )
    return found


def outbox_failing(rule: dict, trouble: list[dict], now: datetime) -> list[Condition]:
    """Channels whose pushed actions failed (at least `min_count` in the window) or have
    waited longer than `minutes` to go out: decisions are not reaching readers."""
    params = params_for(rule)
    found = []
    for channel in trouble:
        oldest = parse_iso(channel["oldest_open"])
        waited = int((now - oldest).total_seconds() // 60) if oldest else 0
        failed = channel["failed"] or 0
        if failed < params["min_count"] and waited < params["minutes"]:
            continue
        lines = []
        if failed:
            lines.append(
                f"近 {params['window_minutes']} 分钟 {failed} 条推送失败："
                f"{(channel['last_note'] or '')[:150]}"
            )
        if waited >= params["minutes"]:
            lines.append(f"最早一条待推送已等待 {waited} 分钟")
        found.append(
            Condition(
                key=f"outbox:{channel['channel']}",
                title=f"渠道 {channel['channel']} 的推送{'失败' if failed else '积压'}",
                lines=tuple(lines),
                link_path="/channels",
                detail={"failed": failed, "waited_minutes": waited},
            )
        )
    return found


def reports_overdue(rule: dict, overdue: dict) -> list[Condition]:
    """Readers' reports still open past their time limit ([reports] time_limit_hours, set
    on each report when it arrived): at least `min_count` of them."""
    if overdue["reports"] < params_for(rule)["min_count"]:
        return []
    oldest = parse_iso(overdue["oldest_due"])
    since = (
        f"最早一条的时限是 {oldest.astimezone(BEIJING):%m-%d %H:%M}（北京时间）" if oldest else ""
    )
    return [
        Condition(
            key="reports",
            title=f"{overdue['reports']} 条读者举报超过处理时限",
            lines=(f"涉及 {overdue['comments']} 条评论；{since}",),
            link_path="/reader-reports",
            detail={"reports": overdue["reports"], "oldest_due": overdue["oldest_due"]},
        )
    ]


# bounds of each numeric param: (min, max)
PARAM_BOUNDS = {
    "window_minutes": (5, 24 * 60),
    "baseline_days": (1, 90),
    "min_count": (1, 100000),
    "factor": (1.0, 100.0),
    "min_rate": (0.0, 1.0),
    "minutes": (5, 7 * 24 * 60),
    "from_hour": (0, 23),
    "to_hour": (0, 24),
}
MAX_WORDS = 200


def validate_params(kind: str, params: dict) -> dict:
    """A rule's params checked against its kind: known keys, right types, in bounds.

    Raises ValueError with a Chinese message naming the key, for the admin page and TOML.
    """
    if kind not in KINDS:
        raise ValueError(f"未知的预警类型 {kind!r}，可选：{'、'.join(KINDS)}")
    defaults = DEFAULT_PARAMS[kind]
    checked = {}
    for key, value in params.items():
        if key not in defaults:
            raise ValueError(f"{KINDS[kind]}规则没有参数 {key!r}，可用：{'、'.join(defaults)}")
        if key == "words":
            if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
                raise ValueError('words 应为词语列表，如 ["事故", "停水"]')
            words = [w.strip()[:50] for w in value if w.strip()]
            if not words or len(words) > MAX_WORDS:
                raise ValueError(f"words 需要 1 到 {MAX_WORDS} 个词语")
            checked[key] = words
            continue
        low, high = PARAM_BOUNDS[key]
        number_type = float if isinstance(defaults[key], float) else int
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{key} 应为数字")
        if number_type is int and value != int(value):
            raise ValueError(f"{key} 应为整数")
        if not low <= value <= high:
            raise ValueError(f"{key} 应在 {low} 到 {high} 之间（现为 {value}）")
        checked[key] = number_type(value)
    if kind == "keyword" and "words" not in checked:
        raise ValueError("关键词规则至少需要一个词语（words）")
    return checked
