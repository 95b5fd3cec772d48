"""Alerts as incidents: what holds about one story (or one channel, or the queue) is one
incident, however many rules see it; its messages are the alert, its updates and its 解除.

Pure: the evaluation pass gathers the conditions and the facts (channel split, pending
count, samples) and stores what this module decides and writes. Every text a message
carries that came from a reader or a title is masked and inert (``text.reader_text``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from moderation.alerts.conditions import Condition
from moderation.alerts.text import reader_text
from moderation.timeutil import BEIJING, dated, parse_iso

OPEN, UPDATE, CLEAR = "open", "update", "clear"
PREFIXES = {OPEN: "【评论预警】", UPDATE: "【预警更新】", CLEAR: "【预警解除】"}
SAMPLES = 3


@dataclass
class Merged:
    """The conditions of one key that hold now, from every rule that sees them."""

    key: str
    story_id: int | None
    link_path: str
    rules: list[dict] = field(default_factory=list)
    conditions: list[Condition] = field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        """The rule kinds involved, in first-seen order."""
        return list(dict.fromkeys(rule["kind"] for rule in self.rules))

    @property
    def targets(self) -> list[str]:
        """Every target of every rule involved, once each."""
        return list(dict.fromkeys(t for rule in self.rules for t in rule.get("targets", [])))

    @property
    def lines(self) -> list[str]:
        """Each condition's lines, in order."""
        return [line for condition in self.conditions for line in condition.lines]

    @property
    def count(self) -> int:
        """The largest count any condition reports (negative, offensive, total, keyword)."""
        return max((_count(condition.detail) for condition in self.conditions), default=0)

    def title(self) -> str:
        """《title》负面评论激增、出现关键词「停电」: the story once, then what happened."""
        first = self.conditions[0]
        whats = [c.detail.get("what") for c in self.conditions if c.detail.get("what")]
        if self.story_id is None or not whats:
            return first.title
        head = first.title.split("》", 1)[0] + "》" if "》" in first.title else first.title
        if first.title.startswith("关键词"):  # 关键词「…」出现在《title》下
            head = "《" + first.title.split("《", 1)[1].rsplit("》", 1)[0] + "》"
        return head + "、".join(dict.fromkeys(whats))

    def detail(self) -> dict:
        """What is stored with the incident: each condition's figures and the baseline the
        story was judged on when the incident began."""
        merged: dict = {"conditions": [c.detail for c in self.conditions]}
        for condition in self.conditions:
            if "baseline" in condition.detail and "baseline" not in merged:
                merged["baseline"] = condition.detail["baseline"]
                merged["baseline_source"] = condition.detail.get("baseline_source", "")
        merged["count"] = self.count
        samples = [s for c in self.conditions for s in c.detail.get("samples", [])]
        if samples:
            merged["samples"] = list(dict.fromkeys(samples))[:SAMPLES]
        return merged


def _count(detail: dict) -> int:
    return int(detail.get("count") or detail.get("total") or detail.get("failed") or 0)


def merge(found: list[tuple[dict, Condition]]) -> dict[str, Merged]:
    """Conditions grouped by key: one story's spikes and keyword hits are one incident."""
    merged: dict[str, Merged] = {}
    for rule, condition in found:
        entry = merged.setdefault(
            condition.key, Merged(condition.key, condition.story_id, condition.link_path)
        )
        entry.rules.append(rule)
        entry.conditions.append(condition)
    return merged


@dataclass(frozen=True)
class StoryFacts:
    """What a story-incident message tells besides the conditions."""

    title: str = ""
    url: str | None = None
    published_at: str | None = None
    channels: tuple[tuple[str, int], ...] = ()  # (label, comments in the window)
    pending: int = 0
    samples: tuple[str, ...] = ()  # representative comments, raw (masked here)


def fact_lines(facts: StoryFacts | None, now: datetime) -> list[str]:
    """Channel split, pending count and the story's time; then up to three samples."""
    if facts is None:
        return []
    lines = []
    if facts.channels:
        split = "、".join(f"{label} {count} 条" for label, count in facts.channels)
        lines.append(f"渠道分布：{split}")
    published = dated(facts.published_at, now) if facts.published_at else "未知"
    lines.append(f"待审 {facts.pending} 条；稿件发布于 {published}")
    lines.extend(f"例：{reader_text(sample, 80)}" for sample in facts.samples[:SAMPLES])
    return lines


def message(
    stage: str,
    merged: Merged | None,
    incident: dict,
    facts: StoryFacts | None,
    now: datetime,
) -> dict:
    """One message of an incident as stored with its deliveries: {title, lines, link,
    article}. `stage` is OPEN, UPDATE or CLEAR; `incident` the stored row (its title and
    link, its start, updates and peak) for updates and the 解除."""
    title = merged.title() if merged is not None else incident["title"]
    lines: list[str] = []
    if stage == UPDATE:
        number = (incident.get("updates") or 0) + 1
        title = f"{title}（第 {number} 次更新）"
    if stage == CLEAR:
        lines.append(_duration_line(incident, now))
        back = "相关评论已回落到平常水平" if incident.get("story_id") else "情况已恢复正常"
        lines.append(f"{back}，预警解除。")
    elif merged is not None:
        lines.extend(merged.lines)
        if stage == UPDATE:
            peak = (incident.get("detail") or {}).get("peak") or 0
            lines.append(f"开始于 {dated(incident['started_at'], now)}，此前峰值 {peak} 条")
    lines.extend(fact_lines(facts, now) if stage != CLEAR else [])
    return {
        "title": PREFIXES[stage] + title,
        "lines": lines,
        "link": (merged.link_path if merged is not None else incident.get("link")) or "/",
        "article": facts.url if facts is not None else None,
    }


def _duration_line(incident: dict, now: datetime) -> str:
    started = parse_iso(incident.get("started_at") or incident["fired_at"])
    minutes = int((now - started).total_seconds() // 60)
    peak = (incident.get("detail") or {}).get("peak") or 0
    updates = incident.get("updates") or 0
    span = f"{dated(incident.get('started_at') or incident['fired_at'], now)} 至 "
    span += f"{now.astimezone(BEIJING):%H:%M}"
    lasted = f"{minutes // 60} 小时 {minutes % 60} 分钟"
    return f"持续 {lasted}（{span}），峰值 {peak} 条，更新 {updates} 次"


def due_update(incident: dict, merged: Merged, now: datetime, every_minutes: int) -> bool:
    """An open incident posts an update when its last message is `every_minutes` old and
    it has grown (a higher count, or a condition of a new kind)."""
    last = parse_iso(incident.get("notified_at") or incident["fired_at"])
    if (now - last).total_seconds() < every_minutes * 60:
        return False
    known = set((incident.get("kinds") or "").split())
    reported = int((incident.get("detail") or {}).get("reported") or 0)
    return merged.count > reported or bool(set(merged.kinds) - known)
