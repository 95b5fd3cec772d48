"""The one WeChat official account (公众号) API client: the collector reads with it, the
push side writes with it.

Every call is ``POST {base_url}<path>?access_token=...`` with a JSON body; WeChat answers
HTTP 200 with ``{"errcode": N, "errmsg": ...}`` (0 or absent: success). This client owns

* the access token: ``/cgi-bin/stable_token``, cached per (base_url, appid) for the process
  until shortly before it expires (scheduled runs must not each spend a token call);
* the token answers 40001/40014/42001: the token is refreshed once and the call repeated,
  a second refusal is :class:`AuthFailed`;
* the quota answers 45009 (daily) and 45011 (per minute): :class:`RateLimited`;
* the HTTP layer's retries (5xx, timeouts, connection errors), and, when asked to record,
  every try with its status, errcode and duration (the push side keeps them);
* :data:`ERRCODES`, every code the comment API documents with its errmsg and Chinese
  meaning. What a code means for a given call (done, failed for good, retry) is decided by
  the caller: a reader of comment/list skips an article on 88000, a writer ends its action.
"""

from __future__ import annotations

import time
from typing import Any

from moderation.collectors.base import AuthFailed, RateLimited
from moderation.collectors.http import Attempt, HttpClient, field, integer, secret_from_env
from moderation.digits import number_or_text

TOKEN_ERRORS = frozenset({40001, 40014, 42001})  # invalid / bad / expired access_token
QUOTA_ERRORS = frozenset({45009, 45011})  # the API's daily / per-minute quota is spent
SYSTEM_BUSY = -1

# code -> (errmsg as WeChat sends it, what it means, in Chinese). From the per-API pages of
# 图文消息留言管理 (developers.weixin.qq.com/doc/service/api/leaving/: api_openarticlecomment,
# api_closecomment, api_listcomment, api_electcomment, api_unelectcomment,
# api_delcomment, api_replycomment, api_delreplycomment) and the 通用错误码 page.
ERRCODES: dict[int, tuple[str, str]] = {
    SYSTEM_BUSY: ("system error", "微信系统繁忙，稍后重试"),
    40001: ("invalid credential", "access_token 无效或不是最新"),
    40014: ("invalid access_token", "不合法的 access_token"),
    42001: ("access_token expired", "access_token 已过期"),
    45009: ("reach max api daily quota limit", "接口调用超过每日限额"),
    45011: ("api minute-quota reach limit", "接口调用太频繁（每分钟限额）"),
    48001: (
        "api unauthorized",
        "该公众号没有留言管理接口权限：仅已认证的企业或组织公众号可以使用",
    ),
    87009: ("invalid signature", "签名无效"),
    88000: (
        "without comment privilege",
        "没有留言权限：该公众号未开通留言功能，或本文未开启留言",
    ),
    88001: ("msg_data is not exists", "该图文不存在"),
    88002: ("the article is limit for safety", "文章因安全原因受限"),
    88003: ("elected comment upper limit", "精选评论数已达上限（每篇 100 条）"),
    88004: ("comment was deleted by user", "读者已删除该评论"),
    88005: ("already reply", "该评论已有回复（每条评论只能有一条官方回复）"),
    88007: ("reply content beyond max len or content len is zero", "回复为空或超出长度限制"),
    88008: ("comment is not exists", "该评论不存在"),
    88009: ("reply is not exists", "回复已不存在"),
    88010: ("count range error. cout <= 0 or count > 50", "每次读取的评论数须为 1–49"),
}

# Tokens live per (base_url, appid) for the process: scheduled runs every few minutes
# must not each spend a stable_token call (it has its own daily quota).
_TOKENS: dict[tuple[str, str], tuple[str, float]] = {}


def meaning(code: int) -> str:
    """The Chinese meaning of an errcode ("未知错误" for one not documented)."""
    return ERRCODES.get(code, ("", "未知错误"))[1]


def forget_tokens() -> None:
    """Drop every cached access token (a test starting clean, an operator's new secret)."""
    _TOKENS.clear()


class Api:
    """One WeChat account's API: token, retries, token and quota answers; `label` names it."""

    def __init__(self, options, label: str, record: bool = False):
        self.options = options
        self.label = label
        self.secret = secret_from_env(
            options.appsecret_env, f"the AppSecret of WeChat account {options.appid}"
        )
        self.http = HttpClient(options, label, record=record)
        self.base = options.base_url.rstrip("/")

    def close(self) -> None:
        """Release the connection pool."""
        self.http.close()

    def take_attempts(self) -> list[Attempt]:
        """Every try since the last take, with its errcode (when built with `record`)."""
        return self.http.take_attempts()

    def access_token(self, refresh: bool = False) -> str:
        """A valid access token, from the process cache unless `refresh`."""
        key = (self.base, self.options.appid)
        cached = _TOKENS.get(key)
        if cached and not refresh and cached[1] > time.monotonic():
            return cached[0]
        _TOKENS.pop(key, None)
        payload = self._token_answer()
        code = self._noted(payload)
        if code in QUOTA_ERRORS:
            raise RateLimited(f"stable_token: {describe(payload)}")
        if code:
            raise AuthFailed(
                f"stable_token refused appid {self.options.appid}: {describe(payload)}"
            )
        token = field(payload, "access_token", str, "stable_token")
        expires_in = field(payload, "expires_in", int, "stable_token")
        margin = min(300, expires_in // 10)  # refresh shortly before WeChat expires it
        _TOKENS[key] = (token, time.monotonic() + expires_in - margin)
        return token

    def _token_answer(self) -> dict:
        """The answer of /cgi-bin/stable_token, or of the classic GET /cgi-bin/token where
        stable_token is not served (HTTP 404/405: an older gateway or a stand-in built to the
        classic page). stable_token comes first: the classic call ends the token every other
        service of the account holds."""
        reply = self.http.send(
            "POST",
            f"{self.base}/cgi-bin/stable_token",
            json_body={
                "grant_type": "client_credential",
                "appid": self.options.appid,
                "secret": self.secret,
                "force_refresh": False,
            },
        )
        if reply.status in (404, 405):
            return self.http.json(
                "GET",
                f"{self.base}/cgi-bin/token",
                params={
                    "grant_type": "client_credential",
                    "appid": self.options.appid,
                    "secret": self.secret,
                },
            )
        return self.http.checked(reply)

    def call(self, path: str, body: dict) -> dict[str, Any]:
        """POST `body` to an API path with the token and return the payload.

        A refused token is refreshed once and the call repeated (AuthFailed if refused
        again); a spent quota raises RateLimited; any other errcode is the caller's.
        """
        for attempt in (1, 2):
            token = self.access_token(refresh=attempt == 2)
            payload = self.http.json(
                "POST", f"{self.base}{path}", params={"access_token": token}, json_body=body
            )
            code = self._noted(payload)
            if code in TOKEN_ERRORS and attempt == 1:
                continue
            if code in TOKEN_ERRORS:
                raise AuthFailed(f"{path}: token refused twice: {describe(payload)}")
            if code in QUOTA_ERRORS:
                raise RateLimited(f"{path}: API quota spent: {describe(payload)}")
            return payload
        raise AssertionError("unreachable")

    def _noted(self, payload: dict) -> int:
        """The payload's errcode, also written on the try it answered (when recording)."""
        code = errcode(payload, self.label)
        if self.http.attempts:
            self.http.attempts[-1].errcode = code
        return code


def article_ids(msgid: str) -> tuple[int | str, int | str]:
    """The comment API's (msg_data_id, index) of an article stored under its datacube msgid.

    The datacube names an article "<msg_data_id>_<n>" with n counted from 1 (its page:
    "3表示5个中的第3个"), while every comment call counts `index` from 0 (its pages: "从0开始").
    Sent as stored, the first article's index 1 would read, feature and delete on the second
    article, and a single-article send would answer 88001. An id without "_n" (or with n = 0,
    which the datacube never gives) is the first article.
    """
    msg_data_id, _, number = msgid.rpartition("_")
    if not msg_data_id:
        return number_or_text(msgid), 0
    index = number_or_text(number)
    return number_or_text(msg_data_id), index - 1 if isinstance(index, int) and index > 0 else index


def errcode(payload: dict, where: str = "answer") -> int:
    """A payload's errcode (0 when absent, digits sent as a string taken as the number);
    BadPayload when it is not a number."""
    return integer(payload, "errcode", where, default=0)


def describe(payload: dict) -> str:
    """ "errcode N: errmsg" for messages and the audit, the errmsg cut to 200 characters."""
    return f"errcode {payload.get('errcode') or 0}: {str(payload.get('errmsg', ''))[:200]}"
