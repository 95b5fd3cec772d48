"""Timestamps are ISO-8601 UTC text everywhere in storage."""

from datetime import UTC, datetime


def now_iso() -> str:
    """The current time as ISO-8601 UTC with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")
