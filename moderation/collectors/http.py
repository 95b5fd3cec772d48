"""The HTTP layer every channel collector shares.

One `requests.Session` per collector; every call bounded by a connect and a read timeout
and an overall deadline; bounded exponential backoff on 5xx, 429, connection errors and
timeouts (a Retry-After longer than the wait left ends them at once); a cap on the body
size; JSON decoding that turns invalid JSON or a wrong shape into :class:`BadPayload` with
a short excerpt. Channel-specific error codes (WeChat's errcode, Weibo's error_code) stay
with each collector.

Only a GET follows redirects: a call that sends a body (a robot's POST, a push action)
returns the 3xx as its answer, so a 307 never re-sends the body to wherever it points;
a redirect loop ends the call at once. A URL whose host is an IP address in an odd form
(http://0x7f000001, http://2130706433, http://127.1) is refused before any connection:
such forms slip past a reader of the config and past checks that look for 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3

from moderation.collectors.base import AuthFailed, BadPayload, ChannelUnavailable, RateLimited
from moderation.declare import setting
from moderation.digits import whole_number

USER_AGENT = "zzrb-moderation/0.1 (+comment moderation collector)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_REDIRECTS = 5  # for a GET; any other method follows none
_NUMERIC_HOST = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+))*\.?", re.I)


def check_url(url: str) -> None:
    """ValueError unless `url` is http(s) with a host, and an IPv4 host is written as four
    decimal numbers (0x7f000001, 2130706433, 0177.0.0.1 and 127.1 all reach 127.0.0.1)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"must be an http:// or https:// URL with a host (got {url[:80]!r})")
    parts.port  # noqa: B018 - raises ValueError for a port that is not one
    host = parts.hostname
    if _NUMERIC_HOST.fullmatch(host):
        try:
            ipaddress.IPv4Address(host)  # four decimal numbers, no leading zeros
        except ValueError:
            raise ValueError(
                f"host {host!r} is an IP address in an unusual form (hex, octal or shortened): "
                "write it as four decimal numbers"
            ) from None


@dataclass(frozen=True, kw_only=True)
class HttpOptions:
    """Connection keys every HTTP channel accepts (inherited by each channel's Options)."""

    connect_timeout: float = setting(5.0, "Seconds to open the connection.", min=0.01, max=600)
    read_timeout: float = setting(
        20.0, "Seconds between two bytes of the answer.", min=0.01, max=600
    )
    call_timeout: float = setting(
        60.0, "Seconds for one whole call, body included.", min=0.01, max=3600
    )
    max_attempts: int = setting(
        4, "Tries per call on 5xx / 429 / timeouts / connection errors.", min=1, max=100
    )
    backoff_seconds: float = setting(
        1.0, "First wait between tries, in seconds; doubles each time.", min=0, max=600
    )
    max_wait_seconds: float = setting(
        30.0, "Total seconds of waiting across the retries of one call.", min=0, max=3600
    )
    max_body_mb: float = setting(
        20.0, "A larger answer, in MB, is refused as BadPayload.", min=0.001, max=1024
    )


@dataclass
class Attempt:
    """One try of one call as it went: when, how long, and the HTTP status or the trouble.

    A channel client may add what the body said (WeChat's errcode); the push side keeps
    every attempt in the action's history.
    """

    at: str  # ISO-8601 UTC, when the try started
    method: str
    path: str  # the URL path only (the query may hold an access token)
    seconds: float
    status: int | None = None  # None: no answer (timed out, connection failed)
    problem: str = ""
    errcode: int | None = None

    def describe(self) -> str:
        """One short line: "HTTP 200 · errcode 42001", "timed out"."""
        parts = [f"HTTP {self.status}" if self.status is not None else self.problem]
        if self.errcode is not None:
            parts.append(f"errcode {self.errcode}")
        return " · ".join(part for part in parts if part)


@dataclass(frozen=True)
class Reply:
    """An HTTP answer, read in full (within the size cap)."""

    status: int
    body: bytes
    url: str
    retry_after: float | None = None  # seconds, from a Retry-After header

    def excerpt(self, size: int = 120) -> str:
        """The start of the body as text, for error messages."""
        return excerpt(self.body, size)


def excerpt(body: bytes | str, size: int = 120) -> str:
    """A short, single-line start of a body for error messages."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = " ".join(text.split())
    return text[:size] + ("…" if len(text) > size else "")


def secret_from_env(name: str, what: str) -> str:
    """The secret held in environment variable `name`, or AuthFailed saying what to set."""
    value = os.environ.get(name, "").strip() if name else ""
    if not value:
        raise AuthFailed(f"set the environment variable {name or '(none configured)'} to {what}")
    return value


class HttpClient:
    """A Session with timeouts, bounded retries and a body cap; `label` prefixes errors.

    `rate_limited(reply)` lets a channel recognise its own quota answer inside a retryable
    status (Weibo sends 503 with error_code 10023): it returns the reason, and the call
    stops at once with RateLimited instead of retrying a spent quota.
    """

    def __init__(
        self,
        options: HttpOptions,
        label: str,
        sleep: Callable[[float], None] = time.sleep,
        rate_limited: Callable[[Reply], str | None] | None = None,
        record: bool = False,
    ):
        self.options = options
        self.record = record  # keep every try in `attempts` (taken by the caller)
        self.attempts: list[Attempt] = []
        self.label = label
        self.sleep = sleep
        self.rate_limited = rate_limited
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.max_redirects = MAX_REDIRECTS
        for prefix in ("http://", "https://"):
            self.session.mount(prefix, _WatchedAdapter())

    def close(self) -> None:
        """Release the connection pool."""
        self.session.close()

    def take_attempts(self) -> list[Attempt]:
        """The tries recorded since the last take (only when built with `record`)."""
        taken, self.attempts = self.attempts, []
        return taken

    def send(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """One call with retries; any status below 500 (and not 429) is returned to the caller.

        `data` sends exact bytes (a body a signature was computed over) with `headers`.
        Retries exhausted -> ChannelUnavailable (or RateLimited after repeated 429s).
        """
        try:
            check_url(url)
        except ValueError as error:
            raise ChannelUnavailable(f"{self.label}: {method}: refused URL: {error}") from None
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            tried = self._attempt(method, url)
            try:
                reply = self._once(method, url, params, json_body, data, headers)
                self._ended(tried, reply.status)
                problem = f"HTTP {reply.status}: {reply.excerpt(80)}"
                if reply.status not in RETRY_STATUSES:
                    return reply
                quota = self.rate_limited(reply) if self.rate_limited else None
                if quota:
                    raise RateLimited(
                        f"{self.label}: {method} {_path(url)}: HTTP {reply.status}, rate limited "
                        f"({quota}); backing off until the next run"
                    )
            except requests.TooManyRedirects:
                raise ChannelUnavailable(
                    f"{self.label}: {method} {_path(url)}: more than {MAX_REDIRECTS} redirects "
                    "(a loop?)"
                ) from None
            except requests.Timeout:
                problem = "timed out"
                reply = None
                self._ended(tried, None, problem)
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as error:
                # A connection reset mid-body surfaces from the body read, not the request.
                problem = f"connection failed ({type(error).__name__})"
                reply = None
                self._ended(tried, None, problem)
            except BadPayload:
                self._ended(tried, None, "answer too large")
                raise
            pause = self.options.backoff_seconds * 2 ** (attempt - 1)
            if reply is not None and reply.retry_after is not None:
                # A quota spent for an hour is not worth asking again within max_wait.
                pause = max(pause, reply.retry_after)
            out_of_time = waited + pause > self.options.max_wait_seconds
            if attempt >= self.options.max_attempts or out_of_time:
                self._give_up(method, url, attempt, problem, reply)
            self.sleep(pause)
            waited += pause

    def _attempt(self, method: str, url: str) -> Attempt | None:
        """Start recording one try (None when not recording)."""
        if not self.record:
            return None
        stamp = datetime.now(UTC).isoformat(timespec="milliseconds")
        path = urlsplit(url).path or "/"
        return Attempt(at=stamp, method=method, path=path, seconds=time.monotonic())

    def _ended(self, tried: Attempt | None, status: int | None, problem: str = "") -> None:
        if tried is None:
            return
        tried.seconds = round(time.monotonic() - tried.seconds, 3)
        tried.status, tried.problem = status, problem
        self.attempts.append(tried)

    def _give_up(self, method, url, attempts, problem, reply) -> None:
        where = f"{self.label}: {method} {_path(url)}"
        message = f"{where} failed after {attempts} attempt(s): {problem}"
        if reply is not None and reply.status == 429:
            raise RateLimited(message)
        raise ChannelUnavailable(message)

    def _once(self, method, url, params, json_body, data=None, extra_headers=None) -> Reply:
        options = self.options
        started = time.monotonic()
        headers = dict(extra_headers or {})
        if json_body is not None:
            # WeChat wants raw UTF-8, not \u escapes, in titles and content it echoes back.
            data = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json; charset=utf-8"
        # read_timeout bounds each socket read only: a server sending a byte now and then
        # would hold the call for ever, so the call's deadline cuts its connection.
        watch = _CallWatch(options.call_timeout)
        try:
            with self.session.request(
                method,
                url,
                params=params,
                data=data,
                headers=headers,
                timeout=(options.connect_timeout, options.read_timeout),
                stream=True,
                allow_redirects=method == "GET",  # a body is never sent on to a 307's target
            ) as response:
                body = self._read(response, started)
                return Reply(
                    status=response.status_code,
                    body=body,
                    url=response.url,
                    retry_after=_seconds(response.headers.get("Retry-After")),
                )
        except requests.RequestException:
            if watch.cut:
                raise requests.Timeout("call took longer than call_timeout") from None
            raise
        finally:
            watch.stop()

    def _read(self, response, started: float) -> bytes:
        limit = int(self.options.max_body_mb * 1024 * 1024)
        declared = whole_number(response.headers.get("Content-Length", ""))
        if declared is not None and declared > limit:
            raise BadPayload(self._too_big(response.url))
        chunks = []
        size = 0
        for chunk in _pieces(response):
            size += len(chunk)
            if size > limit:
                raise BadPayload(self._too_big(response.url))
            if time.monotonic() - started > self.options.call_timeout:
                raise requests.Timeout("call took longer than call_timeout")
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_big(self, url: str) -> str:
        return f"{self.label}: {_path(url)} answered more than {self.options.max_body_mb:g} MB"

    def json(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        expect: type = dict,
    ) -> Any:
        """A call whose answer must be JSON of type `expect` with a 2xx status."""
        return self.checked(self.send(method, url, params=params, json_body=json_body), expect)

    def checked(self, reply: Reply, expect: type = dict) -> Any:
        """A reply that must be JSON of type `expect` with a 2xx status: AuthFailed for
        401/403, ChannelUnavailable for another error status."""
        if reply.status >= 400:
            problem = (
                f"{self.label}: HTTP {reply.status} from {_path(reply.url)}: {reply.excerpt()}"
            )
            raise (AuthFailed if reply.status in (401, 403) else ChannelUnavailable)(problem)
        return self.decode(reply, expect)

    def decode(self, reply: Reply, expect: type = dict) -> Any:
        """The reply's body as JSON of type `expect`, or BadPayload with an excerpt.

        Lenient where the platforms are known to be sloppy with what readers typed: WeChat
        sends a raw line break or other control character inside a string (a comment, a
        nickname) and now and then a byte that is not UTF-8. Strict JSON refuses the whole
        page, and since that comment is listed again on every run the channel would stall
        for as long as it is tracked; the comment is kept instead (a bad byte as U+FFFD).
        """
        try:
            payload = json.loads(_body_text(reply.body), strict=False)
        except ValueError as error:
            raise BadPayload(
                f"{self.label}: {_path(reply.url)} answered invalid JSON ({_reason(error)}): "
                f"{reply.excerpt()!r}"
            ) from None
        if not isinstance(payload, expect):
            raise BadPayload(
                f"{self.label}: {_path(reply.url)} answered a JSON {type(payload).__name__}, "
                f"expected {expect.__name__}: {reply.excerpt()!r}"
            )
        return payload


def _body_text(body: bytes) -> str:
    """A JSON body as text: UTF-8 (a leading BOM dropped), a byte that is not as U+FFFD."""
    return body.decode("utf-8-sig", errors="replace")


_WATCHES = threading.local()  # the current thread's call watch, seen by its connection


class _CallWatch:
    """A timer that shuts down the connection of a call still running at its deadline."""

    def __init__(self, seconds: float):
        self.connection = None
        self.expired = False  # the deadline passed (perhaps before a connection was known)
        self.cut = False
        self.timer = threading.Timer(seconds, self.interrupt)
        self.timer.daemon = True
        _WATCHES.current = self
        self.timer.start()

    def interrupt(self) -> None:
        """The call's time is up: mark it, and shut the socket a read is blocked on."""
        self.expired = True
        sock = getattr(self.connection, "sock", None)
        if sock is not None:
            self.cut = True
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked read
            except OSError:
                pass

    def stop(self) -> None:
        """The call is over: disarm."""
        self.timer.cancel()
        _WATCHES.current = None


class _Watched:
    """Connection mixin: tell the current call's watch which connection it waits on."""

    def getresponse(self, *args, **kwargs):
        """Register, then read the status line and headers as usual."""
        watch = getattr(_WATCHES, "current", None)
        if watch is not None:
            watch.connection = self
            if watch.expired:  # connecting and sending already used up the call's time
                watch.interrupt()
        return super().getresponse(*args, **kwargs)


class _WatchedHTTPConnection(_Watched, urllib3.connection.HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, urllib3.connection.HTTPSConnection):
    pass


class _WatchedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _WatchedAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter with connections a call watch can cut."""

    def init_poolmanager(self, *args, **kwargs):
        """The usual pool manager, making watched connections."""
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedHTTPPool,
            "https": _WatchedHTTPSPool,
        }


def _pieces(response) -> Iterator[bytes]:
    """The body in pieces as they arrive, one socket read each.

    `iter_content` blocks until a whole chunk is in, so a server sending a byte now and
    then (each within read_timeout) would never let the call_timeout check run.
    """
    try:
        while piece := response.raw.read1(64 * 1024, decode_content=True):
            yield piece
    except urllib3.exceptions.ReadTimeoutError as error:
        raise requests.Timeout(error) from None
    except urllib3.exceptions.ProtocolError as error:
        raise requests.exceptions.ChunkedEncodingError(error) from None
    except urllib3.exceptions.DecodeError as error:
        raise requests.exceptions.ContentDecodingError(error) from None


def _seconds(value: str | None) -> float | None:
    """A Retry-After in seconds; None if absent or an HTTP date (the backoff applies)."""
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def field(item: Mapping, key: str, kind: type | tuple[type, ...], where: str, default=...) -> Any:
    """item[key] checked against `kind`; BadPayload naming the field if missing or mistyped.

    `default` (when given) is returned for a missing or null field.
    """
    value = item.get(key)
    if value is None and default is not ...:
        return default
    if value is None:
        raise BadPayload(f"{where}: field {key!r} is missing")
    if isinstance(value, bool) and bool not in _tuple(kind) or not isinstance(value, kind):
        raise BadPayload(f"{where}: field {key!r} should be {_names(kind)}, got {_describe(value)}")
    return value


def integer(item: Mapping, key: str, where: str, default=...) -> int:
    """item[key] as an int, also when a gateway sent the digits as a string ("0", "-1",
    "180"): the documented type is a number, but a string of digits means the same and
    is not worth stopping a run over. Anything else is a BadPayload naming the field."""
    number = whole_number(item.get(key), signed=True)
    return number if number is not None else field(item, key, int, where, default)


def _tuple(kind) -> tuple:
    return kind if isinstance(kind, tuple) else (kind,)


def _names(kind) -> str:
    return " or ".join(k.__name__ for k in _tuple(kind))


def _describe(value: Any) -> str:
    return f"{type(value).__name__} {excerpt(json.dumps(value, ensure_ascii=False), 40)}"


def _reason(error: Exception) -> str:
    return str(error).split(":")[0]


def _path(url: str) -> str:
    """The URL without its query (which may hold an access token)."""
    return url.split("?", 1)[0]
