"""A signed webhook (external moderation, as Coral Talk offers it): the desk POSTs JSON,
signed with HMAC-SHA256 over ``timestamp + "." + body``; the service answers JSON.

Request headers: ``X-Moderation-Timestamp`` (Unix seconds) and ``X-Moderation-Signature``
(``sha256=`` + hex). The answer is either the desk's shape, ``{"level": "pass|review|block",
"labels": [...]}``, or Coral's, ``{"status": "APPROVED|REJECTED|SYSTEM_WITHHELD|NONE",
"tags": [...]}``. docs/second-opinion.md has a worked example.
"""

from __future__ import annotations

import json
import time

from moderation.second_opinion.base import HttpProvider, secret
from moderation.second_opinion.model import (
    BLOCK,
    LABELS,
    LEVELS,
    PASS,
    REVIEW,
    Answer,
    BadAnswer,
    content_digest,
)
from moderation.second_opinion.signing import webhook_signature

TIMESTAMP_HEADER = "X-Moderation-Timestamp"
SIGNATURE_HEADER = "X-Moderation-Signature"
CORAL_STATUS = {
    "APPROVED": PASS,
    "NONE": PASS,
    "SYSTEM_WITHHELD": REVIEW,
    "PREMOD": REVIEW,
    "REJECTED": BLOCK,
}


def request(text: str, signing_secret: str, timestamp: int):
    """(body bytes, headers) of one signed call: the text, its digest and the time."""
    body = json.dumps(
        {"id": content_digest(text), "text": text, "sent_at": timestamp},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: webhook_signature(signing_secret, timestamp, body),
    }
    return body, headers


def parse(payload: dict) -> Answer:
    """Answer from the desk's shape or Coral's."""
    if "level" in payload:
        level = payload["level"]
        if level not in LEVELS:
            raise BadAnswer(f"webhook：level 须为 pass、review 或 block，收到 {level!r}")
        names = payload.get("labels") or []
    elif "status" in payload:
        level = CORAL_STATUS.get(str(payload["status"]).upper())
        if level is None:
            raise BadAnswer(f"webhook：未知 status {payload['status']!r}")
        names = payload.get("tags") or []
    else:
        raise BadAnswer("webhook：答复须含 level 或 status")
    if not isinstance(names, list):
        raise BadAnswer("webhook：labels 须为列表")
    names = [str(n) for n in names]
    return Answer(level, [n if n in LABELS else "other" for n in names], names)


class WebhookProvider(HttpProvider):
    """POST the (masked) text to the configured address, signed with the shared secret."""

    def ask(self, text: str) -> Answer:
        """One call; the answer or a ProviderError."""
        settings = self.settings
        body, headers = request(text, secret(settings.key_secret_env), int(time.time()))
        reply = self.post(settings.endpoint, body, headers)
        payload = self.decode(reply)
        if reply.status >= 400:
            raise BadAnswer(f"webhook HTTP {reply.status}：{reply.excerpt()}")
        answer = parse(payload)
        return self.priced(answer)
