"""Group robots that carry an alert: 企业微信, 钉钉 and 飞书, each in its documented JSON.

Each target turns a :class:`Message` into one HTTP POST and reads the platform's answer
into an :class:`Outcome`: delivered, worth retrying later (rate limit, 5xx, timeout), or
failed for good (a wrong key or signature will not heal by itself). Secrets (a robot's key,
token or signing secret) come from environment variables named in the config.

Protocols (official docs):
- 企业微信 群机器人 (developer.work.weixin.qq.com/document/path/91770): POST
  `…/cgi-bin/webhook/send?key=KEY`, `{"msgtype": "markdown", "markdown": {"content": …}}`
  (content ≤ 4096 bytes), answer `{"errcode": 0, "errmsg": "ok"}`; at most 20 messages a
  minute per robot, over it errcode 45009.
- 钉钉 自定义机器人 (open.dingtalk.com, 自定义机器人安全设置 / 加签): POST
  `…/robot/send?access_token=T&timestamp=MS&sign=S` where S = urlencode(base64(
  HmacSHA256(key=secret, msg=f"{MS}\\n{secret}"))), body `{"msgtype": "markdown",
  "markdown": {"title": …, "text": …}}`; answer `{"errcode": 0}`; 20 a minute, over it
  errcode 130101 ("send too fast").
- 飞书 自定义机器人 (open.feishu.cn/document/client-docs/bot-v3/add-custom-bot): POST
  `…/open-apis/bot/v2/hook/TOKEN`, body `{"timestamp": "S", "sign": …, "msg_type": "post",
  "content": {"post": {"zh_cn": {"title": …, "content": [[{"tag": "text", …}]]}}}}` where
  sign = base64(HmacSHA256(key=f"{S}\\n{secret}", msg=b"")); answer `{"code": 0}`;
  100 a minute and 5 a second, over it code 11232; 19021 is a bad signature, 9499 a bad
  request (both permanent). A body over 20 KB is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

from moderation.alerts.text import inert, safe_url
from moderation.collectors.base import AuthFailed, BadPayload, CollectorError
from moderation.collectors.http import HttpClient, HttpOptions, secret_from_env
from moderation.scoring.personal_data import mask_personal_data

DELIVERED, RETRY, FAILED = "delivered", "retry", "failed"
WECOM_LIMIT_BYTES = 4096
FEISHU_LIMIT_BYTES = 20 * 1024
ROBOT_TIMEOUTS = HttpOptions(
    connect_timeout=5.0,
    read_timeout=10.0,
    call_timeout=20.0,
    max_attempts=2,
    backoff_seconds=1.0,
    max_wait_seconds=2.0,
)


@dataclass(frozen=True)
class Message:
    """An alert or report notice: a title, plain lines, a link to the desk and one to the
    original article.

    Everything in it is plain text: `markdown` and `plain` mask personal data, fold each
    part onto one line and make Markdown inert, then add the links themselves, so neither a
    reader's comment nor a story title can inject a link, a heading or a header line.
    """

    title: str
    lines: tuple[str, ...] = ()
    link: str | None = None
    article: str | None = None

    def links(self) -> list[tuple[str, str]]:
        """(label, address) of the desk and the article, the ones that are usable."""
        pairs = [("在审核台打开", safe_url(self.link)), ("查看原文", safe_url(self.article))]
        return [(label, url) for label, url in pairs if url]

    def safe_title(self) -> str:
        """The title masked and on one line (an e-mail subject, a robot's title field)."""
        return mask_personal_data(inert(self.title))

    def safe_lines(self) -> list[str]:
        """Each line masked, on one line and inert."""
        return [mask_personal_data(inert(line)) for line in self.lines]

    def markdown(self, line_break: str = "\n") -> str:
        """Title as a heading, one line each, the links last (the subset all robots render).

        `line_break` joins the lines: 企业微信 breaks at a bare newline; 钉钉 folds one into
        the paragraph and documents a newline with two spaces on each side.
        """
        parts = [f"### {self.safe_title()}", *self.safe_lines()]
        parts.extend(f"[{label}]({url})" for label, url in self.links())
        return line_break.join(parts)

    def plain(self) -> str:
        """The same content without Markdown, for e-mail bodies and 飞书 text runs."""
        parts = [self.safe_title(), *self.safe_lines()]
        parts.extend(f"{label}：{url}" for label, url in self.links())
        return "\n".join(parts)


@dataclass(frozen=True)
class Outcome:
    """What one delivery attempt came to; `answer` is the platform's reply for the record."""

    state: str  # DELIVERED / RETRY / FAILED
    reason: str = ""
    answer: str = ""
    retry_after: float | None = None  # seconds, when the platform says how long to wait


@dataclass(frozen=True, kw_only=True)
class RobotTarget:
    """One robot: where it is and which environment variables hold its secrets."""

    name: str
    kind: str  # wecom / dingtalk / feishu
    url: str
    key_env: str = ""  # wecom: the webhook key; dingtalk: the access token; feishu: hook token
    secret_env: str = ""  # dingtalk / feishu signing secret (optional: unsigned robots)
    extra: dict = field(default_factory=dict)


def sign_dingtalk(secret: str, timestamp_ms: int) -> str:
    """钉钉's `sign` query value: URL-encoded Base64 of HmacSHA256(secret, "ts\\nsecret")."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode("ascii"))


def sign_feishu(secret: str, timestamp_s: int) -> str:
    """飞书's `sign`: Base64 of HmacSHA256 keyed by "ts\\nsecret" over an empty message."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def truncate_bytes(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` UTF-8 bytes on a character boundary, marked with …."""
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text
    return raw[: limit - 3].decode("utf-8", "ignore") + "…"


def wecom_request(target: RobotTarget, message: Message, now: float) -> tuple[str, dict]:
    """URL and body for a 企业微信 group robot."""
    key = secret_from_env(target.key_env, f"{target.name}'s 企业微信 robot key")
    url = _with_query(target.url, {"key": key})
    content = truncate_bytes(message.markdown(), WECOM_LIMIT_BYTES)
    return url, {"msgtype": "markdown", "markdown": {"content": content}}


DINGTALK_BREAK = "  \n  "  # open.dingtalk.com, 消息类型 markdown: 换行 "  \n  "


def dingtalk_request(target: RobotTarget, message: Message, now: float) -> tuple[str, dict]:
    """URL (token, and timestamp + sign when a secret is set) and body for a 钉钉 robot."""
    query = {"access_token": secret_from_env(target.key_env, f"{target.name}'s 钉钉 token")}
    url = _with_query(target.url, query)
    if target.secret_env:
        secret = secret_from_env(target.secret_env, f"{target.name}'s 钉钉 signing secret")
        timestamp = int(now * 1000)
        # sign is already URL-encoded, as the doc's examples append it
        url += f"&timestamp={timestamp}&sign={sign_dingtalk(secret, timestamp)}"
    markdown = {"title": message.safe_title(), "text": message.markdown(DINGTALK_BREAK)}
    body = {"msgtype": "markdown", "markdown": markdown}
    return url, body


def feishu_request(target: RobotTarget, message: Message, now: float) -> tuple[str, dict]:
    """URL and body (a 富文本 post, signed when a secret is set) for a 飞书 bot."""
    url = target.url
    if target.key_env:
        token = secret_from_env(target.key_env, f"{target.name}'s 飞书 hook token")
        url = url.rstrip("/") + "/" + urllib.parse.quote(token, safe="")
    runs = [[{"tag": "text", "text": line}] for line in message.safe_lines()]
    for label, href in message.links():
        runs.append([{"tag": "a", "text": label, "href": href}])
    body: dict = {
        "msg_type": "post",
        "content": {"post": {"zh_cn": {"title": message.safe_title(), "content": runs}}},
    }
    if target.secret_env:
        secret = secret_from_env(target.secret_env, f"{target.name}'s 飞书 signing secret")
        timestamp = int(now)
        body = {"timestamp": str(timestamp), "sign": sign_feishu(secret, timestamp), **body}
    if len(json.dumps(body, ensure_ascii=False).encode("utf-8")) > FEISHU_LIMIT_BYTES:
        runs[:] = [[{"tag": "text", "text": truncate_bytes(message.plain(), 16 * 1024)}]]
    return url, body


def _with_query(url: str, params: dict) -> str:
    separator = "&" if "?" in url else "?"
    return url + separator + urllib.parse.urlencode(params)


# code -> RETRY for a platform's rate limit; any other non-zero code is permanent
RATE_LIMIT_CODES = {"wecom": {45009}, "dingtalk": {130101}, "feishu": {11232}}
BUILDERS: dict[str, Callable[[RobotTarget, Message, float], tuple[str, dict]]] = {
    "wecom": wecom_request,
    "dingtalk": dingtalk_request,
    "feishu": feishu_request,
}
KINDS = tuple(BUILDERS)


def send_robot(
    target: RobotTarget, message: Message, clock: Callable[[], float] = time.time
) -> Outcome:
    """POST one message to a robot and classify the answer; never raises on the network."""
    try:
        url, body = BUILDERS[target.kind](target, message, clock())
    except AuthFailed as error:
        return Outcome(FAILED, str(error))
    client = HttpClient(ROBOT_TIMEOUTS, f"{target.kind} robot {target.name}")
    try:
        reply = client.send("POST", url, json_body=body)
        answer = reply.excerpt(300)
        if reply.status >= 400:
            state = RETRY if reply.status in (408, 429) or reply.status >= 500 else FAILED
            return Outcome(state, f"HTTP {reply.status}", answer, reply.retry_after)
        payload = client.decode(reply)
    except BadPayload as error:
        return Outcome(RETRY, str(error))
    except CollectorError as error:  # timeouts, refused connections, 5xx after retries
        return Outcome(RETRY, str(error))
    finally:
        client.close()
    return _classify(target.kind, payload, answer)


def _classify(kind: str, payload: dict, answer: str) -> Outcome:
    code = payload.get("code" if kind == "feishu" else "errcode", payload.get("StatusCode", 0))
    try:
        code = int(code)
    except (TypeError, ValueError):
        return Outcome(FAILED, f"unexpected answer: {answer}", answer)
    if code == 0:
        return Outcome(DELIVERED, "", answer)
    reason = f"{code} {payload.get('errmsg') or payload.get('msg') or ''}".strip()
    if code in RATE_LIMIT_CODES[kind]:
        return Outcome(RETRY, f"rate limited: {reason}", answer, 60.0)
    return Outcome(FAILED, reason, answer)
