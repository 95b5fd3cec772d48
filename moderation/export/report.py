"""The 舆情 daily and weekly reports: a briefing for the chief editor on what readers said.

`gather` reads everything once into a :class:`Report`: the 舆情概述 in sentences (how much,
compared with the period before, what rose, how readers felt), the daily 走势图, the
情感分布, the most discussed stories (copies of a comment counted once, spam left out, a
minimum of comments each) with their 典型言论 by viewpoint, the most negative stories
among those with enough comments, the 预警事件 one line per incident, the click ranking and
the desk's workload. Channels are named by their labels, reader text is masked.
`report_docx` (see ``report_docx.py``) and `report_html` render it, byte for byte the same
for the same data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

import jinja2

from moderation import resources
from moderation.desk_metrics import DeskMetrics, desk_metrics
from moderation.drafting import terms
from moderation.export import chart as charts
from moderation.export.masking import mask
from moderation.export.ranking import RankedStory, format_count, month_day, rank_stories
from moderation.storage import alerts as alert_store
from moderation.storage import reports as store
from moderation.timeutil import BEIJING, day_bounds, local_time, parse_iso

KINDS = {"daily": "日报", "weekly": "周报"}
DEFAULT_UNIT = "株洲日报社融媒体中心"
TOP_STORIES = 8
MIN_STORY_COMMENTS = 3  # a story with fewer comments is not a top story
MIN_NEGATIVE_BASE = 10  # the negative ranking needs this many comments (no 1/1 = 100%)
MIN_NEGATIVE = 3
QUOTED_STORIES = 5
QUOTES_PER_VIEW = 2
QUOTE_MIN_CHARS = 12  # fewer visible characters carry too little to quote
VIEWPOINTS = (("negative", "批评与质疑"), ("positive", "肯定与支持"), ("neutral", "建议与其他"))
SENTIMENT_NAMES = {"positive": "正面", "neutral": "中性", "negative": "负面"}
# flags that keep a comment out of the 典型言论 (a low sentiment is a viewpoint, not a defect)
UNQUOTABLE_FLAGS = {
    "banned", "suspect", "offensive", "spam_link", "spam_solicit", "spam_repeat",
    "low_information", "personal_data",
}  # fmt: skip
QUOTE_MAX_CHARS = 120


@dataclass
class Report:
    """A report's content, ready to render."""

    kind: str
    first: date
    last: date
    unit: str = DEFAULT_UNIT
    assessment: str = ""  # 研判与建议, written by the editor before sending
    overview: list[str] = field(default_factory=list)  # 舆情概述, sentences
    channels: list[dict] = field(default_factory=list)  # {label, comments, share, ...}
    sentiment: dict = field(default_factory=dict)  # {positive, neutral, negative, total}
    previous: dict = field(default_factory=dict)  # the period before: {comments, negative}
    trend: list[dict] = field(default_factory=list)  # {day, label, by_channel, total}
    trend_channels: list[str] = field(default_factory=list)
    stories: list[dict] = field(default_factory=list)  # most discussed, with quotes
    negative: list[dict] = field(default_factory=list)  # most negative (enough comments)
    incidents: list[dict] = field(default_factory=list)
    ranking: list[RankedStory] = field(default_factory=list)
    metrics: DeskMetrics | None = None

    @property
    def title(self) -> str:
        """株洲日报 评论舆情周报（2024-01-19 至 2024-01-25）."""
        return report_title(self.kind, self.first, self.last)

    @property
    def issue(self) -> str:
        """期号: the day of the year (日报) or the ISO week (周报) of the period's last day."""
        number = (
            self.last.timetuple().tm_yday if self.kind == "daily" else self.last.isocalendar()[1]
        )
        return f"{self.last.year}年第{number}期"

    @property
    def dated(self) -> str:
        """The issue's date as printed in the masthead: the day after the period."""
        day = self.last + timedelta(days=1)
        return f"{day.year}年{day.month}月{day.day}日"

    @property
    def span(self) -> str:
        """1月19日至1月25日 (or one day)."""
        first = f"{self.first.month}月{self.first.day}日"
        last = f"{self.last.month}月{self.last.day}日"
        if self.first.year != self.last.year:
            first = f"{self.first.year}年{first}"
        return first if self.first == self.last else f"{first}至{last}"

    def chart(self) -> charts.Chart:
        """The 走势图's geometry."""
        series = [
            (label, [day["by_channel"].get(label, 0) for day in self.trend])
            for label in self.trend_channels
        ]
        return charts.layout([day["label"] for day in self.trend], series)

    def chart_colors(self) -> dict[str, str]:
        """Each channel's colour in the chart."""
        return charts.colors(self.trend_channels)


def report_title(kind: str, first: date, last: date) -> str:
    """株洲日报 评论舆情周报（2024-01-19 至 2024-01-25）: the heading, the mail's subject."""
    span = first.isoformat() if first == last else f"{first.isoformat()} 至 {last.isoformat()}"
    return f"株洲日报 评论舆情{KINDS[kind]}（{span}）"


def filename_stem(kind: str, last: date | str) -> str:
    """舆情周报-2024-01-25: the period's last day names the report's files."""
    day = last if isinstance(last, str) else last.isoformat()
    return f"舆情{KINDS[kind]}-{day}"


def keywords_for(data_path):
    """The story page's keyword extraction (``scoring.keywords``, one TF-IDF), for reports:
    `keywords(texts)` -> [(word, weight)]."""
    from moderation.scoring.fast_segment import cache_dir_for
    from moderation.scoring.groups import top_terms
    from moderation.scoring.keywords import words_of

    segment = words_of(cache_dir_for(data_path))
    return lambda texts, limit=12: top_terms(texts, segment, limit)


def period_for(kind: str, day: date) -> tuple[date, date]:
    """The period a report on `day` covers: that day, or the seven days ending on it."""
    return (day, day) if kind == "daily" else (day - timedelta(days=6), day)


def gather(
    db,
    kind: str,
    first: date,
    last: date,
    keywords=None,
    labels: dict[str, str] | None = None,
    unit: str = DEFAULT_UNIT,
    assessment: str = "",
) -> Report:
    """Read a period's report from the database.

    `keywords(texts)` names a story's topics; `labels` maps channel names to the labels
    readers know them by; `assessment` is the editor's 研判与建议."""
    labels = labels or {}
    since, until = day_bounds(first, last)
    length = (last - first).days + 1
    before = day_bounds(first - timedelta(days=length), first - timedelta(days=1))
    # the editor's own words leave the desk too (robot, mail, files): masked like reader text
    report = Report(kind, first, last, unit=unit or DEFAULT_UNIT, assessment=mask(assessment or ""))
    report.channels, report.sentiment = _channels(
        store.sentiment_by_channel(db, since, until), labels
    )
    _, previous = _channels(store.sentiment_by_channel(db, *before), labels)
    report.previous = previous
    _trend(report, db, labels)
    ranked = store.story_reactions(db, since, until, limit=50, minimum=MIN_STORY_COMMENTS)
    earlier = {
        row["story_id"]: row["comments"]
        for row in store.story_reactions(db, *before, limit=200, minimum=1)
    }
    for story in ranked:
        _story_facts(story, labels, earlier.get(story["story_id"], 0))
    report.stories = ranked[:TOP_STORIES]
    for story in report.stories:
        texts = store.story_texts(db, story["story_id"], since, until)
        story["keywords"] = [word for word, _ in keywords(texts)][:6] if keywords else []
    for story in report.stories[:QUOTED_STORIES]:
        candidates = store.quote_candidates(db, story["story_id"], since, until)
        story["views"] = typical_quotes(candidates, labels)
    report.negative = sorted(
        (s for s in ranked if s["comments"] >= MIN_NEGATIVE_BASE and s["negative"] >= MIN_NEGATIVE),
        key=lambda s: (-s["negative"], -s["share"], s["story_id"]),
    )[:5]
    report.incidents = incidents(alert_store.alerts_between(db, since, until))
    report.ranking = [replace(s, title=mask(s.title)) for s in rank_stories(db, first, last)]
    end_of_period = datetime.combine(last + timedelta(days=1), datetime.min.time(), BEIJING)
    report.metrics = desk_metrics(db, first, last, "day", now=end_of_period)
    report.overview = overview(report, ranked)
    return report


def _channels(rows: list[dict], labels: dict) -> tuple[list[dict], dict]:
    """Per channel label (channels sharing a label added up) and the overall sentiment."""
    by_label: dict[str, dict] = {}
    for row in rows:
        label = labels.get(row["channel"], row["channel"])
        entry = by_label.setdefault(
            label, {"label": label, "comments": 0, "negative": 0, "neutral": 0, "positive": 0}
        )
        for key in ("comments", "negative", "neutral", "positive"):
            entry[key] += row[key] or 0
    total = sum(entry["comments"] for entry in by_label.values())
    channels = sorted(by_label.values(), key=lambda e: (-e["comments"], e["label"]))
    for entry in channels:
        entry["share"] = entry["comments"] / total if total else 0.0
    sentiment = {key: sum(e[key] for e in channels) for key in SENTIMENT_NAMES}
    sentiment["total"] = total
    sentiment["comments"] = total
    return channels, sentiment


def _trend(report: Report, db, labels: dict) -> None:
    """Comments per day and channel for the 走势图: the period, at least its last 7 days."""
    first = min(report.first, report.last - timedelta(days=6))
    rows = store.volume_by_channel_day(db, *day_bounds(first, report.last))
    days = [first + timedelta(days=n) for n in range((report.last - first).days + 1)]
    by_day = {day.isoformat(): {} for day in days}
    order: dict[str, int] = {}
    for row in rows:
        label = labels.get(row["channel"], row["channel"])
        counts = by_day.setdefault(row["day"], {})
        counts[label] = counts.get(label, 0) + row["comments"]
        order[label] = order.get(label, 0) + row["comments"]
    report.trend_channels = sorted(order, key=lambda label: (-order[label], label))
    report.trend = [
        {
            "day": day.isoformat(),
            "label": f"{day.month:02d}-{day.day:02d}",
            "by_channel": by_day[day.isoformat()],
            "total": sum(by_day[day.isoformat()].values()),
        }
        for day in days
    ]


def _story_facts(story: dict, labels: dict, earlier: int) -> None:
    """A story row completed: outlets by label, negative share, the period before."""
    names = sorted(set((story.get("channels") or "").split(",")) - {""})
    story["outlets"] = sorted({labels.get(name, name) for name in names})
    story["title"] = mask(story["title"]) or "（无标题）"
    story["negative"] = story["negative"] or 0
    story["share"] = story["negative"] / story["comments"] if story["comments"] else 0.0
    story["earlier"] = earlier
    story["views"] = []
    story["keywords"] = []


def quotable(candidate: dict) -> bool:
    """Fit for the 典型言论: no spam, ad, abuse or low-information flag, not a reply, enough
    concrete words (stock praise such as 顶顶顶 or 期待 is not a viewpoint), no personal data
    (a phone number posted for contact is a notice, not a view)."""
    codes = set((candidate.get("flag_codes") or "").split())
    text = candidate["text"] or ""
    return (
        not codes & UNQUOTABLE_FLAGS
        and terms.stands_alone(text)
        and terms.visible_length(text) >= QUOTE_MIN_CHARS
        and not terms.is_generic(text)
    )


# a question or a suggestion the model reads as negative, unless it scores lower than this or
# asks rhetorically (为什么还…？): a reader asking when the road reopens is not criticising
ASKING_FLOOR = 0.1
QUESTION = re.compile(r"[？?][”」』）)]*\s*$|^(?:请问|想问|问一下)")
RHETORICAL = re.compile(r"为什么还|怎么还|凭什么|难道|到底|究竟|何时才|还要等多久|有没有人管")


def viewpoint(candidate: dict) -> str:
    """The 典型言论 group of a comment: its sentiment label, except that a plain question or
    a suggestion labelled negative goes to 建议与其他 (a moderator's correction is kept)."""
    label = candidate.get("label") or "neutral"
    text = (candidate.get("text") or "").strip()
    if (
        label == "negative"
        and not candidate.get("corrected")
        and (candidate.get("sentiment") or 0.0) >= ASKING_FLOOR
        and (QUESTION.search(text) or terms.is_constructive(text))
        and not RHETORICAL.search(text)
    ):
        return "neutral"
    return label


def excerpt(text: str) -> str:
    """A long comment cut after a sentence (as the column's trims), else at the limit."""
    text = text.strip()
    if len(text) <= QUOTE_MAX_CHARS:
        return text
    return terms.propose_trim(text, QUOTE_MAX_CHARS, QUOTE_MIN_CHARS) or (
        text[: QUOTE_MAX_CHARS - 1] + "…"
    )


def typical_quotes(candidates: list[dict], labels: dict) -> list[dict]:
    """A story's 典型言论 by viewpoint: [{view, quotes: [{text, author, outlet, likes}]}],
    the most concrete and most liked first, one per author, masked."""
    views = []
    for label, name in VIEWPOINTS:
        pool = [c for c in candidates if viewpoint(c) == label and quotable(c)]
        pool.sort(key=lambda c: (-terms.specificity(c["text"]), -c["likes"], c["id"]))
        chosen, authors = [], set()
        for candidate in pool:
            if candidate["author_key"] in authors:
                continue
            authors.add(candidate["author_key"])
            chosen.append(
                {
                    "text": mask(excerpt(candidate["text"])),
                    "author": mask(candidate["author_name"] or "") or "网友",
                    "outlet": labels.get(candidate["channel"], candidate["channel"]),
                    "likes": candidate["likes"],
                }
            )
            if len(chosen) == QUOTES_PER_VIEW:
                break
        if chosen:
            views.append({"view": name, "quotes": chosen})
    return views


def incidents(alerts: list[dict]) -> list[dict]:
    """The period's alerts, one row per incident: an incident's updates and the alerts of
    several rules about one story while it lasted are one event."""
    events: list[dict] = []
    open_by_key: dict[str, dict] = {}
    for alert in alerts:
        key = f"story:{alert['story_id']}" if alert.get("story_id") else alert["condition"]
        fired = parse_iso(alert["fired_at"])
        ended = parse_iso(alert.get("cleared_at") or alert.get("last_seen_at")) or fired
        event = open_by_key.get(key)
        if event is not None and fired <= event["ended"] + timedelta(hours=1):
            event["ended"] = max(event["ended"], ended)
            event["rules"].append(alert["rule_name"])
            event["cleared"] = event["cleared"] and bool(alert.get("cleared_at"))
            event["peak"] = max(event["peak"], _peak(alert))
            continue
        event = {
            "title": mask(alert["title"]),
            "fired": fired,
            "ended": ended,
            "rules": [alert["rule_name"]],
            "cleared": bool(alert.get("cleared_at")),
            "peak": _peak(alert),
            "updates": (alert.get("detail") or {}).get("updates", 0),
        }
        open_by_key[key] = event
        events.append(event)
    for event in events:
        event["rules"] = list(dict.fromkeys(event["rules"]))
        event["when"] = _span_text(event["fired"], event["ended"], event["cleared"])
    return events


def _peak(alert: dict) -> int:
    detail = alert.get("detail") or {}
    return int(detail.get("peak") or detail.get("count") or detail.get("total") or 0)


def _span_text(fired: datetime, ended: datetime, cleared: bool) -> str:
    start = fired.astimezone(BEIJING)
    end = ended.astimezone(BEIJING)
    if not cleared:
        return f"{start:%m-%d %H:%M} 起，仍在持续"
    if start.date() == end.date():
        return f"{start:%m-%d %H:%M}–{end:%H:%M}"
    return f"{start:%m-%d %H:%M} 至 {end:%m-%d %H:%M}"


def _change(now: int, before: int) -> str:
    """较上期增长 25%／减少 10%／持平 (上期无数据 when there was nothing to compare)."""
    if not before:
        return "上期无评论可比" if now else "与上期同为零"
    ratio = (now - before) / before
    if abs(ratio) < 0.005:
        return f"与上期（{before} 条）持平"
    word = "增长" if ratio > 0 else "减少"
    return f"较上期（{before} 条）{word} {abs(ratio):.0%}"


def overview(report: Report, ranked: list[dict]) -> list[str]:
    """舆情概述 in sentences: how much, compared with before, where, what rose, how it felt,
    what alarmed."""
    total = report.sentiment.get("total", 0)
    period = "本日" if report.kind == "daily" else "本周"
    if not total:
        return [f"{period}（{report.span}）各渠道未收到网友评论。"]
    lines = [
        f"{period}（{report.span}）各渠道共收到网友评论 {total} 条（重复内容只计一次，"
        f"广告等垃圾评论不计），{_change(total, report.previous.get('total', 0))}。"
    ]
    if len(report.channels) == 1:
        lines.append(f"评论全部来自{report.channels[0]['label']}。")
    elif report.channels:
        top = report.channels[0]
        parts = "、".join(f"{c['label']} {c['comments']} 条" for c in report.channels[:4])
        lines.append(f"分渠道看，{parts}；{top['label']}最多，占 {top['share']:.0%}。")
    if report.stories:
        named = "、".join(f"《{s['title']}》（{s['comments']} 条）" for s in report.stories[:3])
        lines.append(f"评论主要集中在{named}等 {len(ranked)} 篇稿件。")
        rising = max(ranked, key=lambda s: (s["comments"] - s["earlier"], -s["story_id"]))
        if report.kind == "weekly" or rising["earlier"]:
            if rising["comments"] > rising["earlier"]:
                lines.append(
                    f"上升最快的是《{rising['title']}》：{period} {rising['comments']} 条，"
                    f"上期 {rising['earlier']} 条。"
                )
    lines.append(_sentiment_sentence(report))
    if report.negative:
        worst = report.negative[0]
        lines.append(
            f"负面评论最多的是《{worst['title']}》：{worst['negative']} 条，"
            f"占该稿评论的 {worst['share']:.0%}。"
        )
    if report.incidents:
        going = sum(1 for event in report.incidents if not event["cleared"])
        tail = f"，其中 {going} 起仍在持续" if going else "，均已解除"
        lines.append(f"{period}触发预警事件 {len(report.incidents)} 起{tail}。")
    else:
        lines.append(f"{period}未触发预警。")
    return lines


def _sentiment_sentence(report: Report) -> str:
    sentiment, total = report.sentiment, report.sentiment["total"]
    shares = "、".join(
        f"{name} {sentiment[key] / total:.0%}" for key, name in SENTIMENT_NAMES.items()
    )
    sentence = f"情感倾向上，{shares}"
    before_total = report.previous.get("total", 0)
    if before_total:
        now = sentiment["negative"] / total
        before = report.previous["negative"] / before_total
        points = round((now - before) * 100)
        if points:
            word = "上升" if points > 0 else "下降"
            sentence += f"，负面占比较上期{word} {abs(points)} 个百分点"
        else:
            sentence += "，负面占比与上期相当"
    return sentence + "。"


def summary_lines(report: Report) -> list[str]:
    """The lines a robot or an e-mail body carries: the 舆情概述, and the editor's view."""
    lines = list(report.overview)
    if report.assessment:
        lines.append(f"研判与建议：{report.assessment}")
    return lines


def report_docx(report: Report) -> bytes:
    """The report as an A4 DOCX for the 总编室 (see ``report_docx.py``)."""
    from moderation.export.report_docx import briefing_docx

    return briefing_docx(report)


def report_html(report: Report) -> bytes:
    """The report as a standalone HTML page (autoescaped Jinja, no dashboard needed)."""
    html = (
        templates()
        .get_template("reports/report.html")
        .render(
            report=report,
            chart=report.chart(),
            colors=report.chart_colors(),
            sentiment_names=SENTIMENT_NAMES,
            format_count=format_count,
            month_day=month_day,
            local_time=local_time,
        )
    )
    return html.encode("utf-8")


def templates() -> jinja2.Environment:
    """The shipped templates (the dashboard's folder, found through `resources` from any
    install: a checkout, an editable install or a wheel)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resources.TEMPLATES)),
        autoescape=True,
        keep_trailing_newline=True,
    )
