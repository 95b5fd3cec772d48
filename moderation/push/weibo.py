"""Weibo (微博): official replies, and deleting readers' comments when allowed.

* ``POST /2/comments/reply.json`` (form: ``access_token, cid, id, comment``; the comment
  at most 140 Chinese characters) -- open.weibo.com/wiki/2/comments/reply.
* ``POST https://c.api.weibo.com/2/comments/destroy/biz.json`` (form: ``access_token,
  cid``), the commercial API that deletes a comment under the account's own post --
  open.weibo.com/wiki/C/2/comments/destroy/biz. Used only with ``destroy_biz = true``.

Errors come as ``{"error", "error_code", "request"}``: 10022-10024 are rate limits (the
batch stops), the auth codes stop the batch for an operator, 20101/20132 (post gone) and
20201 (comment gone) end a removal as done and anything else as failed.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from moderation.collectors import weibo as collector
from moderation.collectors.base import AuthFailed, ChannelUnavailable
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

    def close(self) -> None:
        """Release the connection pool."""
        self.http.close()

    def take_attempts(self):
        """The HTTP tries of the last action (status or trouble, duration)."""
        return self.http.take_attempts()

    def apply(self, action: Action) -> Outcome:
        """Send one action; typed errors for what should be retried, an Outcome otherwise."""
        call = request(action)
        reply = self.http.send(
            "POST",
            f"{self.base}{call['path']}",
            params={"access_token": self.token},
            data=urlencode(call["form"]).encode("ascii"),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        answer = f"HTTP {reply.status}: {excerpt(reply.body, 200)}"
        outcome = Outcome(done=True, request=call, answer=answer)
        if reply.status < 300:
            return outcome
        code = _error_code(reply.body)
        if code in collector.AUTH_ERRORS or reply.status == 401:
            raise AuthFailed(f"weibo {self.channel.name}: token refused: {answer}")
        gone = code in COMMENT_GONE or code in collector.STATUS_GONE
        if gone and action.name == DELETE:
            outcome.note = "已不在微博上"
        elif reply.status < 500:
            outcome.done, outcome.note = False, f"微博拒绝（error_code {code}）"
        else:
            raise ChannelUnavailable(f"weibo {self.channel.name}: {answer}")
        return outcome


def _error_code(body: bytes) -> int | None:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return payload.get("error_code") if isinstance(payload, dict) else None


def request(action: Action) -> dict:
    """The path and form fields an action is sent as (without the token)."""
    form = {"cid": (action.comment_native_id or "").rpartition(":")[2]}
    if action.name == REPLY:
        form.update(id=action.story_native_id, comment=action.text or "")
    return {"path": PATHS[action.name], "form": form}
