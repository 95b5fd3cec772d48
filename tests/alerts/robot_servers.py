"""Local stand-ins for 企业微信, 钉钉 and 飞书 group robots on 127.0.0.1.

Each checks a request the way its platform documents: the key or token in the URL, the
message shape, and (钉钉, 飞书) the timestamp's freshness and the HMAC-SHA256 signature;
it answers the platform's JSON (errcode / code). Faults are queued per test: an HTTP
status, a platform error code, or a hang longer than the client's read timeout.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections import deque
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote_plus, urlsplit

KEY = "wecom-key-0001"
TOKEN = "ding-token-0001"
SECRET = "SEC0123456789abcdef"
HOOK = "feishu-hook-0001"
SIGN_FAILED = "sign match fail or timestamp is not within one hour from current time"


def fast_robots(monkeypatch, **changes) -> None:
    """Robot calls with one attempt and no long backoff (a test's `changes` on top:
    attempts, read or call timeout), so a retry costs the suite little. The timeouts are
    hang guards a loaded machine never reaches on a call meant to answer; a test of a hang
    sets its own short ones."""
    from moderation.alerts import targets
    from moderation.collectors.http import HttpOptions

    options = {"connect_timeout": 5, "read_timeout": 5, "call_timeout": 10, "max_attempts": 1,
               "backoff_seconds": 0.01, "max_wait_seconds": 0.1}  # fmt: skip
    monkeypatch.setattr(targets, "ROBOT_TIMEOUTS", HttpOptions(**{**options, **changes}))


class RobotServer:
    """One robot of `kind`; `received` holds every accepted message body."""

    def __init__(self, kind: str):
        self.kind = kind
        self.received: list[dict] = []
        self.requests = 0
        self.faults: deque = deque()  # ("status", 502) / ("code", 45009) / ("hang", seconds)
        self.url = ""
        self.lock = threading.Lock()

    def check(self, path: str, query: dict, body: dict) -> tuple[int, dict]:
        """Status and JSON answer for one request, as the platform would give them."""
        if self.kind == "wecom":
            return self._wecom(path, query, body)
        if self.kind == "dingtalk":
            return self._dingtalk(query, body)
        return self._feishu(path, body)

    def _wecom(self, path, query, body):
        if path != "/cgi-bin/webhook/send" or query.get("key") != KEY:
            return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
        content = (body.get("markdown") or {}).get("content", "")
        if body.get("msgtype") != "markdown" or not content:
            return 200, {"errcode": 40008, "errmsg": "invalid message type"}
        if len(content.encode("utf-8")) > 4096:
            return 200, {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"}
        return 200, {"errcode": 0, "errmsg": "ok"}

    def _dingtalk(self, query, body):
        if query.get("access_token") != TOKEN:
            return 200, {"errcode": 300001, "errmsg": "token is not exist"}
        timestamp = query.get("timestamp", "")
        if not timestamp.isdigit() or abs(time.time() * 1000 - int(timestamp)) > 3600_000:
            return 200, {"errcode": 310000, "errmsg": "sign not match, timestamp expired"}
        expected = base64.b64encode(
            hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
        ).decode()
        if query.get("sign") != expected:
            return 200, {"errcode": 310000, "errmsg": "sign not match"}
        markdown = body.get("markdown") or {}
        if body.get("msgtype") != "markdown" or not (
            markdown.get("title") and markdown.get("text")
        ):
            return 200, {"errcode": 40035, "errmsg": "缺少参数 markdown"}
        return 200, {"errcode": 0, "errmsg": "ok"}

    def _feishu(self, path, body):
        if path != f"/open-apis/bot/v2/hook/{HOOK}":
            return 404, {"code": 19001, "msg": "param invalid: incoming webhook token invalid"}
        timestamp = str(body.get("timestamp", ""))
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 3600:
            return 200, {"code": 19021, "msg": SIGN_FAILED}
        key = f"{timestamp}\n{SECRET}".encode()
        expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        if body.get("sign") != expected:
            return 200, {"code": 19021, "msg": SIGN_FAILED}
        post = ((body.get("content") or {}).get("post") or {}).get("zh_cn") or {}
        if body.get("msg_type") != "post" or not post.get("title") or not post.get("content"):
            return 400, {"code": 9499, "msg": "Bad Request"}
        return 200, {"code": 0, "msg": "success", "data": {}}

    def rate_limit_code(self) -> dict:
        """The platform's answer when a robot sends too fast."""
        return {
            "wecom": {"errcode": 45009, "errmsg": "api freq out of limit"},
            "dingtalk": {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"},
            "feishu": {"code": 11232, "msg": "frequency limited psm"},
        }[self.kind]


class _Handler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer

    def log_message(self, *args):  # keep test output clean
        pass

    def do_POST(self):  # noqa: N802 (http.server's naming)
        robot: RobotServer = self.server.robot  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        parts = urlsplit(self.path)
        query = _query(parts.query)
        with robot.lock:
            robot.requests += 1
            fault = robot.faults.popleft() if robot.faults else None
        if fault and fault[0] == "hang":
            time.sleep(fault[1])
        if fault and fault[0] == "status":
            return self._answer(fault[1], {"errmsg": "server error"})
        try:
            body = json.loads(raw.decode("utf-8"))
        except ValueError:
            return self._answer(400, {"errcode": 40001, "errmsg": "invalid json"})
        if fault and fault[0] == "code":
            return self._answer(200, robot.rate_limit_code())
        status, answer = robot.check(parts.path, query, body)
        if answer.get("errcode", answer.get("code")) == 0:
            with robot.lock:
                robot.received.append(body)
        return self._answer(status, answer)

    def _answer(self, status: int, payload: dict) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _query(raw: str) -> dict[str, str]:
    """Query values decoded once, as a web server does (钉钉's sign arrives URL-encoded)."""
    values = {}
    for pair in raw.split("&"):
        name, _, value = pair.partition("=")
        if name:
            values[unquote_plus(name)] = unquote_plus(value)
    return values


@contextmanager
def robot_server(kind: str):
    """Serve one robot on 127.0.0.1 for the duration of a test."""
    robot = RobotServer(kind)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.robot = robot  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    robot.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield robot
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
