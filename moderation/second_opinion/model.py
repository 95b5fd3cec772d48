"""What every provider answers, the errors it raises, and the desk's own label names."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field

PASS, REVIEW, BLOCK = "pass", "review", "block"
LEVELS = {PASS: "通过", REVIEW: "需审核", BLOCK: "建议拒绝"}

# The desk's label codes: every provider's own names map onto these (shown in Chinese).
LABELS = {
    "abuse": "谩骂",
    "porn": "色情",
    "ad": "广告",
    "politics": "涉政",
    "violence": "暴恐",
    "illegal": "违禁",
    "spam": "灌水",
    "values": "不良价值观",
    "pii": "个人信息",
    "self_harm": "自伤",
    "other": "其他",
}
MAX_LABELS = 20
MAX_LABEL_CHARS = 60


class ProviderError(Exception):
    """A provider did not answer usefully; `kind` says how (recorded with the call)."""

    kind = "failed"


class ProviderTimeout(ProviderError):
    """No answer within the provider's timeout."""

    kind = "timeout"


class ProviderRateLimited(ProviderError):
    """The provider said its quota or rate limit is spent."""

    kind = "rate_limited"


class BadAnswer(ProviderError):
    """An answer that is not what the provider documents."""

    kind = "bad_answer"


@dataclass(frozen=True)
class Answer:
    """A provider's opinion on one text."""

    level: str
    labels: tuple[str, ...] = ()  # the desk's codes (LABELS)
    provider_labels: tuple[str, ...] = ()  # the provider's own names, as it sent them
    cost_units: float = 1.0  # what the call costs in the provider's billing unit
    detail: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        if self.level not in LEVELS:
            raise BadAnswer(f"unknown risk level {self.level!r}")
        object.__setattr__(self, "labels", bounded(self.labels))
        object.__setattr__(self, "provider_labels", bounded(self.provider_labels))


def bounded(names) -> tuple[str, ...]:
    """At most MAX_LABELS distinct label names, each cut to MAX_LABEL_CHARS."""
    kept = dict.fromkeys(str(name)[:MAX_LABEL_CHARS] for name in names if str(name).strip())
    return tuple(kept)[:MAX_LABELS]


def content_digest(text: str) -> str:
    """The cache key of a text: SHA-256 of its NFKC form without whitespace, so the copies
    of a campaign (a space more, a full-width letter) share one answer."""
    folded = "".join(unicodedata.normalize("NFKC", text).split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def label_words(codes) -> str:
    """The desk's label codes in Chinese, joined with 、."""
    return "、".join(LABELS.get(code, code) for code in codes)
