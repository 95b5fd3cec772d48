"""Desk metrics for a range of Beijing days: the series the /metrics page charts, its CSV
exports and the reports all read, computed one way from the decision log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np

from moderation.storage import metrics as store
from moderation.timeutil import BEIJING, day_bounds

SAMPLES_PER_DAY = 24  # the queue's ages are read on the hour


@dataclass
class DeskMetrics:
    """Everything the metrics page shows for one range."""

    first: date
    last: date
    queue_age: list[dict] = field(default_factory=list)  # {day, p50_minutes, p95_minutes}
    decision_delay: list[dict] = field(default_factory=list)  # {day, count, p50/p95 minutes}
    by_moderator: list[dict] = field(default_factory=list)
    automatic: list[dict] = field(default_factory=list)
    corrections: list[dict] = field(default_factory=list)
    backlog: list[dict] = field(default_factory=list)


def percentiles(values, points=(50, 95)) -> list[float]:
    """Percentiles (linear interpolation) of `values`, 0 for none."""
    if len(values) == 0:
        return [0.0 for _ in points]
    return [float(v) for v in np.percentile(np.asarray(values, dtype=float), points)]


def queue_ages(spans, first: date, last: date, now: datetime) -> list[dict]:
    """Per Beijing day: p50/p95 in minutes of how long the waiting comments had waited,
    read each hour of the day (hours after `now` are not read)."""
    collected = np.array([c.timestamp() for c, _ in spans], dtype=float)
    decided = np.array([d.timestamp() if d else np.inf for _, d in spans], dtype=float)
    series = []
    day = first
    while day <= last:
        ages = []
        for hour in range(SAMPLES_PER_DAY):
            moment = datetime.combine(day, datetime.min.time(), BEIJING) + timedelta(hours=hour)
            if moment > now:
                break
            at = moment.timestamp()
            waiting = (collected <= at) & (decided > at)
            ages.append((at - collected[waiting]) / 60.0)
        values = np.concatenate(ages) if ages else np.array([])
        p50, p95 = percentiles(values)
        series.append(
            {"day": day.isoformat(), "p50_minutes": round(p50, 1), "p95_minutes": round(p95, 1)}
        )
        day += timedelta(days=1)
    return series


def decision_delay(delays: list[tuple[str, float]]) -> list[dict]:
    """Per Beijing day: how many first decisions, and p50/p95 minutes from collection."""
    by_day: dict[str, list[float]] = {}
    for day, seconds in delays:
        by_day.setdefault(day, []).append(seconds / 60.0)
    series = []
    for day in sorted(by_day):
        p50, p95 = percentiles(by_day[day])
        series.append(
            {
                "day": day,
                "count": len(by_day[day]),
                "p50_minutes": round(p50, 1),
                "p95_minutes": round(p95, 1),
            }
        )
    return series


def desk_metrics(db, first: date, last: date, period: str = "day", now: datetime | None = None):
    """The desk's figures for Beijing days first..last."""
    now = now or datetime.now(BEIJING)
    since, until = day_bounds(first, last)
    return DeskMetrics(
        first=first,
        last=last,
        queue_age=queue_ages(store.pending_spans(db, since, until), first, last, now),
        decision_delay=decision_delay(store.decision_delays(db, since, until)),
        by_moderator=store.decisions_by_moderator(db, since, until, period),
        automatic=store.automatic_share(db, since, until, "week" if period == "day" else period),
        corrections=store.corrections(db, since, until, "week" if period == "day" else period),
        backlog=store.backlog_by_channel(db),
    )
