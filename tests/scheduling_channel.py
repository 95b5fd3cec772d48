"""A test-only channel type `testhttp` and the local channel server it reads from.

The server runs `http.server` in a thread and serves each feed's comments in pages, so a
test can make a feed slow, make it fail, hold it at an offset until the test lets it go,
add comments, and count (and time) requests.
The channel type is registered only by tests (`register()`), never by the package.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from moderation.collectors.base import (
    ChannelUnavailable,
    CollectedComment,
    CollectedStory,
    Page,
)

TYPE = "testhttp"
HOLD_GUARD = 120  # seconds a held request waits at most: a hang guard, not a timing


def register(registry: dict | None = None) -> None:
    """Make `testhttp` a known channel type (in this process only)."""
    if registry is None:
        from moderation.collectors import REGISTRY as registry
    registry[TYPE] = __name__


@dataclass(frozen=True)
class Options:
    """testhttp channel keys."""

    url: str = ""
    page_size: int = 5
    timeout: float = 30.0


class Collector:
    """Pages through a feed of the local server; the cursor is the next offset."""

    def __init__(self, channel, options: Options, settings=None):
        self.channel = channel
        self.options = options

    def pages(self, cursor: dict | None) -> Iterator[Page]:
        """Yield pages from the saved offset until the feed has no more."""
        offset = int((cursor or {}).get("offset", 0))
        while True:
            payload = self.fetch(offset)
            comments = [self.comment(item) for item in payload["comments"]]
            offset += len(comments)
            yield Page(
                stories=[CollectedStory(native_id="s1", title="测试稿件")],
                comments=comments,
                cursor={"offset": offset},
            )
            if not payload["more"]:
                return

    def fetch(self, offset: int) -> dict:
        """One page of the feed; a 5xx or a dead server becomes ChannelUnavailable."""
        url = f"{self.options.url}?offset={offset}&limit={self.options.page_size}"
        try:
            with urllib.request.urlopen(url, timeout=self.options.timeout) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            raise ChannelUnavailable(f"HTTP {error.code} from {url}") from None
        except OSError as error:
            raise ChannelUnavailable(f"{url}: {error}") from None

    def comment(self, item: dict) -> CollectedComment:
        """One feed comment, normalised."""
        return CollectedComment(
            native_id=item["id"],
            story_native_id="s1",
            text=item["text"],
            created_at="2024-01-25T02:00:00+00:00",
            author_key=f"{TYPE}:{item['author']}",
            author_name=item["author"],
        )


@dataclass
class Feed:
    """One feed of the server: its comments, how it behaves, what it saw."""

    comments: list[dict] = field(default_factory=list)
    delay: float = 0.0  # seconds before answering each request
    fail: bool = False  # answer 500
    hold_from: int | None = None  # a request at this offset or past it waits for `gate`
    gate: threading.Event = field(default_factory=threading.Event)
    arrived: list[int] = field(default_factory=list)  # offsets, as the requests come in
    requests: list[tuple[float, float, int]] = field(default_factory=list)  # (start, end, offset)
    active: int = 0
    max_active: int = 0

    def add(self, count: int, prefix: str = "c") -> None:
        """Add `count` new comments."""
        start = len(self.comments)
        self.comments.extend(
            {"id": f"{prefix}{n}", "text": f"第{n}条评论，说得很好", "author": f"读者{n % 7}"}
            for n in range(start, start + count)
        )


class ChannelServer:
    """A local HTTP server with named feeds at /feed/<name>."""

    def __init__(self):
        self.feeds: dict[str, Feed] = {}
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def feed(self, name: str, comments: int = 0, **behaviour) -> Feed:
        """Create (or replace) a feed with `comments` comments."""
        feed = Feed(**behaviour)
        feed.add(comments, prefix=f"{name}-")
        self.feeds[name] = feed
        return feed

    def url(self, name: str) -> str:
        """The feed's address."""
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/feed/{name}"

    def start(self) -> ChannelServer:
        """Serve in a background thread."""
        self.thread.start()
        return self

    def close(self) -> None:
        """Stop serving (held requests are let go first)."""
        for feed in self.feeds.values():
            feed.gate.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                server.answer(self)

            def log_message(self, *args):
                pass

        return Handler

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        """Serve one page of a feed, honouring its delay and failure switch."""
        parts = urlsplit(handler.path)
        feed = self.feeds.get(parts.path.removeprefix("/feed/"))
        if feed is None:
            handler.send_error(404)
            return
        query = parse_qs(parts.query)
        offset, limit = int(query["offset"][0]), int(query["limit"][0])
        started = time.monotonic()
        with self.lock:
            feed.arrived.append(offset)
            feed.active += 1
            feed.max_active = max(feed.max_active, feed.active)
        try:
            if feed.hold_from is not None and offset >= feed.hold_from:
                feed.gate.wait(HOLD_GUARD)
            time.sleep(feed.delay)
            if feed.fail:
                handler.send_error(500)
                return
            page = feed.comments[offset : offset + limit]
            body = {"comments": page, "more": offset + len(page) < len(feed.comments)}
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json; charset=utf-8")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        finally:
            with self.lock:
                feed.active -= 1
                feed.requests.append((started, time.monotonic(), offset))
