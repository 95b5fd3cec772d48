"""Small normalisers the channel collectors share: time zones, text, pseudonyms."""

from __future__ import annotations

import hashlib
import hmac
import html
from datetime import UTC, date, datetime

from moderation.timeutil import BEIJING


def story_time(value: str | date) -> str:
    """A publication date or time as ISO-8601 with +08:00, so its date part is the local one.

    Stories are linked across channels by title + this date, so a website story stamped
    16:30Z and a WeChat article of the next local morning get the same date.
    """
    if isinstance(value, date) and not isinstance(value, datetime):
        return f"{value.isoformat()}T00:00:00+08:00"
    moment = value if isinstance(value, datetime) else parse_time(value)
    return moment.astimezone(BEIJING).isoformat(timespec="seconds")


def parse_time(text: str) -> datetime:
    """ISO-8601 (a bare date, a space separator or a trailing Z allowed); naive = Beijing."""
    text = text.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)


def utc_iso(moment: datetime) -> str:
    """A moment as ISO-8601 UTC, the storage convention for comment times."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def unix_to_utc(value: int | float | str) -> str:
    """A Unix timestamp given as a number or a string -> ISO-8601 UTC; ValueError if not one."""
    if isinstance(value, bool):
        raise ValueError(f"not a timestamp: {value!r}")
    seconds = float(value.strip()) if isinstance(value, str) else float(value)
    if not 0 < seconds < 4_102_444_800:  # before 2100
        raise ValueError(f"timestamp out of range: {value!r}")
    return utc_iso(datetime.fromtimestamp(seconds, UTC))


def plain_text(text: str) -> str:
    """Channel text with HTML entities decoded once (`&amp;lt;` stays `&lt;`), trimmed.

    Storage keeps plain text; the dashboard escapes on output.
    """
    return html.unescape(text).strip()


def pseudonym(prefix: str, key: str, value: str) -> str:
    """A stable pseudonymous author key: prefix + 16 hex chars of HMAC-SHA256(key, value)."""
    digest = hmac.new(key.encode("utf-8"), value.encode("utf-8"), hashlib.sha256)
    return f"{prefix}:{digest.hexdigest()[:16]}"
