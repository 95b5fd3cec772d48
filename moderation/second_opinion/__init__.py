"""A second opinion on a comment from a content-safety service or a local guard model.

One interface for every provider: a comment's text in; a risk level (pass / review /
block), the desk's labels, the provider's own label names and the latency out. Each
provider signs its requests exactly as its documentation shows (``signing``) and parses
its own answers (one module per provider). Nothing here touches the database: the
pipeline asks (``ask_all``, bounded by each provider's timeout) and storage keeps the
answers, the cache and the budget counts.
"""

from moderation.second_opinion.ask import Asked, ask_all
from moderation.second_opinion.config import (
    PROVIDER_TYPES,
    ProviderSettings,
    SecondOpinionSettings,
    build_providers,
)
from moderation.second_opinion.model import (
    BLOCK,
    LEVELS,
    PASS,
    REVIEW,
    Answer,
    ProviderError,
    content_digest,
)
from moderation.second_opinion.providers import make_provider

__all__ = [
    "BLOCK",
    "LEVELS",
    "PASS",
    "PROVIDER_TYPES",
    "REVIEW",
    "Answer",
    "Asked",
    "ProviderError",
    "ProviderSettings",
    "SecondOpinionSettings",
    "ask_all",
    "build_providers",
    "content_digest",
    "make_provider",
]
