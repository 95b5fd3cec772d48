"""Exponential backoff for a failing channel: base, doubled per failure, capped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from moderation.timeutil import iso, parse_iso


def delay_seconds(failures: int, base: float, cap: float) -> float:
    """Seconds to wait after the `failures`-th failure in a row."""
    if failures < 1:
        return 0.0
    return min(base * 2 ** min(failures - 1, 62), cap)


def backoff_until(failures: int, base: float, cap: float, now: datetime | None = None) -> str:
    """When the backoff after `failures` failures in a row ends, as ISO-8601 UTC text."""
    now = now or datetime.now(UTC)
    return iso(now + timedelta(seconds=delay_seconds(failures, base, cap)), "milliseconds")


def backing_off(state: dict, now: datetime | None = None) -> bool:
    """Whether a channel's state row says it is still backing off."""
    until = parse_iso(state.get("backoff_until"))
    return until is not None and until > (now or datetime.now(UTC))
