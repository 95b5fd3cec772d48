"""Fault-injecting channel servers on 127.0.0.1: WeChat, a JSON feed site and Weibo.

Each fake serves its channel's documented shapes from an in-memory dataset (3 stories x 60
comments) and can inject one fault at its Nth comment call (or on every call from the Nth
on, `sticky`). The fault is decided per request by the channel; how bytes go on the wire
(hang, trickle, reset mid-body) is the handler's job.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

STORIES = 3
PER_STORY = 60
PAGE_SIZE = 20
FAULT_AT = 3  # the comment call that fails: two comment pages are stored before it
HANG_SECONDS = 5.0  # far longer than the tests' read_timeout
TRICKLE_PAUSE = 0.2  # seconds between two bytes of a trickled body (< read_timeout)


@dataclass
class Request:
    """What the fake sees of one HTTP request."""

    method: str
    path: str
    args: dict[str, str]
    body: Any
    headers: dict[str, str]


@dataclass
class Answer:
    """What to send back; `action` is "", or a transport fault: hang, trickle, reset..."""

    status: int = 200
    payload: Any = None
    body: bytes | None = None
    action: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def data(self) -> bytes:
        """The body as bytes (JSON-encoded payload unless a raw body is given)."""
        if self.body is not None:
            return self.body
        return json.dumps(self.payload, ensure_ascii=False).encode("utf-8")


def comment_text(story: int, number: int) -> str:
    """The source text of one comment (with a rare character, stored as given)."""
    return f"第{story}篇第{number}条评论：公交线路很方便 𠀀"


class FakeChannel:
    """Routing, fault bookkeeping and the generic transport faults of every fake."""

    def __init__(self):
        self.url = ""
        self.fault: str | None = None
        self.sticky = False
        self.fault_at = FAULT_AT
        self.comment_calls = 0
        self.faults_served = 0
        self.before_fault: set[str] = set()  # native ids served before the first fault
        self.previous: Answer | None = None
        self.mangled: set[str] = set()  # native ids served with a mistyped id
        self.hold_at: int | None = None  # this comment call and later ones wait for `gate`
        self.gate = threading.Event()  # set by the test (the SIGKILL test), or at teardown
        self.release = threading.Event()  # set at teardown: hanging handlers return

    def expected(self) -> dict[str, str]:
        """native_id -> text of every comment in the dataset."""
        raise NotImplementedError

    def route(self, request: Request) -> Answer:
        """The answer to one request."""
        raise NotImplementedError

    def comments(self, request: Request) -> Answer:
        """A comment call: the page, or the fault when it is due."""
        self.comment_calls += 1
        if self.hold_at is not None and self.comment_calls >= self.hold_at:
            self.gate.wait(HANG_SECONDS * 24)  # a hang guard: the test opens it long before
        due = self.fault and (
            self.comment_calls == self.fault_at
            or self.sticky
            and self.comment_calls > self.fault_at
            or self.fault == "quota"
            and self.faults_served
        )
        if due:
            self.faults_served += 1
            return self.faulty(request)
        answer, ids = self.page(request)
        if not self.faults_served:
            self.before_fault |= ids
        self.previous = answer
        return answer

    def page(self, request: Request) -> tuple[Answer, set[str]]:
        """The correct answer to a comment call and the native ids it holds."""
        raise NotImplementedError

    def faulty(self, request: Request) -> Answer:
        """The answer carrying the configured fault."""
        good, ids = self.page(request)
        data = good.data()
        if self.fault in ("hang", "trickle", "trickle_headers", "reset", "close"):
            return Answer(good.status, body=data, action=self.fault)
        if self.fault == "http_500":
            return Answer(500, body=b"<html>500 Internal Server Error</html>")
        if self.fault == "http_429":
            return Answer(429, body=b"Too Many Requests", headers={"Retry-After": "0"})
        if self.fault == "truncated_json":
            return Answer(body=data[: len(data) // 2])
        if self.fault == "invalid_json":
            return Answer(body="<html>系统维护中</html>".encode())
        if self.fault == "repeat_page":
            return self.previous or good
        if self.fault == "reorder_pages":
            payload = json.loads(data)
            payload[self.items_key] = payload[self.items_key][::-1]
            return Answer(good.status, payload=payload)
        if self.fault == "type_change":
            return Answer(payload=self.type_changed(json.loads(data)))
        if self.fault == "item_type_change":
            self.mangled |= ids
            payload = json.loads(data)
            payload[self.items_key] = [self.id_as_list(item) for item in payload[self.items_key]]
            return Answer(payload=payload)
        if self.fault == "quota":
            return self.quota()
        if self.fault == "token_expiry":
            return self.token_expired()
        raise AssertionError(f"unknown fault {self.fault}")

    items_key = "comments"
    id_keys: tuple[str, ...] = ("id",)

    def id_as_list(self, item: dict) -> dict:
        """A comment whose id became a list (a schema change on the channel's side)."""
        return {**item, **{key: [item[key]] for key in self.id_keys}}

    def type_changed(self, payload: dict) -> dict:
        """The page with one envelope field of another type."""
        raise NotImplementedError

    def quota(self) -> Answer:
        """The channel's own quota / rate-limit error."""
        raise NotImplementedError

    def token_expired(self) -> Answer:
        """The channel's own expired-token answer."""
        raise NotImplementedError


class FakeWeChat(FakeChannel):
    """stable_token, getarticletotaldetail by day, comment/list by offset (newest first)."""

    appid = "wx5f1e2d3c4b5a6978"

    def __init__(self, today: date):
        super().__init__()
        first = today - timedelta(days=2)
        self.articles = [
            {
                "ref_date": (first + timedelta(days=story // 2)).isoformat(),
                "msgid": f"22474836{50 + story}_1",
                "title": f"株洲新闻第{story}篇",
                "detail_list": [],
            }
            for story in range(STORIES)
        ]
        self.data = {
            article["msgid"]: [
                {
                    "user_comment_id": number,
                    "openid": f"oAbC-{number % 7}",
                    "create_time": 1706100000 + number * 60,
                    "content": comment_text(story, number),
                    "comment_type": 0,
                }
                for number in range(PER_STORY, 0, -1)
            ]
            for story, article in enumerate(self.articles)
        }
        self.tokens = 0
        self.valid: set[str] = set()
        self.start_date = first.isoformat()

    def expected(self) -> dict[str, str]:
        return {
            f"{msgid}:{item['user_comment_id']}": item["content"]
            for msgid, items in self.data.items()
            for item in items
        }

    def route(self, request: Request) -> Answer:
        if request.path == "/cgi-bin/stable_token":
            self.tokens += 1
            token = f"TOKEN_{self.tokens}"
            self.valid.add(token)
            return Answer(payload={"access_token": token, "expires_in": 7200})
        if request.args.get("access_token") not in self.valid:
            return Answer(payload={"errcode": 42001, "errmsg": "access_token expired"})
        if request.path == "/datacube/getarticletotaldetail":
            body = request.body
            days = body["begin_date"], body["end_date"]
            items = [a for a in self.articles if days[0] <= a["ref_date"] <= days[1]]
            return Answer(payload={"list": items})
        if request.path == "/cgi-bin/comment/list":
            return self.comments(request)
        return Answer(404, payload={"errcode": 404, "errmsg": "not found"})

    def page(self, request: Request) -> tuple[Answer, set[str]]:
        body = request.body
        msgid = f"{body['msg_data_id']}_{body['index'] + 1}"  # datacube n counts from 1
        items = self.data[msgid][body["begin"] : body["begin"] + body["count"]]
        payload = {"errcode": 0, "errmsg": "ok", "total": PER_STORY, "comment": items}
        return Answer(payload=payload), {f"{msgid}:{i['user_comment_id']}" for i in items}

    items_key = "comment"
    id_keys = ("user_comment_id",)

    def type_changed(self, payload: dict) -> dict:
        # (a quoted total is read as the number: the list turning into a map is not)
        return {**payload, "comment": {str(c["user_comment_id"]): c for c in payload["comment"]}}

    def quota(self) -> Answer:
        return Answer(payload={"errcode": 45009, "errmsg": "reach max api daily quota limit"})

    def token_expired(self) -> Answer:
        self.valid.clear()  # WeChat expired the token between two pages
        return Answer(payload={"errcode": 42001, "errmsg": "access_token expired"})


class FakeFeedSite(FakeChannel):
    """A JSON Feed in two pages and a comments endpoint paged by a change-order cursor."""

    token = "site-token"

    def __init__(self, today: date):
        super().__init__()
        published = (today - timedelta(days=1)).isoformat()
        self.stories = [
            {
                "id": f"zzxw-{story}",
                "url": f"https://www.zznews.gov.cn/news/{story}.shtml",
                "title": f"株洲新闻第{story}篇",
                "date_published": f"{published}T0{story}:00:00+08:00",
                "authors": [{"name": "李华"}],
            }
            for story in range(STORIES)
        ]
        self.data = {
            story["id"]: [
                {
                    "id": f"c-{index}-{number}",
                    "author": f"读者{number % 5}",
                    "author_id": f"u-{number % 5}",
                    "content": comment_text(index, number),
                    "created": f"{published}T20:00:00+08:00",
                    "likes": number % 3,
                    "reply_to": None,
                }
                for number in range(1, PER_STORY + 1)
            ]
            for index, story in enumerate(self.stories)
        }

    def expected(self) -> dict[str, str]:
        return {item["id"]: item["content"] for items in self.data.values() for item in items}

    def route(self, request: Request) -> Answer:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return Answer(401, payload={"error": "unauthorized"})
        if request.path == "/feed.json":
            return self.feed(self.stories[:2], f"{self.url}/feed-2.json")
        if request.path == "/feed-2.json":
            return self.feed(self.stories[2:], None)
        if request.path == "/api/comments":
            return self.comments(request)
        return Answer(404, payload={"error": "not found"})

    def feed(self, items: list[dict], next_url: str | None) -> Answer:
        """One JSON Feed 1.1 page."""
        payload = {"version": "https://jsonfeed.org/version/1.1", "title": "株洲新闻网"}
        payload["items"] = items
        if next_url:
            payload["next_url"] = next_url
        return Answer(payload=payload)

    def page(self, request: Request) -> tuple[Answer, set[str]]:
        args = request.args
        after = int(args.get("cursor", "seq:0").split(":")[1])
        limit = int(args["limit"])
        items = self.data[args["story_id"]]
        page = items[after : after + limit]
        payload = {
            "story_id": args["story_id"],
            "comments": page,
            "next_cursor": f"seq:{after + len(page)}",
            "has_more": after + len(page) < len(items),
        }
        return Answer(payload=payload), {item["id"] for item in page}

    def type_changed(self, payload: dict) -> dict:
        return {**payload, "next_cursor": int(payload["next_cursor"].split(":")[1])}

    def quota(self) -> Answer:
        body = {"error": "daily quota exceeded"}
        return Answer(429, payload=body, headers={"Retry-After": "3600"})

    def token_expired(self) -> Answer:
        return Answer(401, payload={"error": "token expired"})


class FakeWeibo(FakeChannel):
    """comments/show.json: newest first, since_id exclusive, max_id inclusive, count."""

    token = "weibo-token"
    id_keys = ("id", "idstr")
    first_id = 5_000_000_000_000_000

    def __init__(self):
        super().__init__()
        self.statuses = [str(4_990_000_000_000_001 + story) for story in range(STORIES)]
        self.data = {
            status: [
                {
                    "created_at": "Thu Jan 25 21:03:11 +0800 2024",
                    "id": self.first_id + story * 1000 + number,
                    "idstr": str(self.first_id + story * 1000 + number),
                    "text": comment_text(story, number),
                    "like_count": 1,
                    "user": {"id": 1878000000 + number % 4, "screen_name": "株洲网友"},
                }
                for number in range(1, PER_STORY + 1)
            ]
            for story, status in enumerate(self.statuses)
        }

    def expected(self) -> dict[str, str]:
        return {item["idstr"]: item["text"] for items in self.data.values() for item in items}

    def route(self, request: Request) -> Answer:
        if request.path != "/2/comments/show.json":
            return Answer(404, payload={"error_code": 10001, "error": "not found"})
        if request.args.get("access_token") != self.token:
            return Answer(400, payload={"error_code": 21332, "error": "invalid_access_token"})
        return self.comments(request)

    def page(self, request: Request) -> tuple[Answer, set[str]]:
        args = request.args
        since = int(args["since_id"])
        top = int(args.get("max_id", 2**62))
        matching = [c for c in self.data[args["id"]] if since < c["id"] <= top]
        matching.sort(key=lambda c: -c["id"])
        page = matching[: int(args["count"])]
        payload = {"comments": page, "total_number": len(matching)}
        return Answer(payload=payload), {item["idstr"] for item in page}

    def type_changed(self, payload: dict) -> dict:
        return {**payload, "comments": {c["idstr"]: c for c in payload["comments"]}}

    def quota(self) -> Answer:
        return Answer(
            403, payload={"error_code": 10023, "error": "User requests out of rate limit!"}
        )

    def token_expired(self) -> Answer:
        return Answer(400, payload={"error_code": 21327, "error": "expired_token"})


class Handler(BaseHTTPRequestHandler):
    """Hands each request to the server's fake and puts its answer on the wire."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate small writes

    def do_GET(self):  # noqa: N802 - the http.server naming
        """Any method: parse, route, answer."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=url.path,
            args=dict(parse_qsl(url.query)),
            body=json.loads(raw) if raw else None,
            headers={key.lower(): value for key, value in self.headers.items()},
        )
        try:
            self.send(self.server.channel.route(request))
        except OSError:
            self.close_connection = True  # the client gave up on us: fine

    do_POST = do_GET

    def send(self, answer: Answer) -> None:
        """Write `answer`, hanging, trickling or resetting as it asks."""
        release = self.server.channel.release
        if answer.action == "hang" and release.wait(HANG_SECONDS):
            return
        data = answer.data()
        if answer.action == "trickle_headers":
            head = f"HTTP/1.1 {answer.status} OK\r\nContent-Length: {len(data)}\r\n"
            self.trickle(f"{head}X-Padding: {'.' * 200}\r\n\r\n".encode() + data, release)
            return
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in answer.headers.items():
            self.send_header(key, value)
        self.end_headers()
        if answer.action == "trickle":
            self.trickle(data, release)
        elif answer.action in ("reset", "close"):
            self.cut(data, reset=answer.action == "reset")
        else:
            self.wfile.write(data)

    def trickle(self, data: bytes, release: threading.Event) -> None:
        """One byte at a time, each well within read_timeout: only call_timeout stops it."""
        for position in range(len(data)):
            self.wfile.write(data[position : position + 1])
            self.wfile.flush()
            if release.wait(TRICKLE_PAUSE):
                break
        self.close_connection = True

    def cut(self, data: bytes, reset: bool) -> None:
        """Half the body, then close: a TCP RST (SO_LINGER 0) or a plain FIN."""
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        if reset:
            linger = struct.pack("ii", 1, 0)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
        self.connection.close()
        self.close_connection = True

    def log_message(self, format, *args):  # noqa: A002 - the http.server signature
        """Quiet: the tests assert on what the collector recorded."""


@contextmanager
def serving(channel: FakeChannel, handler=None) -> Iterator[FakeChannel]:
    """Serve `channel` on 127.0.0.1 in a thread; its `url` is set while serving.

    `handler` replaces the request handler (tests/push/servers.py reads raw bodies).
    """
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler or Handler)
    server.daemon_threads = True
    server.channel = channel
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    channel.url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield channel
    finally:
        channel.release.set()
        channel.gate.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
