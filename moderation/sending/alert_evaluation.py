"""One evaluation pass: gather the counts, judge every enabled rule, open and clear alerts.

A condition that starts holding fires one alert (with a pending delivery per target); while
it holds, the alert stays open and nothing more is sent; once it stops holding, the alert
clears, and the next time it holds is a new alert. Each rule fires at most
`max_per_hour` alerts an hour; conditions over that wait for the next pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from moderation.alerts import conditions
from moderation.scoring.flags import WordFinder
from moderation.storage import alerts as store
from moderation.storage import database_key, reader_reports
from moderation.timeutil import iso

MAX_KEYWORD_TEXTS = 5000  # newest comments a keyword rule reads per pass


@dataclass
class PassResult:
    """What one pass did: alerts fired (ids), kept open and cleared."""

    fired: list[int] = field(default_factory=list)
    kept: int = 0
    cleared: int = 0


# A channel's baseline over days barely moves in an hour: kept between passes, keyed by the
# database file, the channel and the hour-aligned period (a few hundred thousand rows read
# once an hour instead of once a minute).
_CHANNEL_BASELINES: dict[tuple, dict] = {}
_KEPT_BASELINES = 256


class _Facts:
    """Counts fetched once per pass and shared by the rules that need them."""

    def __init__(self, db, now: datetime):
        self.db = db
        self.now = now
        self._windows: dict[int, list[dict]] = {}
        self._texts: dict[int, list[dict]] = {}
        self._stories: dict[tuple, dict] = {}
        self._titles: dict[int, str] = {}
        self._file = database_key(db)

    def window(self, minutes: int) -> list[dict]:
        """Per-story counts of the last `minutes`."""
        if minutes not in self._windows:
            since = iso(self.now - timedelta(minutes=minutes))
            self._windows[minutes] = store.story_window_stats(self.db, since, iso(self.now))
        return self._windows[minutes]

    def texts(self, minutes: int) -> list[dict]:
        """The newest comments of the last `minutes` (keyword rules share them)."""
        if minutes not in self._texts:
            since = iso(self.now - timedelta(minutes=minutes))
            self._texts[minutes] = store.texts_between(
                self.db, since, iso(self.now), MAX_KEYWORD_TEXTS
            )
        return self._texts[minutes]

    def baselines(self, rows: list[dict], minutes: int, days: int) -> tuple[dict, dict]:
        """Story and channel counts over the `days` before the window."""
        until = self.now - timedelta(minutes=minutes)
        since = until - timedelta(days=days)
        story_ids = tuple(sorted(r["story_id"] for r in rows))
        key = (story_ids, minutes, days)
        if key not in self._stories:
            self._stories[key] = store.story_baselines(
                self.db, list(story_ids), iso(since), iso(until)
            )
        return self._stories[key], self._channel_baselines(rows, since, until)

    def _channel_baselines(self, rows, since: datetime, until: datetime) -> dict:
        start, end = (
            moment.replace(minute=0, second=0, microsecond=0) for moment in (since, until)
        )
        found = {}
        for channel in sorted({r["channel"] for r in rows}):
            key = (self._file, channel, start, end)
            if key not in _CHANNEL_BASELINES:
                if len(_CHANNEL_BASELINES) >= _KEPT_BASELINES:
                    _CHANNEL_BASELINES.clear()
                counts = store.channel_baselines(self.db, [channel], iso(start), iso(end))
                _CHANNEL_BASELINES[key] = counts[channel]
            found[channel] = _CHANNEL_BASELINES[key]
        return found

    def titles(self, story_ids) -> dict[int, str]:
        """Story titles, fetched once per pass."""
        missing = [i for i in story_ids if i is not None and i not in self._titles]
        if missing:
            self._titles.update(store.story_titles(self.db, missing))
        return self._titles


def judge(facts: _Facts, rule: dict) -> list[conditions.Condition]:
    """The conditions one rule finds holding now."""
    params = conditions.params_for(rule)
    kind = rule["kind"]
    if kind in ("negative_spike", "offensive_spike", "volume_spike"):
        measure = {"negative_spike": "negative", "offensive_spike": "offensive"}.get(kind, "total")
        floor = params["min_count"]
        rows = [r for r in facts.window(params["window_minutes"]) if (r[measure] or 0) >= floor]
        if not rows:
            return []
        story_base, channel_base = facts.baselines(
            rows, params["window_minutes"], params["baseline_days"]
        )
        titles = facts.titles(r["story_id"] for r in rows)
        if kind == "volume_spike":
            return conditions.volume_spikes(rule, rows, story_base, titles)
        return conditions.spikes(rule, rows, story_base, channel_base, titles)
    if kind == "keyword":
        finder = WordFinder(params["words"])
        return conditions.keyword_hits(rule, facts.texts(params["window_minutes"]), finder.find)
    if kind == "queue_age":
        return conditions.queue_age(rule, store.oldest_pending_at(facts.db), facts.now)
    if kind == "channel_failing":
        return conditions.failing_channels(rule, store.channel_health(facts.db), facts.now)
    if kind == "outbox_failing":
        since = iso(facts.now - timedelta(minutes=params["window_minutes"]))
        return conditions.outbox_failing(rule, store.outbox_trouble(facts.db, since), facts.now)
    if kind == "reports_overdue":
        return conditions.reports_overdue(rule, reader_reports.overdue(facts.db, facts.now))
    return []


def evaluate(db, now: datetime, max_per_hour: int = 10) -> PassResult:
    """Judge every enabled rule at `now` and record what changed."""
    facts = _Facts(db, now)
    holding: dict[tuple[int, str], tuple[dict, conditions.Condition]] = {}
    for rule in store.list_rules(db, enabled_only=True):
        for condition in judge(facts, rule):
            holding[(rule["id"], condition.key)] = (rule, condition)
    opened = store.open_alerts(db)
    stamp = iso(now)
    result = PassResult()
    budget = _budgets(db, now, max_per_hour)
    for key, (rule, condition) in holding.items():
        if key in opened or budget.get(rule["id"], max_per_hour) <= 0:
            continue
        budget[rule["id"]] = budget.get(rule["id"], max_per_hour) - 1
        result.fired.append(store.fire_alert(db, _alert(rule, condition), rule["targets"], stamp))
    kept = [row["id"] for key, row in opened.items() if key in holding]
    cleared = [row["id"] for key, row in opened.items() if key not in holding]
    with db.atomic():
        store.still_firing(db, kept, stamp)
        store.clear_alerts(db, cleared, stamp)
    result.kept, result.cleared = len(kept), len(cleared)
    return result


def _budgets(db, now: datetime, max_per_hour: int) -> dict[int, int]:
    fired = store.fired_per_rule_since(db, iso(now - timedelta(hours=1)))
    return {rule_id: max_per_hour - count for rule_id, count in fired.items()}


def _alert(rule: dict, condition: conditions.Condition) -> dict:
    return {
        "rule_id": rule["id"],
        "condition": condition.key,
        "title": condition.title,
        "detail": {**condition.detail, "lines": list(condition.lines)},
        "link": condition.link_path,
        "story_id": condition.story_id,
    }
