"""网易易盾 text check (v5, version v5.3), signed with its documented MD5 signature: the
parameters sorted by name, name and value concatenated, the secret key appended."""

from __future__ import annotations

import random
import time
import uuid
from urllib.parse import urlencode

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
from moderation.second_opinion.signing import yidun_signature

VERSION = "v5.3"
SUGGESTIONS = {0: PASS, 1: REVIEW, 2: BLOCK}
# 易盾's label numbers -> (its name, the desk's code)
LABELS = {
    100: ("色情", "porn"),
    200: ("广告", "ad"),
    260: ("广告法", "ad"),
    300: ("暴恐", "violence"),
    400: ("违禁", "illegal"),
    500: ("涉政", "politics"),
    600: ("谩骂", "abuse"),
    700: ("灌水", "spam"),
    900: ("其他", "other"),
    1100: ("涉价值观", "values"),
}
THROTTLED = {411, 429}  # 411: 请求频率或数量超过限制


def request_params(settings, text, secret_id, secret_key, timestamp_ms, nonce, data_id) -> dict:
    """The form parameters of one call, `signature` included."""
    params = {
        "secretId": secret_id,
        "businessId": settings.service,
        "version": VERSION,
        "timestamp": str(timestamp_ms),
        "nonce": str(nonce),
        "signatureMethod": "MD5",
        "dataId": data_id,
        "content": text,
    }
    params["signature"] = yidun_signature(params, secret_key)
    return params


def parse(payload: dict) -> Answer:
    """Answer from 易盾's JSON; code other than 200 becomes a ProviderError."""
    code = payload.get("code")
    if code != 200:
        message = f"易盾 code {code}：{str(payload.get('msg', ''))[:200]}"
        raise (ProviderRateLimited if code in THROTTLED else ProviderError)(message)
    result = need(payload, "result", dict, "易盾")
    antispam = need(result, "antispam", dict, "易盾")
    suggestion = antispam.get("suggestion")
    if suggestion not in SUGGESTIONS:
        raise BadAnswer(f"易盾：未知 suggestion {suggestion!r}")
    names, codes = [], []
    for item in antispam.get("labels") or []:
        number = item.get("label") if isinstance(item, dict) else None
        if not isinstance(number, int) or number == 0:
            continue
        name, code = LABELS.get(number, (str(number), "other"))
        subs = [str(s.get("subLabel")) for s in item.get("subLabels") or [] if isinstance(s, dict)]
        names.append(f"{number} {name}" + (f"（{'、'.join(subs)}）" if subs else ""))
        codes.append(code)
    return Answer(SUGGESTIONS[suggestion], codes, names)


class YidunProvider(HttpProvider):
    """Text check v5 over a signed form POST."""

    def ask(self, text: str) -> Answer:
        """One call; the answer or a ProviderError."""
        settings = self.settings
        params = request_params(
            settings,
            text,
            secret(settings.key_id_env),
            secret(settings.key_secret_env),
            int(time.time() * 1000),
            random.randint(1, 2**31 - 1),
            uuid.uuid4().hex,
        )
        body = urlencode(params).encode("utf-8")
        headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
        answer = parse(self.decode(self.post(settings.endpoint, body, headers)))
        return self.priced(answer)
