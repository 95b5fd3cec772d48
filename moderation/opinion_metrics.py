"""How each second-opinion provider did: calls, failures, p95 latency, cost units, and how
often it agreed with the moderators' final decisions, beside the built-in models.

Agreement counts comments whose last decision is a person's approve or reject: an answer
agrees when it said pass and the comment was approved, or review / block and it was
rejected. The built-in models are read the same way at the configured thresholds: the
offensive model says "not fine" at or above ``offensive_review_above``, the sentiment model
below ``negative_below``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from moderation.desk_metrics import percentiles
from moderation.states import APPROVED
from moderation.storage import second_opinions as store
from moderation.timeutil import BEIJING, iso

OFFENSIVE, SENTIMENT = "冒犯模型（内置）", "情感模型（内置）"


@dataclass(frozen=True)
class Thresholds:
    """Where the built-in models say a comment is not fine."""

    offensive_review_above: float = 0.4
    negative_below: float = 0.5


def agrees(says_fine: bool, status: str) -> bool:
    """An opinion agrees with a person's decision: fine and approved, or not and rejected."""
    return says_fine == (status == APPROVED)


def _share(agreed: int, decided: int) -> float | None:
    return round(agreed / decided, 3) if decided else None


def builtin_verdicts(row: dict, thresholds: Thresholds) -> dict[str, bool]:
    """{built-in model: says fine} for one decided comment (a model without a score: none)."""
    verdicts = {}
    if row.get("offensive") is not None:
        verdicts[OFFENSIVE] = row["offensive"] < thresholds.offensive_review_above
    if row.get("sentiment") is not None:
        verdicts[SENTIMENT] = row["sentiment"] >= thresholds.negative_below
    return verdicts


def agreement_rows(decided: list[dict], providers: dict, thresholds: Thresholds) -> list[dict]:
    """Per provider: decided comments it answered, its agreement, and the offensive model's
    agreement on the same comments; then each built-in model over every decided comment."""
    rows = []
    for name, shown in providers.items():
        mine = [row for row in decided if name in row["opinions"]]
        agreed = sum(agrees(row["opinions"][name] == "pass", row["status"]) for row in mine)
        model = [(row, builtin_verdicts(row, thresholds).get(OFFENSIVE)) for row in mine]
        model = [(row, fine) for row, fine in model if fine is not None]
        model_agreed = sum(agrees(fine, row["status"]) for row, fine in model)
        rows.append(
            {
                "provider": name,
                "shown": shown,
                "decided": len(mine),
                "agreement": _share(agreed, len(mine)),
                "builtin_same_comments": _share(model_agreed, len(model)),
            }
        )
    for model in (OFFENSIVE, SENTIMENT):
        judged = [(row, builtin_verdicts(row, thresholds).get(model)) for row in decided]
        judged = [(row, fine) for row, fine in judged if fine is not None]
        agreed = sum(agrees(fine, row["status"]) for row, fine in judged)
        rows.append(
            {
                "provider": "",
                "shown": model,
                "decided": len(judged),
                "agreement": _share(agreed, len(judged)),
                "builtin_same_comments": None,
            }
        )
    return rows


def opinion_table(db, providers: dict, thresholds: Thresholds, first: date, last: date):
    """The /metrics table for Beijing days first..last: one row per configured provider
    (and per provider seen in the calls), then the built-in models."""
    since = iso(datetime.combine(first, time.min, BEIJING))
    until = iso(datetime.combine(last + timedelta(days=1), time.min, BEIJING))
    figures = store.call_figures(db, since, until)
    shown = {**{name: name for name in figures}, **providers}
    decided = store.decided_by_people(db, since, until)
    table = []
    none = {"calls": 0, "failures": 0, "unsent": 0, "latencies": [], "cost_units": 0.0}
    for row in agreement_rows(decided, shown, thresholds):
        calls = figures.get(row["provider"], none) if row["provider"] else None
        latencies = calls["latencies"] if calls else []
        table.append(
            {
                **row,
                "calls": calls["calls"] if calls else None,
                "failures": calls["failures"] if calls else None,
                "unsent": calls["unsent"] if calls else None,
                "p95_ms": round(percentiles(latencies, (95,))[0]) if latencies else None,
                "cost_units": round(calls["cost_units"], 2) if calls else None,
            }
        )
    return table


def prometheus_lines(db) -> str:
    """Per-provider counters for /metrics.txt (calls, failures, over budget, cost units)."""
    figures = store.call_figures(db)
    lines = []
    for metric, key, help_text in (
        ("calls_total", "calls", "Calls sent to a second-opinion provider."),
        ("failures_total", "failures", "Calls that failed or timed out."),
        ("unsent_total", "unsent", "Texts not sent: over budget or past the deadline."),
        ("cost_units_total", "cost_units", "Cost units of answered calls."),
    ):
        name = f"moderation_second_opinion_{metric}"
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} counter"]
        for provider, entry in sorted(figures.items()):
            label = provider.replace("\\", "\\\\").replace('"', '\\"')
            lines.append(f'{name}{{provider="{label}"}} {entry[key]:g}')
    return "\n".join(lines) + "\n"
