"""The website and app (jsonfeed channels): the moderation endpoint the site implements.

Contract (docs/channels-and-push.md, "The site's moderation endpoint"):
``POST {moderation_url}`` with a JSON body ``{"action", "comment_id", "story_id",
"idempotency_key", "decision_id", "timestamp", "text"}`` (UTF-8, keys sorted, no spaces),
signed with HMAC-SHA256 over the exact body bytes with the shared secret, hex in the
header ``X-ZZRB-Signature: sha256=<hex>``. The site answers 2xx once the action is applied
(or was applied before under the same idempotency key), 404 when the comment or story is
not there, 401/403 for a bad signature, another 4xx for an action it refuses, with
``{"error": "..."}``.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from moderation.collectors.base import AuthFailed, ChannelUnavailable
from moderation.collectors.http import HttpClient, excerpt, secret_from_env
from moderation.push.actions import (
    DELETE,
    DELETE_REPLY,
    OUTCOME_ACTIONS,
    UNFEATURE,
    Action,
    Outcome,
)

SIGNATURE_HEADER = "X-ZZRB-Signature"
REMOVALS = frozenset({UNFEATURE, DELETE, DELETE_REPLY})


def body_bytes(fields: dict) -> bytes:
    """The exact bytes sent and signed: compact JSON, keys sorted, raw UTF-8."""
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signature(secret: str, body: bytes) -> str:
    """The header value: HMAC-SHA256 of the body with the shared secret, as sha256=<hex>."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class Client:
    """Posts signed actions to one site's moderation endpoint."""

    def __init__(self, channel, options, push):
        self.channel = channel
        self.url = push.moderation_url
        self.secret = secret_from_env(
            push.moderation_secret_env, f"the moderation endpoint secret of {channel.name}"
        )
        self.http = HttpClient(options, f"jsonfeed {channel.name}", record=True)

    def close(self) -> None:
        """Release the connection pool."""
        self.http.close()

    def take_attempts(self):
        """The HTTP tries of the last action (status or trouble, duration)."""
        return self.http.take_attempts()

    def apply(self, action: Action) -> Outcome:
        """Send one action; 2xx is done, 404 is done for removals, other 4xx fail for good."""
        fields = request(action)
        body = body_bytes(fields)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            SIGNATURE_HEADER: signature(self.secret, body),
            "Idempotency-Key": action.key,
        }
        reply = self.http.send("POST", self.url, data=body, headers=headers)
        answer = f"HTTP {reply.status}: {excerpt(reply.body, 200)}"
        outcome = Outcome(done=True, request=fields, answer=answer)
        if 200 <= reply.status < 300:
            return outcome
        if reply.status in (401, 403):
            raise AuthFailed(f"{self.channel.name}: moderation endpoint refused: {answer}")
        if reply.status == 404 and action.name in REMOVALS:
            outcome.note = "已不在网站上"
        elif 400 <= reply.status < 500:
            outcome.done, outcome.note = False, f"网站拒绝：{excerpt(reply.body, 80)}"
        else:
            raise ChannelUnavailable(f"{self.channel.name}: moderation endpoint: {answer}")
        return outcome


def request(action: Action) -> dict:
    """The body an action is sent as (also what a dry run records). A report's or an
    appeal's outcome adds ``outcome`` (docs/operator-duties.md), its text stays null."""
    fields = {
        "action": action.name,
        "comment_id": action.comment_native_id,
        "story_id": action.story_native_id,
        "idempotency_key": action.key,
        "decision_id": action.decision_id,
        "timestamp": action.at,
        "text": action.text,
    }
    if action.name in OUTCOME_ACTIONS:
        fields["outcome"] = json.loads(action.text or "{}")
        fields["text"] = None
    return fields
