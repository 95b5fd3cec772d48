"""Local servers on 127.0.0.1 that take the channels' moderation calls as documented.

* WeChat 图文消息留言管理: ``POST /cgi-bin/comment/{open,close,list,markelect,unmarkelect,
  delete,reply/add,reply/delete}?access_token=`` with ``msg_data_id``, ``index``,
  ``user_comment_id``, ``content``; errcodes 40001/42001 (token), 45009 (quota), 88000-88009
  as the documentation lists them; the 精选 limit is 100 per article (88003); reply/delete
  of a reply that is not there answers 88009 (what a resend after a late answer meets).
  `refuse` answers a verb with an errcode (48001 for an account without the comment API,
  88002 for a refused open...); `faults` scripts the next comment calls one by one:
  "hang" (apply, then answer too late), an HTTP status (answered before applying) or
  ("errcode", N) (answered without applying; 42001 also expires the token).
* The site's moderation endpoint: HMAC-SHA256 checked over the raw body, idempotent on the
  key (a resend answers 200 and changes nothing).
* Weibo ``/2/comments/reply.json`` and ``/2/comments/destroy/biz.json`` (form bodies).

Each keeps the channel's state (what is featured, deleted, replied, open) and counts
`effects`: calls that changed that state, so "applied once in effect" is checkable.
Faults: `fail_next` answers (5xx...) before applying, `hang_after_apply` applies then
holds the answer past the client's read timeout, `quota_after` and `expire_token_after`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.processes import HANG_GUARD
from tests.reliability import channel_servers

HANG_SECONDS = 5.0  # far beyond the tests' read_timeout


@dataclass
class Call:
    """One request as the fake saw it."""

    path: str
    args: dict[str, str]
    raw: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.raw)

    def form(self) -> dict[str, str]:
        """The body as a form."""
        return dict(parse_qsl(self.raw.decode()))


@dataclass
class Fake:
    """Bookkeeping every fake shares: calls, effects and the injected faults."""

    url: str = ""
    calls: list[Call] = field(default_factory=list)
    effects: Counter = field(default_factory=Counter)
    fail_next: list[int] = field(default_factory=list)  # HTTP statuses answered before applying
    hang_after_apply: int = 0  # this many calls apply, then hang
    applied: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # the call that waits for `gate` (0 = none): as long as the test holds it (a hang guard
    # bounds it; the test, or serving()'s teardown, opens it)
    gate_at: int = 0
    at_gate: threading.Event = field(default_factory=threading.Event)
    gate: threading.Event = field(default_factory=threading.Event)

    def handle(self, call: Call) -> tuple[int, Any, bool]:
        """(status, payload, hang) for one call."""
        if self.gate_at and len(self.calls) + 1 == self.gate_at:
            self.at_gate.set()
            self.gate.wait(HANG_GUARD)
        with self.lock:
            self.calls.append(call)
            if self.fail_next:
                return self.fail_next.pop(0), {"error": "injected"}, False
            status, payload = self.route(call)
            hang = self.hang_after_apply > 0 and not call.path.endswith("token")
            if hang:
                self.hang_after_apply -= 1
                self.applied.set()
            return status, payload, hang

    def route(self, call: Call) -> tuple[int, Any]:
        """The channel's answer to one call."""
        raise NotImplementedError


@dataclass
class WeChatComment:
    """One reader comment as WeChat keeps it."""

    elected: bool = False
    deleted: bool = False
    deleted_by_user: bool = False
    reply: str | None = None


class FakeWeChat(Fake):
    """The comment management API of one official account."""

    def __init__(self, articles: dict[tuple[int, int], list[int]], **kwargs):
        super().__init__(**kwargs)
        self.articles = {
            key: {"open": True, "comments": {cid: WeChatComment() for cid in comment_ids}}
            for key, comment_ids in articles.items()
        }
        self.token_number = 0
        self.valid_token = ""
        self.expire_token_after: int | None = None  # comment calls before the token expires
        self.quota_after: int | None = None  # comment calls answered before 45009
        self.comment_calls = 0
        self.token_calls = 0
        self.elect_limit = 100
        self.refuse: dict[str, int] = {}  # verb -> errcode answered instead of applying
        self.faults: list = []  # scripted answers for the next comment calls (see above)
        self.refuse_token: int | None = None  # stable_token answers this errcode

    def handle(self, call: Call) -> tuple[int, Any, bool]:
        """A scripted fault for the next comment call, else the documented behaviour."""
        if self.faults and call.path.startswith("/cgi-bin/comment/"):
            with self.lock:
                fault = self.faults.pop(0)
            if fault == "hang":
                self.hang_after_apply += 1
            elif isinstance(fault, int):
                self.fail_next.append(fault)
            else:
                with self.lock:
                    self.calls.append(call)
                    if fault[1] in (40001, 42001):
                        self.valid_token = "expired"
                    return 200, _err(fault[1], "injected"), False
        return super().handle(call)

    def route(self, call: Call) -> tuple[int, Any]:
        """Token or comment management call."""
        if call.path == "/cgi-bin/stable_token":
            self.token_calls += 1
            if self.refuse_token:
                return 200, _err(self.refuse_token, "invalid appsecret")
            self.token_number += 1
            self.valid_token = f"TOKEN-{self.token_number}"
            return 200, {"access_token": self.valid_token, "expires_in": 7200}
        if call.args.get("access_token") != self.valid_token:
            return 200, {"errcode": 42001, "errmsg": "access_token expired"}
        self.comment_calls += 1
        if self.expire_token_after is not None and self.comment_calls > self.expire_token_after:
            self.expire_token_after = None
            self.valid_token = "expired"
            return 200, {"errcode": 42001, "errmsg": "access_token expired"}
        if self.quota_after is not None and self.comment_calls > self.quota_after:
            return 200, {"errcode": 45009, "errmsg": "reach max api daily quota limit"}
        return 200, self.manage(call.path.removeprefix("/cgi-bin/comment/"), call.json())

    def manage(self, verb: str, body: dict) -> dict:
        """Apply one documented verb to the state; errcode 0 or the documented error."""
        if verb in self.refuse:
            return _err(self.refuse[verb], "refused")
        article = self.articles.get((body.get("msg_data_id"), body.get("index", 0)))
        if article is None:
            return _err(88001, "msg_data is not exists")
        if verb == "list":
            return self.listing(article, body)
        if verb in ("open", "close"):
            if article["open"] != (verb == "open"):
                article["open"] = verb == "open"
                self.effects[(verb, body["msg_data_id"], body.get("index", 0))] += 1
            return _err(0, "ok")
        comment = article["comments"].get(body.get("user_comment_id"))
        if comment is None or comment.deleted:
            return _err(88008, "comment is not exists")
        if comment.deleted_by_user:
            return _err(88004, "comment was deleted by user")
        key = (body["msg_data_id"], body.get("index", 0), body["user_comment_id"])
        return self.comment_verb(verb, article, comment, key, body)

    def comment_verb(self, verb, article, comment, key, body) -> dict:
        """markelect / unmarkelect / delete / reply/add / reply/delete on one comment."""
        if verb == "markelect":
            if not comment.elected:
                elected = sum(c.elected for c in article["comments"].values())
                if elected >= self.elect_limit:
                    return _err(88003, "elected comment upper limit")
                comment.elected = True
                self.effects[("markelect", *key)] += 1
        elif verb == "unmarkelect":
            if comment.elected:
                comment.elected = False
                self.effects[("unmarkelect", *key)] += 1
        elif verb == "delete":
            comment.deleted = True
            self.effects[("delete", *key)] += 1
        elif verb == "reply/add":
            content = body.get("content") or ""
            if not content or len(content) > 600:
                return _err(88007, "reply content beyond max len or content len is zero")
            if comment.reply is not None:
                return _err(88005, "already reply")
            comment.reply = content
            self.effects[("reply/add", *key)] += 1
        elif verb == "reply/delete":
            if comment.reply is None:
                return _err(88009, "reply is not exists")
            comment.reply = None
            self.effects[("reply/delete", *key)] += 1
        else:
            return _err(40066, "invalid url")
        return _err(0, "ok")

    def listing(self, article: dict, body: dict) -> dict:
        """comment/list: a page of the article's comments (count must be 1-49: 88010)."""
        count = body.get("count", 0)
        if not 0 < count < 50:
            return _err(88010, "count range error. cout <= 0 or count > 50")
        alive = [cid for cid, c in article["comments"].items() if not c.deleted]
        begin = body.get("begin", 0)
        items = [
            {"user_comment_id": cid, "openid": f"o{cid}", "create_time": 1700000000,
             "content": f"评论{cid}", "comment_type": int(article["comments"][cid].elected)}
            for cid in alive[begin : begin + count]
        ]  # fmt: skip
        return {"errcode": 0, "errmsg": "ok", "total": len(alive), "comment": items}

    def comment(self, msg_data_id: int, index: int, user_comment_id: int) -> WeChatComment:
        """A comment's state."""
        return self.articles[(msg_data_id, index)]["comments"][user_comment_id]

    def verbs(self) -> list[tuple[str, dict]]:
        """The comment management calls received, in order (not the token calls)."""
        return [
            (call.path.removeprefix("/cgi-bin/comment/"), call.json())
            for call in self.calls
            if call.path.startswith("/cgi-bin/comment/")
        ]


def _err(code: int, message: str) -> dict:
    return {"errcode": code, "errmsg": message}


class FakeSite(Fake):
    """The site's moderation endpoint, checking the signature and the idempotency key."""

    def __init__(self, secret: str, comments: set[str], **kwargs):
        super().__init__(**kwargs)
        self.secret = secret.encode()
        self.comments = set(comments)
        self.applied_keys: dict[str, dict] = {}
        self.state: dict[str, str] = {}  # comment id -> last action applied

    def route(self, call: Call) -> tuple[int, Any]:
        """Verify, dedupe, apply; the feed (read with no signature) is empty."""
        if call.path == "/feed.json":
            return 200, {"items": [], "next_url": None}
        expected = "sha256=" + hmac.new(self.secret, call.raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(call.headers.get("x-zzrb-signature", ""), expected):
            return 401, {"error": "bad signature"}
        body = call.json()
        key = body["idempotency_key"]
        if key in self.applied_keys:
            return 200, {"ok": True, "duplicate": True}
        if body["comment_id"] is not None and body["comment_id"] not in self.comments:
            return 404, {"error": "no such comment"}
        self.applied_keys[key] = body
        self.state[body["comment_id"]] = body["action"]
        self.effects[(body["action"], body["comment_id"])] += 1
        return 200, {"ok": True}


class FakeWeibo(Fake):
    """comments/reply and comments/destroy/biz of one account."""

    def __init__(self, token: str, comments: set[str], **kwargs):
        super().__init__(**kwargs)
        self.token = token
        self.comments = set(comments)
        self.replies: dict[str, str] = {}
        self.answers: list[tuple[int, Any]] = []  # (status, payload) for the next calls

    def route(self, call: Call) -> tuple[int, Any]:
        """Reply or delete, as the documented form calls (or the next scripted answer)."""
        if self.answers:
            return self.answers.pop(0)
        if call.args.get("access_token") != self.token:
            return 400, {"error": "expired_token", "error_code": 21327}
        if call.path == "/2/comments/show.json":  # the collector's read
            return 200, {"comments": [], "total_number": 0}
        form = call.form()
        cid = form.get("cid", "")
        if cid not in self.comments:
            return 400, {"error": "target comment does not exist", "error_code": 20201}
        if call.path == "/2/comments/reply.json":
            if len(form.get("comment", "")) > 140:
                return 400, {"error": "text too long", "error_code": 20012}
            self.replies[cid] = form["comment"]
            self.effects[("reply", cid)] += 1
            return 200, {"id": 9000 + len(self.replies), "text": form["comment"]}
        if call.path == "/2/comments/destroy/biz.json":
            self.comments.discard(cid)
            self.effects[("destroy", cid)] += 1
            return 200, {"id": int(cid), "text": "..."}
        return 404, {"error": "no such api", "error_code": 10014}


class Handler(BaseHTTPRequestHandler):
    """Hands each request to the server's fake and writes its answer."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate small writes

    def do_POST(self):  # noqa: N802 - the http.server naming
        """Read the raw body, ask the fake, answer (or hang after applying)."""
        fake = self.server.channel
        length = int(self.headers.get("Content-Length") or 0)
        url = urlsplit(self.path)
        call = Call(
            path=url.path,
            args=dict(parse_qsl(url.query)),
            raw=self.rfile.read(length) if length else b"",
            headers={key.lower(): value for key, value in self.headers.items()},
        )
        status, payload, hang = fake.handle(call)
        if hang and fake.release.wait(HANG_SECONDS):
            return
        data = json.dumps(payload, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True

    do_GET = do_POST  # noqa: N815 - the collectors' reads (no body)

    def log_message(self, format, *args):  # noqa: A002 - the http.server signature
        """Quiet."""


def serving(fake: Fake):
    """Serve `fake` on 127.0.0.1 in a thread; `fake.url` is set while serving."""
    return channel_servers.serving(fake, Handler)
