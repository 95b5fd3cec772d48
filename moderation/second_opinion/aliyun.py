"""阿里云内容安全, enhanced text moderation (Green 2022-03-02: TextModerationPlus, or
TextModeration), signed by hand with the documented RPC signature (HMAC-SHA1).

Alibaba Cloud's SDK for this API pulls the Tea runtime, its OpenAPI core and their own
HTTP stack for one POST; the signature is twenty lines, checked against the
documentation's example in the tests.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
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
from moderation.second_opinion.signing import (
    aliyun_canonical_query,
    aliyun_signature,
    percent_encode,
)

VERSION = "2022-03-02"
SERVICES = {"TextModerationPlus": "comment_detection_pro", "TextModeration": "comment_detection"}
RISK_LEVELS = {"high": BLOCK, "medium": REVIEW, "low": REVIEW, "none": PASS}
THROTTLED = ("Throttling", "588", "429", "QuotaExceeded")
# Prefixes of Alibaba Cloud's label names -> the desk's codes.
LABEL_PREFIXES = (
    ("political", "politics"),
    ("politics", "politics"),
    ("porn", "porn"),
    ("sexual", "porn"),
    ("contraband", "illegal"),
    ("violen", "violence"),
    ("terror", "violence"),
    ("abuse", "abuse"),
    ("inappropriate", "abuse"),
    ("ad", "ad"),
    ("pt_to", "ad"),
    ("flood", "spam"),
    ("spam", "spam"),
    ("meaningless", "spam"),
    ("religion", "values"),
    ("negative", "values"),
    ("harmful", "values"),
    ("personal", "pii"),
)


def desk_label(name: str) -> str:
    """The desk's code for one of Alibaba Cloud's label names."""
    lowered = name.lower()
    return next((code for prefix, code in LABEL_PREFIXES if lowered.startswith(prefix)), "other")


def request_params(settings, text: str, access_key_id: str, now: datetime, nonce: str) -> dict:
    """Every parameter of the call but Signature."""
    action = settings.action or "TextModerationPlus"
    params = {
        "Action": action,
        "Version": VERSION,
        "Format": "JSON",
        "AccessKeyId": access_key_id,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "SignatureNonce": nonce,
        "Timestamp": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Service": settings.service or SERVICES[action],
        "ServiceParameters": json.dumps({"content": text}, ensure_ascii=False),
    }
    if settings.region:
        params["RegionId"] = settings.region
    return params


def signed_body(params: dict, access_key_secret: str) -> bytes:
    """The form body: the canonicalized query plus its Signature (method POST)."""
    signature = aliyun_signature("POST", params, access_key_secret)
    return f"{aliyun_canonical_query(params)}&Signature={percent_encode(signature)}".encode()


def parse(payload: dict, action: str = "TextModerationPlus") -> Answer:
    """Answer from Alibaba Cloud's JSON; its error codes become ProviderErrors."""
    code = payload.get("Code")
    if code != 200:
        message = f"阿里云 Code {code}：{str(payload.get('Message', ''))[:200]}"
        if any(mark in str(code) for mark in THROTTLED):
            raise ProviderRateLimited(message)
        raise ProviderError(message)
    data = need(payload, "Data", dict, "阿里云")
    if action == "TextModeration":
        names = [n for n in str(data.get("labels") or "").split(",") if n.strip()]
        return Answer(REVIEW if names else PASS, [desk_label(n) for n in names], names)
    risk = need(data, "RiskLevel", str, "阿里云").lower()
    if risk not in RISK_LEVELS:
        raise BadAnswer(f"阿里云：未知 RiskLevel {risk!r}")
    names = [
        str(item.get("Label"))
        for item in data.get("Result") or []
        if isinstance(item, dict) and item.get("Label") not in (None, "", "nonLabel")
    ]
    return Answer(RISK_LEVELS[risk], [desk_label(n) for n in names], names)


class AliyunProvider(HttpProvider):
    """TextModerationPlus (or TextModeration) over the RPC style: a signed form POST."""

    def ask(self, text: str) -> Answer:
        """One call; the answer or a ProviderError."""
        settings = self.settings
        params = request_params(
            settings,
            text,
            secret(settings.key_id_env),
            datetime.now(UTC),
            uuid.uuid4().hex,
        )
        body = signed_body(params, secret(settings.key_secret_env))
        url = settings.endpoint.rstrip("/") + "/"
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Host": urlsplit(url).netloc,
        }
        answer = parse(self.decode(self.post(url, body, headers)), params["Action"])
        return self.priced(answer)
