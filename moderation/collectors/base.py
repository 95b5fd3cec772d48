"""What every collector takes and gives.

A collector gets its settings and its saved cursor, talks to its channel, and yields
:class:`Page` objects: the stories and comments of one page plus the cursor to save once
that page is stored. It never touches the database; the pipeline stores each page and its
cursor in one transaction, so a run killed between pages resumes with nothing lost and
nothing stored twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class CollectedStory:
    """A story as a channel describes it."""

    native_id: str
    title: str
    url: str | None = None
    published_at: str | None = None  # ISO-8601 with offset
    reporter: str | None = None
    intro: str | None = None
    origin: str | None = None  # the platform label, e.g. 掌上株洲
    page_views: int | None = None  # a running total, when the channel gives one
    daily_reads: tuple[tuple[str, int, int | None], ...] = ()  # (YYYY-MM-DD, reads, shares)


@dataclass(frozen=True)
class CollectedComment:
    """A reader comment, normalised: the same shape whatever the channel."""

    native_id: str
    story_native_id: str
    text: str
    created_at: str  # ISO-8601 UTC
    author_key: str  # stable per author; pseudonymous where the channel gives no name
    author_name: str | None = None
    likes: int = 0
    reply_to: str | None = None
    origin: str | None = None
    featured: bool = False
    raw: Mapping[str, Any] | None = None
    truncated: bool = False  # the text was cut to the length cap (see collectors.limits)
    ip: str | None = None  # the commenter's address, if the channel sends it: mapped to its
    # region (IP 属地) when stored, kept only with [privacy] keep_ip; never in `raw`
    reports: int | None = None  # readers' reports the channel counted on it (jsonfeed)


@dataclass
class Page:
    """One unit of progress: stored atomically together with `cursor`."""

    stories: list[CollectedStory] = field(default_factory=list)
    comments: list[CollectedComment] = field(default_factory=list)
    cursor: dict[str, Any] | None = None
    skipped: list[str] = field(default_factory=list)  # reasons for items passed over
    unreadable: list[str] = field(default_factory=list)  # whole sources that could not be read


class Collector(Protocol):
    """A channel's collector: constructed with its options, iterated from a cursor."""

    def pages(self, cursor: dict[str, Any] | None) -> Iterator[Page]:
        """Yield pages from where `cursor` left off."""
        ...


class CollectorError(Exception):
    """A channel failed in a way the run records; `retry_later` means back off."""

    retry_later = False


class ChannelUnavailable(CollectorError):
    """The channel is down, too slow, or kept answering 5xx after retries."""

    retry_later = True


class RowUnavailable(ChannelUnavailable):
    """One call's answer says "try again later" (WeChat's -1, an unknown code): that call
    alone waits; the channel itself answered and the rest of its work goes on."""


class RateLimited(CollectorError):
    """The channel's quota or rate limit is spent: stop now, try on a later run."""

    retry_later = True


class BadPayload(CollectorError):
    """The channel answered something that is not its documented shape."""


class AuthFailed(CollectorError):
    """Credentials were refused; an operator must fix the channel's settings."""
