"""Writing decisions back to the channels: the actions each channel type can take, one
client per channel type (sharing the collectors' HTTP layer). The outbox sender lives a
layer up, in `moderation.sending.push_outbox`.

The registry mirrors `moderation.collectors`: channel type -> module with a `Client` and a
`request(action)` that says what would be sent (recorded as is by a dry run).
"""

from __future__ import annotations

REGISTRY: dict[str, str] = {
    "jsonfeed": "moderation.push.jsonfeed",
    "wechat": "moderation.push.wechat",
    "weibo": "moderation.push.weibo",
}


def pushable(channel_type: str) -> bool:
    """Whether a channel type can take actions at all (demo and file imports cannot)."""
    return channel_type in REGISTRY
