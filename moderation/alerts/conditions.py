"""Alert conditions: pure judgements over counts the storage layer has gathered.

Each judge takes a rule's params and the facts for one evaluation and returns the
conditions that hold now. A condition's `key` names what it is about (a story, a channel,
the queue): while a key keeps holding, its alert stays open and is not sent again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from moderation.alerts.text import error_summary, reader_text
from moderation.timeutil import BEIJING, dated, parse_iso

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


# A story needs this many earlier comments before its own share counts as its baseline;
# a newer story is judged against its channel's usual share.
MIN_STORY_BASELINE = 10


def required_rate(baseline: float, factor: float, min_rate: float) -> float:
    """The share a window must reach to be a spike: `factor` times the usual share, but
    never more than halfway from it to 100% (a story whose readers are usually half
    negative can still spike), and never under `min_rate`."""
    return max(min_rate, min(baseline * factor, (1 + baseline) / 2))


def _baseline(row: dict, story: dict, channel: dict, measure: str) -> tuple[float, str]:
    """The usual share and where it comes from: the story's own earlier comments when it
    has enough of them, else its channel's."""
    if (story.get("total") or 0) >= MIN_STORY_BASELINE:
        own = _rate(story.get(measure), story.get("total"))
        return max(own, _rate(channel.get(measure), channel.get("total"))), "本稿此前"
    return _rate(channel.get(measure), channel.get("total")), "该渠道平时"


def spikes(
    rule: dict,
    window: list[dict],
    story_base: dict,
    channel_base: dict,
    titles: dict,
    ongoing: dict | None = None,
    usual: dict | None = None,
) -> list[Condition]:
    """Stories whose share of negative (or offensive) comments in the window is far above
    what is usual for them (their own earlier share, or their channel's for a new story),
    with enough of them to matter.

    `ongoing` maps a story with an open incident to the baseline it was judged on when the
    incident began: its condition holds while the window stays above `min_count` and
    `min_rate`, whatever has since slid into the story's history. `usual` maps a story that
    had an incident within the baseline period to the baseline judged then (its history
    now holds that earlier wave)."""
    params = params_for(rule)
    ongoing, usual = ongoing or {}, usual or {}
    measure = "negative" if rule["kind"] == "negative_spike" else "offensive"
    word = "负面" if measure == "negative" else "冒犯"
    found = []
    for row in window:
        count = row[measure] or 0
        rate = _rate(count, row["total"])
        if count < params["min_count"] or rate < params["min_rate"]:
            continue
        if row["story_id"] in ongoing:
            baseline, source = ongoing[row["story_id"]]
        elif row["story_id"] in usual:
            baseline, source = usual[row["story_id"]]
            if rate < required_rate(baseline, params["factor"], params["min_rate"]):
                continue
        else:
            baseline, source = _baseline(
                row,
                story_base.get(row["story_id"], {}),
                channel_base.get(row["channel"], {}),
                measure,
            )
            if rate < required_rate(baseline, params["factor"], params["min_rate"]):
                continue
        line = (
            f"近 {params['window_minutes']} 分钟 {count} 条{word}评论（共 {row['total']} 条），"
            f"占 {rate:.0%}，{source} {baseline:.0%}"
        )
        detail = {
            "count": count,
            "total": row["total"],
            "rate": round(rate, 4),
            "baseline": round(baseline, 4),
            "baseline_source": source,
        }
        found.append(_story_condition(row["story_id"], titles, f"{word}评论激增", line, detail))
    return found


def _story_condition(story_id: int, titles: dict, what: str, line: str, detail: dict):
    """A condition about one story, linked to its page: 《title》what."""
    title = reader_text(titles.get(story_id), 60) or f"稿件 {story_id}"
    return Condition(
        key=f"story:{story_id}",
        title=f"《{title}》{what}",
        lines=(line,),
        story_id=story_id,
        link_path=f"/stories/{story_id}",
        detail={**detail, "what": what},
    )


def volume_spikes(
    rule: dict, window: list[dict], story_base: dict, titles: dict, ongoing=()
) -> list[Condition]:
    """Stories drawing many more comments in the window than they usually do per window;
    a story with an open incident (in `ongoing`) holds while it keeps `min_count`."""
    params = params_for(rule)
    windows_in_baseline = params["baseline_days"] * 24 * 60 / params["window_minutes"]
    found = []
    for row in window:
        usual = (story_base.get(row["story_id"], {}).get("total") or 0) / windows_in_baseline
        if row["total"] < params["min_count"]:
            continue
        if row["story_id"] not in ongoing and row["total"] < usual * params["factor"]:
            continue
        line = f"近 {params['window_minutes']} 分钟 {row['total']} 条评论（平时约 {usual:.1f} 条）"
        detail = {"total": row["total"], "usual": round(usual, 2)}
        found.append(_story_condition(row["story_id"], titles, "评论量激增", line, detail))
    return found


SAMPLES = 3


def keyword_hits(rule: dict, comments: list[dict], find) -> list[Condition]:
    """Stories under which a subscribed word appeared in the window (`find(text)` -> words,
    seeing through the evasions the word lists see through); samples masked."""
    by_story: dict[int | None, dict] = {}
    for comment in comments:
        words = find(comment["text"])
        if not words:
            continue
        hit = by_story.setdefault(
            comment["story_id"],
            {"words": set(), "ids": [], "samples": [], "title": comment.get("story_title")},
        )
        hit["words"].update(words)
        hit["ids"].append(comment["id"])
        if len(hit["samples"]) < SAMPLES:
            hit["samples"].append(reader_text(comment["text"], 80))
    found = []
    for story_id, hit in by_story.items():
        words = "、".join(sorted(hit["words"]))
        title = reader_text(hit["title"], 60) if hit["title"] else "未关联稿件"
        found.append(
            Condition(
                key=f"story:{story_id}" if story_id else f"keyword:{rule['id']}",
                title=f"关键词「{words}」出现在《{title}》下",
                lines=(f"{len(hit['ids'])} 条评论提到：{words}",),
                story_id=story_id,
                link_path=f"/stories/{story_id}" if story_id else "/search",
                detail={
                    "words": sorted(hit["words"]),
                    "comment_ids": hit["ids"][:50],
                    "count": len(hit["ids"]),
                    "samples": hit["samples"],
                    "what": f"出现关键词「{words}」",
                },
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


def waited_text(minutes: int) -> str:
    """3 小时 5 分钟, or 2 天 4 小时 past two days."""
    if minutes >= 48 * 60:
        return f"{minutes // 1440} 天 {minutes % 1440 // 60} 小时"
    return f"{minutes // 60} 小时 {minutes % 60} 分钟"


def queue_age(rule: dict, oldest_pending: str | None, now: datetime) -> list[Condition]:
    """The oldest pending comment has waited too long since it was collected (not since the
    reader posted it: a first collection of old comments is not a backlog), during the
    desk's hours."""
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
            title=f"待审评论已等待 {waited_text(minutes)}",
            lines=(f"最早一条待审评论采集于 {dated(oldest_pending, now)}（北京时间）",),
            link_path="/?sort=oldest",
            detail={"oldest": oldest_pending, "minutes": minutes},
        )
    ]


def failing_channels(
    rule: dict, health: list[dict], now: datetime, labels: dict | None = None
) -> list[Condition]:
    """Channels failing (or backing off) for longer than the rule allows, named by their
    labels, the error summarised in Chinese."""
    labels = labels or {}
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
                title=f"渠道“{labels.get(channel['name'], channel['name'])}”已连续失败"
                f" {minutes} 分钟",
                lines=(f"最近错误：{error_summary(channel['last_error'], 120)}",),
                link_path="/channels",
                detail={"failures": channel["failures"], "since": channel["failing_since"]},
            )
        )
    return found


def outbox_failing(
    rule: dict, trouble: list[dict], now: datetime, labels: dict | None = None
) -> list[Condition]:
    """Channels whose pushed actions failed (at least `min_count` in the window) or have
    waited longer than `minutes` to go out: decisions are not reaching readers."""
    labels = labels or {}
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
                f"{error_summary(channel['last_note'], 120)}"
            )
        if waited >= params["minutes"]:
            lines.append(f"最早一条待推送已等待 {waited} 分钟")
        found.append(
            Condition(
                key=f"outbox:{channel['channel']}",
                title=(
                    f"渠道“{labels.get(channel['channel'], channel['channel'])}”的推送"
                    f"{'失败' if failed else '积压'}"
                ),
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
