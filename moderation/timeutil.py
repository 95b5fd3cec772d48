"""Timestamps are ISO-8601 UTC text everywhere in storage."""

from datetime import UTC, date, datetime, timedelta, timezone


def now_iso() -> str:
    """The current time as ISO-8601 UTC with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def iso(moment: datetime, timespec: str = "seconds") -> str:
    """A datetime as ISO-8601 UTC text (`timespec="milliseconds"` for leases and backoff)."""
    return moment.astimezone(UTC).isoformat(timespec=timespec)


def parse_iso(text: str | None) -> datetime | None:
    """ISO-8601 text back to an aware datetime (None stays None)."""
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# The newsroom's clock, the one time zone of the service: shown times, calendar dates,
# cron schedules, naive channel times. China has no daylight saving, so a fixed offset is
# exact (and needs no tzdata).
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


def local_today() -> date:
    """Today's date in Beijing time, the newsroom's and the channels' calendar. Not
    `date.today()`: that is the server's zone (UTC on many machines), a day behind the
    newsroom from 00:00 to 08:00 Beijing time."""
    return datetime.now(BEIJING).date()


# The one format the dashboard shows times in (Beijing time, to the minute).
TIME_FORMAT = "%Y-%m-%d %H:%M"


def local_time(text: str | None, fmt: str = TIME_FORMAT) -> str:
    """Stored ISO-8601 UTC text shown in Beijing time ("" for no time)."""
    moment = parse_iso(text)
    return moment.astimezone(BEIJING).strftime(fmt) if moment else ""


def day_bounds(first, last) -> tuple[str, str]:
    """Stored-time (UTC ISO) bounds of the Beijing days first..last inclusive (dates)."""
    start = datetime.combine(first, datetime.min.time(), BEIJING)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), BEIJING)
    return iso(start), iso(end)


def dated(text: str | None, now: datetime | None = None) -> str:
    """Stored time in Beijing time for messages and reports: `01-25 18:53` within the current
    year, `2024-01-25 18:53` otherwise (a date never leaves the desk without its year when
    the year is not obvious)."""
    moment = parse_iso(text)
    if moment is None:
        return ""
    local = moment.astimezone(BEIJING)
    this_year = (now or datetime.now(UTC)).astimezone(BEIJING).year
    return local.strftime("%m-%d %H:%M" if local.year == this_year else TIME_FORMAT)
