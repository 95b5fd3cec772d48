"""Parse a channel's `schedule` value: an interval ("90s", "5m", "2h") or five cron fields."""

from __future__ import annotations

import re
from dataclasses import dataclass

from moderation.declare import register_check

INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Schedule:
    """Either `seconds` (an interval) or `cron` (minute hour day month day_of_week)."""

    seconds: float | None = None
    cron: tuple[str, str, str, str, str] | None = None


def parse_schedule(text: str) -> Schedule:
    """Turn "5m" or "*/10 6-23 * * *" into a Schedule; ValueError says what is accepted."""
    match = INTERVAL.match(text)
    if match:
        seconds = float(match.group(1)) * UNIT_SECONDS[match.group(2)]
        if seconds <= 0:
            raise ValueError("interval must be positive")
        return Schedule(seconds=seconds)
    fields = text.split()
    if len(fields) == 5:
        return Schedule(cron=tuple(fields))  # type: ignore[arg-type]
    raise ValueError(
        f"{text!r} is neither an interval like '5m', '90s', '2h' nor five cron fields "
        "like '*/10 6-23 * * *'"
    )


register_check("schedule", parse_schedule)  # a channel's `schedule` key is checked with it
