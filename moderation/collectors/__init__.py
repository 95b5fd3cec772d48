"""The collector registry: channel type -> (settings dataclass, collector class).

Modules are imported only when a type is used, so `moderation --help` stays fast. The
settings loader validates a channel's own keys into the type's `Options` once, so a
collector receives them typed and this package never imports the settings.
"""

from __future__ import annotations

import importlib

from moderation.declare import register_channel_types

REGISTRY: dict[str, str] = {
    "demo": "moderation.collectors.demo",
    "file": "moderation.collectors.fileimport",
    "jsonfeed": "moderation.collectors.jsonfeed",
    "wechat": "moderation.collectors.wechat",
    "weibo": "moderation.collectors.weibo",
}

# what the dashboard calls each type (a newsroom reads these, not the config's names)
TYPE_LABELS: dict[str, str] = {
    "demo": "演示数据",
    "file": "文件导入",
    "jsonfeed": "网站接口",
    "wechat": "微信公众号",
    "weibo": "微博",
}


def type_label(channel_type: str) -> str:
    """The Chinese name of a channel type (the type itself when unknown)."""
    return TYPE_LABELS.get(channel_type, channel_type)


def known_types() -> list[str]:
    """Every channel type a config may name."""
    return sorted(REGISTRY)


def _module(channel_type: str):
    return importlib.import_module(REGISTRY[channel_type])


def collector_settings_class(channel_type: str) -> type:
    """The dataclass that validates a channel type's own config keys."""
    return _module(channel_type).Options


register_channel_types(known_types, collector_settings_class)


def make_collector(channel, settings=None):
    """Build the collector for a configured channel (options validated by the loader)."""
    module = _module(channel.type)
    return module.Collector(channel=channel, options=channel.options, settings=settings)
