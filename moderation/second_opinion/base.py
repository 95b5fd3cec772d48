"""What the providers share: one bounded HTTP call, secrets from the environment, errors."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from typing import Any

from moderation.collectors.base import CollectorError, RateLimited
from moderation.collectors.http import HttpClient, HttpOptions, Reply, excerpt
from moderation.second_opinion.config import ProviderSettings
from moderation.second_opinion.model import (
    Answer,
    BadAnswer,
    ProviderError,
    ProviderRateLimited,
    ProviderTimeout,
)


def secret(name: str) -> str:
    """The value of environment variable `name`, or ProviderError naming it."""
    value = os.environ.get(name, "").strip() if name else ""
    if not value:
        raise ProviderError(f"环境变量 {name} 未设置")
    return value


class HttpProvider:
    """A provider that answers over HTTP: one try, bounded by its timeout, no retries (the
    comment goes on without an answer rather than wait)."""

    def __init__(self, settings: ProviderSettings):
        self.settings = settings
        timeout = settings.timeout_seconds
        options = HttpOptions(
            connect_timeout=timeout,
            read_timeout=timeout,
            call_timeout=timeout,
            max_attempts=1,
            backoff_seconds=0,
            max_wait_seconds=0,
            max_body_mb=1,
        )
        self.http = HttpClient(options, label=settings.shown)

    def post(self, url: str, data: bytes, headers: dict[str, str]) -> Reply:
        """POST exact bytes; network trouble becomes a ProviderError of the right kind."""
        try:
            return self.http.send("POST", url, data=data, headers=headers)
        except RateLimited as error:
            raise ProviderRateLimited(str(error)) from None
        except CollectorError as error:
            if "timed out" in str(error):
                raise ProviderTimeout(str(error)) from None
            raise ProviderError(str(error)) from None

    def decode(self, reply: Reply) -> dict:
        """The reply's JSON object; HTTP errors and other shapes become ProviderErrors."""
        if reply.status == 429:
            raise ProviderRateLimited(f"HTTP 429: {reply.excerpt()}")
        try:
            payload = json.loads(reply.body)
        except (ValueError, UnicodeDecodeError):
            raise BadAnswer(f"HTTP {reply.status}，不是 JSON：{reply.excerpt()}") from None
        if not isinstance(payload, dict):
            raise BadAnswer(f"HTTP {reply.status}，不是 JSON 对象：{reply.excerpt()}")
        return payload

    def priced(self, answer: Answer) -> Answer:
        """The parsed answer with what one call costs this provider's account."""
        return replace(answer, cost_units=self.settings.cost_per_call)

    def close(self) -> None:
        """Release the connection pool."""
        self.http.close()


def need(payload: Any, key: str, kind: type | tuple, where: str) -> Any:
    """payload[key] of type `kind`, or BadAnswer naming it."""
    value = payload.get(key) if isinstance(payload, dict) else None
    if not isinstance(value, kind):
        raise BadAnswer(f"{where}：缺少 {key} 或类型不对：{excerpt(json.dumps(payload))}")
    return value
