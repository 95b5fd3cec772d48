"""One evaluation pass: gather the counts, judge every enabled rule, run the incidents.

What holds about one story (or channel, or the queue) is one incident, whichever rules see
it: it opens with one message (a pending delivery per target), posts an update at most
every N minutes while it grows, and ends with one 解除 message once it has been quiet for a
while; a second wave in between continues it. A story's baseline is the one taken before
its incident began. Each rule opens at most `max_per_hour` incidents an hour; conditions
over that wait for the next pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from moderation.alerts import conditions, incidents
from moderation.alerts.text import reader_text
from moderation.scoring.flags import WordFinder
from moderation.storage import alerts as store
from moderation.storage import database_key, reader_reports
from moderation.timeutil import iso, parse_iso

MAX_KEYWORD_TEXTS = 5000  # newest comments a keyword rule reads per pass


@dataclass
class PassResult:
    """What one pass did: incidents opened (ids), kept open, updated and ended."""

    fired: list[int] = field(default_factory=list)
    kept: int = 0
    cleared: int = 0
    updated: int = 0


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

    def window_rows(self) -> list[dict]:
        """Every per-story row of the windows read so far this pass."""
        return [row for rows in self._windows.values() for row in rows]

    def titles(self, story_ids) -> dict[int, str]:
        """Story titles, fetched once per pass."""
        missing = [i for i in story_ids if i is not None and i not in self._titles]
        if missing:
            self._titles.update(store.story_titles(self.db, missing))
        return self._titles


SPIKES = ("negative_spike", "offensive_spike", "volume_spike")


def _story_baselines(facts: _Facts, opened: dict, days: int) -> tuple[dict, dict]:
    """(ongoing, usual): the baseline each open story incident was judged on, and the one
    an earlier incident of the last `days` was judged on, by story."""
    ongoing = {}
    for incident in opened.values():
        detail = incident["detail"]
        if incident["story_id"] is not None and "baseline" in detail:
            ongoing[incident["story_id"]] = (detail["baseline"], detail.get("baseline_source", ""))
    usual = {}
    since = iso(facts.now - timedelta(days=days))
    for row in facts.window_rows():
        story_id = row["story_id"]
        if story_id in ongoing or story_id in usual:
            continue
        earlier = store.earlier_baseline(facts.db, story_id, since)
        if earlier is not None:
            usual[story_id] = (earlier["baseline"], "本稿上次预警前")
    return ongoing, usual


def judge(
    facts: _Facts, rule: dict, opened: dict | None = None, labels: dict | None = None
) -> list[conditions.Condition]:
    """The conditions one rule finds holding now (`opened`: the open incidents by key, whose
    stories hold while they stay above the rule's minimum and rate)."""
    params = conditions.params_for(rule)
    kind = rule["kind"]
    opened = opened or {}
    if kind in SPIKES:
        measure = {"negative_spike": "negative", "offensive_spike": "offensive"}.get(kind, "total")
        floor = params["min_count"]
        rows = [r for r in facts.window(params["window_minutes"]) if (r[measure] or 0) >= floor]
        if not rows:
            return []
        story_base, channel_base = facts.baselines(
            rows, params["window_minutes"], params["baseline_days"]
        )
        titles = facts.titles(r["story_id"] for r in rows)
        ongoing, usual = _story_baselines(facts, opened, params["baseline_days"])
        if kind == "volume_spike":
            open_stories = {i["story_id"] for i in opened.values() if i["story_id"] is not None}
            return conditions.volume_spikes(rule, rows, story_base, titles, open_stories)
        return conditions.spikes(
            rule, rows, story_base, channel_base, titles, ongoing=ongoing, usual=usual
        )
    if kind == "keyword":
        finder = WordFinder(params["words"])
        return conditions.keyword_hits(rule, facts.texts(params["window_minutes"]), finder.find)
    if kind == "queue_age":
        return conditions.queue_age(rule, store.oldest_pending_at(facts.db), facts.now)
    if kind == "channel_failing":
        health = store.channel_health(facts.db)
        return conditions.failing_channels(rule, health, facts.now, labels)
    if kind == "outbox_failing":
        since = iso(facts.now - timedelta(minutes=params["window_minutes"]))
        trouble = store.outbox_trouble(facts.db, since)
        return conditions.outbox_failing(rule, trouble, facts.now, labels)
    if kind == "reports_overdue":
        return conditions.reports_overdue(rule, reader_reports.overdue(facts.db, facts.now))
    return []


def evaluate(
    db,
    now: datetime,
    max_per_hour: int = 10,
    labels: dict[str, str] | None = None,
    update_minutes: int = 15,
    quiet_minutes: int = 60,
) -> PassResult:
    """Judge every enabled rule at `now` and record what changed, as incidents.

    What holds about one story (or channel, or the queue) is one incident however many rules
    see it: the first pass it holds opens it with one message; while it keeps holding, an
    update goes out at most every `update_minutes` when it has grown; after
    `quiet_minutes` without holding it ends with one 解除 message (a second wave before
    then continues the same incident). `labels` names channels as readers know them."""
    facts = _Facts(db, now)
    opened = store.open_incidents(db)
    found = [
        (rule, condition)
        for rule in store.list_rules(db, enabled_only=True)
        for condition in judge(facts, rule, opened, labels)
    ]
    merged = incidents.merge(found)
    result = PassResult()
    budget = _budgets(db, now, max_per_hour)
    for key, entry in merged.items():
        incident = opened.get(key)
        if incident is not None:
            result.updated += _continue(db, incident, entry, facts, labels, update_minutes)
            result.kept += 1
            continue
        rule = entry.rules[0]
        if budget.get(rule["id"], max_per_hour) <= 0:
            continue
        budget[rule["id"]] = budget.get(rule["id"], max_per_hour) - 1
        result.fired.append(_open(db, entry, facts, labels))
    for key, incident in opened.items():
        if key in merged:
            continue
        if _quiet_long_enough(db, incident, now, quiet_minutes):
            result.cleared += 1
        else:
            result.kept += 1
    return result


def _story_facts(facts: _Facts, entry: incidents.Merged, labels) -> incidents.StoryFacts | None:
    """Channel split, pending count, story time and samples for a story incident."""
    if entry.story_id is None:
        return None
    minutes = max(conditions.params_for(rule).get("window_minutes", 30) for rule in entry.rules)
    since = iso(facts.now - timedelta(minutes=minutes))
    prefer = "negative" if "negative_spike" in entry.kinds else None
    found = store.story_facts(facts.db, entry.story_id, since, iso(facts.now), prefer)
    labels = labels or {}
    split: dict[str, int] = {}
    for channel, count in found["channels"]:
        label = labels.get(channel, channel)
        split[label] = split.get(label, 0) + count
    keyword_samples = entry.detail().get("samples", [])
    return incidents.StoryFacts(
        title=found["title"],
        url=found["url"],
        published_at=found["published_at"],
        channels=tuple(split.items()),
        pending=found["pending"],
        samples=tuple(
            dict.fromkeys([*keyword_samples, *(reader_text(t, 80) for t in found["samples"])])
        )[:3],
    )


def _open(db, entry: incidents.Merged, facts: _Facts, labels) -> int:
    story = _story_facts(facts, entry, labels)
    detail = {**entry.detail(), "peak": entry.count, "reported": entry.count}
    detail["targets"] = entry.targets
    stamp = iso(facts.now)
    alert = {
        "rule_id": entry.rules[0]["id"],
        "condition": entry.key,
        "title": entry.title(),
        "detail": {**detail, "lines": entry.lines},
        "link": entry.link_path,
        "story_id": entry.story_id,
        "kinds": entry.kinds,
        "started_at": stamp,
    }
    message = incidents.message(incidents.OPEN, entry, alert, story, facts.now)
    return store.start_incident(db, alert, entry.targets, message, stamp)


def _continue(db, incident: dict, entry: incidents.Merged, facts, labels, every: int) -> int:
    """An open incident still holding: merge what holds now; post an update when due."""
    old = incident["detail"]
    detail = {**old, **entry.detail(), "lines": entry.lines}
    for key in ("baseline", "baseline_source"):  # judged once, before the incident began
        if key in old:
            detail[key] = old[key]
    detail["peak"] = max(int(old.get("peak") or 0), entry.count)
    detail["targets"] = list(dict.fromkeys([*old.get("targets", []), *entry.targets]))
    kinds = list(dict.fromkeys([*(incident["kinds"] or "").split(), *entry.kinds]))
    stamp = iso(facts.now)
    changes = {"last_seen_at": stamp, "quiet_since": None, "kinds": " ".join(kinds)}
    if not incidents.due_update(incident, entry, facts.now, every):
        store.update_incident(db, incident["id"], {**changes, "detail": detail})
        return 0
    message = incidents.message(
        incidents.UPDATE, entry, incident, _story_facts(facts, entry, labels), facts.now
    )
    detail["reported"] = entry.count
    changes.update(detail=detail, updates=(incident["updates"] or 0) + 1)
    store.incident_message(db, incident["id"], detail["targets"], message, stamp, changes)
    return 1


def _quiet_long_enough(db, incident: dict, now: datetime, quiet_minutes: int) -> bool:
    """Note an incident that stopped holding; end it with a 解除 message once it has been
    quiet for `quiet_minutes`. True when it ended."""
    stamp = iso(now)
    quiet = parse_iso(incident["quiet_since"])
    if quiet is None:
        store.update_incident(db, incident["id"], {"quiet_since": stamp})
        quiet = now
    if now - quiet < timedelta(minutes=quiet_minutes):
        return False
    message = incidents.message(incidents.CLEAR, None, incident, None, now)
    targets = incident["detail"].get("targets", [])
    store.incident_message(db, incident["id"], targets, message, stamp, {"cleared_at": stamp})
    return True


def _budgets(db, now: datetime, max_per_hour: int) -> dict[int, int]:
    fired = store.fired_per_rule_since(db, iso(now - timedelta(hours=1)))
    return {rule_id: max_per_hour - count for rule_id, count in fired.items()}


def evaluate_configured(db, settings, now: datetime) -> PassResult:
    """`evaluate` with the configured caps, incident timings and channel labels."""
    config = settings.alerts
    return evaluate(
        db,
        now,
        max_per_hour=config.max_alerts_per_rule_per_hour,
        labels={channel.name: channel.label or channel.name for channel in settings.channels},
        update_minutes=config.incident_update_minutes,
        quiet_minutes=config.incident_quiet_minutes,
    )
