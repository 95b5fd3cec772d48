"""Local stand-ins for the providers: each checks the request's signature the way its
provider documents it (recomputed here with hashlib/hmac, not with the code under test)
and answers in the provider's documented shape.

A stand-in's `mode` chooses the answer: "ok" (its `verdict`), "error", "throttle",
"slow" (sleeps `delay` seconds first; `finished` is set when the handler returns).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote


class StandIn:
    """What every stand-in keeps: its mode, the requests it saw, its address."""

    def __init__(self, secret_id="test-id", secret_key="test-secret"):
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.mode = "ok"
        self.verdict = "block"
        self.delay = 0.0
        self.seen: list[dict] = []
        self.received = 0  # requests arrived, counted before any slow answer
        self.finished = threading.Event()
        self.url = ""

    def handle(self, path: str, headers: dict, body: bytes) -> tuple[int, dict]:
        """(status, JSON answer) for one request."""
        raise NotImplementedError

    def respond(self, path, headers, body):
        """Run `handle`, honouring the slow mode."""
        self.received += 1
        try:
            if self.mode == "slow":
                time.sleep(self.delay)
            return self.handle(path, headers, body)
        finally:
            self.finished.set()


def _encode(value: str) -> str:
    return quote(value, safe="-_.~")


class Aliyun(StandIn):
    """Green 2022-03-02 over RPC: form POST, Signature = Base64(HMAC-SHA1(secret + "&",
    "POST&%2F&" + encode(canonicalized query)))."""

    def handle(self, path, headers, body):
        params = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        self.seen.append(params)
        signature = params.pop("Signature", "")
        query = "&".join(f"{_encode(k)}={_encode(params[k])}" for k in sorted(params))
        string_to_sign = "POST&%2F&" + _encode(query)
        expected = base64.b64encode(
            hmac.new(f"{self.secret_key}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
        ).decode()
        if params.get("AccessKeyId") != self.secret_id or signature != expected:
            return 400, {"Code": "SignatureDoesNotMatch", "Message": "signature mismatch"}
        datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ")
        if self.mode == "error":
            return 200, {"Code": 400, "Message": "InvalidParameter: content", "RequestId": "r1"}
        if self.mode == "throttle":
            return 200, {
                "Code": "Throttling.User",
                "Message": "Request was denied due to user flow control.",
            }
        content = json.loads(params["ServiceParameters"])["content"]
        risk = {"block": "high", "review": "medium", "pass": "none"}[self.verdict]
        result = (
            [{"Label": "nonLabel"}]
            if risk == "none"
            else [
                {"Label": "abuse", "Confidence": 99.0, "RiskWords": content[:4]},
                {"Label": "political_entity", "Confidence": 80.0},
            ]
        )
        return 200, {
            "Code": 200,
            "Data": {"Result": result, "RiskLevel": risk},
            "Message": "OK",
            "RequestId": "r2",
        }


class Tencent(StandIn):
    """TMS TextModeration: TC3-HMAC-SHA256 recomputed from the headers and the body."""

    def handle(self, path, headers, body):
        headers = {k.lower(): v for k, v in headers.items()}
        self.seen.append({"headers": headers, "body": json.loads(body)})
        timestamp = int(headers["x-tc-timestamp"])
        date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
        canonical = (
            f"POST\n/\n\ncontent-type:{headers['content-type']}\nhost:{headers['host']}\n\n"
            f"content-type;host\n{hashlib.sha256(body).hexdigest()}"
        )
        scope = f"{date}/tms/tc3_request"
        to_sign = (
            f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n"
            f"{hashlib.sha256(canonical.encode()).hexdigest()}"
        )
        key = f"TC3{self.secret_key}".encode()
        for part in (date, "tms", "tc3_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        expected = (
            f"TC3-HMAC-SHA256 Credential={self.secret_id}/{scope}, "
            f"SignedHeaders=content-type;host, Signature={signature}"
        )
        if (
            headers.get("authorization") != expected
            or headers.get("x-tc-action") != "TextModeration"
        ):
            return 200, {
                "Response": {
                    "Error": {
                        "Code": "AuthFailure.SignatureFailure",
                        "Message": "signature mismatch",
                    },
                    "RequestId": "t0",
                }
            }
        if self.mode == "error":
            return 200, {
                "Response": {
                    "Error": {"Code": "InvalidParameter", "Message": "Content"},
                    "RequestId": "t1",
                }
            }
        if self.mode == "throttle":
            return 200, {
                "Response": {
                    "Error": {"Code": "RequestLimitExceeded", "Message": "too many"},
                    "RequestId": "t2",
                }
            }
        text = base64.b64decode(self.seen[-1]["body"]["Content"]).decode()
        suggestion = {"block": "Block", "review": "Review", "pass": "Pass"}[self.verdict]
        label = "Normal" if suggestion == "Pass" else "Abuse"
        return 200, {
            "Response": {
                "Suggestion": suggestion,
                "Label": label,
                "Score": 90,
                "Keywords": [text[:2]],
                "DetailResults": [{"Label": label, "Suggestion": suggestion, "Score": 90}],
                "RequestId": "t3",
            }
        }


class Yidun(StandIn):
    """Text check v5: MD5 over sorted name+value pairs and the secret key."""

    def handle(self, path, headers, body):
        params = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        self.seen.append(params)
        signature = params.pop("signature", "")
        buffer = "".join(f"{k}{params[k]}" for k in sorted(params)) + self.secret_key
        if signature != hashlib.md5(buffer.encode("utf-8")).hexdigest():
            return 200, {"code": 410, "msg": "signature verify fail"}
        if self.mode == "error":
            return 200, {"code": 405, "msg": "param error"}
        if self.mode == "throttle":
            return 200, {"code": 411, "msg": "请求频率或数量超过限制"}
        suggestion = {"pass": 0, "review": 1, "block": 2}[self.verdict]
        labels = (
            []
            if suggestion == 0
            else [{"label": 600, "level": suggestion, "subLabels": [{"subLabel": "600017"}]}]
        )
        return 200, {
            "code": 200,
            "msg": "ok",
            "result": {
                "antispam": {
                    "taskId": "y1",
                    "dataId": params["dataId"],
                    "suggestion": suggestion,
                    "resultType": 1,
                    "labels": labels,
                }
            },
        }


class Webhook(StandIn):
    """The desk's webhook: HMAC-SHA256 over timestamp + "." + body."""

    def handle(self, path, headers, body):
        headers = {k.lower(): v for k, v in headers.items()}
        self.seen.append({"headers": headers, "body": json.loads(body)})
        timestamp = headers.get("x-moderation-timestamp", "")
        expected = (
            "sha256="
            + hmac.new(
                self.secret_key.encode(), timestamp.encode() + b"." + body, hashlib.sha256
            ).hexdigest()
        )
        if not hmac.compare_digest(headers.get("x-moderation-signature", ""), expected):
            return 401, {"error": "bad signature"}
        if self.mode == "throttle":
            return 429, {"error": "slow down"}
        if self.mode == "error":
            return 200, {"verdict": "?"}
        if self.verdict == "block":
            return 200, {"status": "REJECTED", "tags": ["abuse"]}
        return 200, {"level": self.verdict, "labels": ["ad"] if self.verdict == "review" else []}


class Guard(StandIn):
    """An OpenAI-compatible chat completion endpoint answering as Qwen3Guard does."""

    def handle(self, path, headers, body):
        request = json.loads(body)
        self.seen.append({"path": path, "body": request})
        if path != "/v1/chat/completions":
            return 404, {"error": {"message": "not found"}}
        if self.mode == "error":
            return 500, {"error": {"message": "model not loaded"}}
        if self.mode == "throttle":
            return 429, {"error": {"message": "busy"}}
        words = {
            "block": "Safety: Unsafe\nCategories: Politically Sensitive Topics",
            "review": "Safety: Controversial\nCategories: Unethical Acts",
            "pass": "Safety: Safe\nCategories: None",
        }[self.verdict]
        return 200, {
            "id": "c1",
            "object": "chat.completion",
            "model": request["model"],
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": words},
                }
            ],
        }


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - the http.server name
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        status, answer = self.server.stand_in.respond(self.path, dict(self.headers), body)
        raw = json.dumps(answer, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a timeout test)

    def log_message(self, *args):
        pass


class serving:  # noqa: N801 - used as a context manager like a function
    """Serve a stand-in on 127.0.0.1 in a thread; its `url` is set while serving."""

    def __init__(self, stand_in: StandIn):
        self.stand_in = stand_in

    def __enter__(self) -> StandIn:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.stand_in = self.stand_in
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.stand_in.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        return self.stand_in

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
