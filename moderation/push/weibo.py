"""Weibo (微博): official replies, and deleting readers' comments when allowed.

* ``POST /2/comments/reply.json`` (form: ``access_token, cid, id, comment``; the comment
  at most 140 Chinese characters) -- open.weibo.com/wiki/2/comments/reply.
* ``POST https://c.api.weibo.com/2/comments/destroy/biz.json`` (form: ``access_token,
  cid``), the commercial API that deletes a comment under the account's own post --
  open.weibo.com/wiki/C/2/comments/destroy/biz. Used only with ``destroy_biz = true``.

Errors come as ``{"error", "error_code", "request"}``, the code a number or a string (the
wiki's own examples quote it), usually with HTTP 400/403 and at times with 200: the code
decides, not the status. 10022-10024 are rate limits (the channel pauses), the auth codes
stop the batch for an operator, 20101/20132 (post gone) and 20201 (comment gone) end a
removal as done and anything else as failed; a 5xx without one of these is retried.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from moderation.collectors import weibo as collector
from moderation.collectors.base import AuthFailed, ChannelUnavailable, RateLimited
from moderation.collectors.http import HttpClient, excerpt, secret_from_env
from moderation.push.actions import DELETE, REPLY, Action, Outcome

COMMENT_GONE = frozenset({20201})  # "Target comment does not exist"
PATHS = {REPLY: "/2/comments/reply.json", DELETE: "/2/comments/destroy/biz.json"}


class Client:
    """Replies to (and, with destroy_biz, deletes) comments under the newsroom's posts."""

    def __init__(self, channel, options: collector.Options, push=None):
        self.channel = channel
        self.token = secret_from_env(options.access_token_env, "the Weibo access token")
        self.http = HttpClient(
            options, f"weibo {channel.name}", rate_limited=collector.quota_answer, record=True
        )
        self.base = options.base_url.rstrip("/")
        self.biz_base = collector.biz_base(options)

    def close(self) -> None:
        """Release the connection pool."""
        self.http.close()

    def take_attempts(self):
        """The HTTP tries of the last action (status or trouble, duration)."""
        return self.http.take_attempts()

    def apply(self, action: Action) -> Outcome:
        """Send one action; typed errors for what should be retried, an Outcome otherwise."""
        call = request(action)
        base = self.biz_base if call["path"].endswith("/biz.json") else self.base
        reply = self.http.send(
            "POST",
            f"{base}{call['path']}",
            params={"access_token": self.token},
            data=urlencode(call["form"]).encode("ascii"),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        answer = f"HTTP {reply.status}: {excerpt(reply.body, 200)}"
        outcome = Outcome(done=True, request=call, answer=answer)
        code = _error_code(reply.body)
        if reply.status < 300 and code is None:
            return outcome
        return self.refused(action, reply.status, code, outcome)

    def refused(self, action: Action, status: int, code, outcome: Outcome) -> Outcome:
        """What an error answer means for the action. The error_code decides whatever the
        HTTP status: Weibo sends it as a number or a string, with 4xx (a spent quota with
        403) and at times with 200."""
        where = f"weibo {self.channel.name}: {outcome.answer}"
        if code in collector.RATE_LIMITS:
            raise RateLimited(f"{where}: rate limited; the channel waits")
        if code in collector.AUTH_ERRORS or status == 401:
            raise AuthFailed(f"{where}: token refused")
        gone = code in COMMENT_GONE or code in collector.STATUS_GONE
        if gone and action.name == DELETE:
            outcome.note = "已不在微博上"
        elif status >= 500:
            raise ChannelUnavailable(where)
        else:
            outcome.done, outcome.note = False, f"微博拒绝（error_code {code}）"
        return outcome


def _error_code(body: bytes) -> int | str | None:
    """The answer's error_code (a number, also when sent as a string), None without one."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return collector.error_code(payload)


def request(action: Action) -> dict:
    """The path and form fields an action is sent as (without the token)."""
    form = {"cid": (action.comment_native_id or "").rpartition(":")[2]}
    if action.name == REPLY:
        form.update(id=action.story_native_id, comment=action.text or "")
    return {"path": PATHS[action.name], "form": form}
