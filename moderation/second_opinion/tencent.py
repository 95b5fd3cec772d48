"""腾讯云天御 TMS `TextModeration` (API 3.0, version 2020-12-29), signed by hand with
TC3-HMAC-SHA256 exactly as Tencent documents it.

tencentcloud-sdk-python-tms needs tencentcloud-sdk-python-common and its own HTTP layer
for one POST; the signature is short and checked against the documentation's example.
"""

from __future__ import annotations

import base64
import json
import time
from urllib.parse import urlsplit

from moderation.second_opinion.base import HttpProvider, need, secret
from moderation.second_opinion.model import (
    BLOCK,
    PASS,
    REVIEW,
    Answer,
    BadAnswer,
    ProviderError,
    ProviderRateLimited,
)
from moderation.second_opinion.signing import tc3_authorization

SERVICE, ACTION, VERSION = "tms", "TextModeration", "2020-12-29"
CONTENT_TYPE = "application/json; charset=utf-8"
SUGGESTIONS = {"Pass": PASS, "Review": REVIEW, "Block": BLOCK}
LABELS = {
    "Porn": "porn",
    "Sexy": "porn",
    "Abuse": "abuse",
    "Ad": "ad",
    "Illegal": "illegal",
    "Polity": "politics",
    "Terror": "violence",
    "Spam": "spam",
    "Moan": "porn",
    "Custom": "other",
}


def request(settings, text: str, secret_id: str, secret_key: str, timestamp: int):
    """(body bytes, headers) of one signed TextModeration call."""
    body = {"Content": base64.b64encode(text.encode("utf-8")).decode("ascii")}
    if settings.service:
        body["BizType"] = settings.service
    payload = json.dumps(body, separators=(",", ":")).encode("utf-8")
    host = urlsplit(settings.endpoint).netloc
    signed = {"Content-Type": CONTENT_TYPE, "Host": host}
    signature = tc3_authorization(secret_id, secret_key, SERVICE, timestamp, signed, payload)
    headers = {
        **signed,
        "Authorization": signature["authorization"],
        "X-TC-Action": ACTION,
        "X-TC-Version": VERSION,
        "X-TC-Timestamp": str(timestamp),
        "X-TC-Region": settings.region or "ap-guangzhou",
    }
    return payload, headers


def parse(payload: dict) -> Answer:
    """Answer from {"Response": {...}}; an Error inside becomes a ProviderError."""
    response = need(payload, "Response", dict, "腾讯云")
    error = response.get("Error")
    if isinstance(error, dict):
        code = str(error.get("Code", ""))
        message = f"腾讯云 {code}：{str(error.get('Message', ''))[:200]}"
        if code.startswith(("RequestLimitExceeded", "LimitExceeded")):
            raise ProviderRateLimited(message)
        raise ProviderError(message)
    suggestion = need(response, "Suggestion", str, "腾讯云")
    if suggestion not in SUGGESTIONS:
        raise BadAnswer(f"腾讯云：未知 Suggestion {suggestion!r}")
    names = [str(response.get("Label") or "")]
    names += [
        str(item.get("Label"))
        for item in response.get("DetailResults") or []
        if isinstance(item, dict) and item.get("Suggestion") in ("Review", "Block")
    ]
    names = [n for n in names if n and n != "Normal"]
    return Answer(SUGGESTIONS[suggestion], [LABELS.get(n, "other") for n in names], names)


class TencentProvider(HttpProvider):
    """TextModeration over JSON POST with an Authorization header."""

    def ask(self, text: str) -> Answer:
        """One call; the answer or a ProviderError."""
        settings = self.settings
        body, headers = request(
            settings,
            text,
            secret(settings.key_id_env),
            secret(settings.key_secret_env),
            int(time.time()),
        )
        answer = parse(self.decode(self.post(settings.endpoint.rstrip("/") + "/", body, headers)))
        return self.priced(answer)
