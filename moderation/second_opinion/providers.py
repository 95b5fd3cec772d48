"""The provider object for each configured provider type."""

from __future__ import annotations

from moderation.second_opinion.aliyun import AliyunProvider
from moderation.second_opinion.config import ProviderSettings
from moderation.second_opinion.guard import GuardProvider
from moderation.second_opinion.tencent import TencentProvider
from moderation.second_opinion.webhook import WebhookProvider
from moderation.second_opinion.yidun import YidunProvider

KINDS = {
    "aliyun": AliyunProvider,
    "tencent": TencentProvider,
    "yidun": YidunProvider,
    "webhook": WebhookProvider,
    "guard": GuardProvider,
}


def make_provider(settings: ProviderSettings):
    """The provider object for one configured provider (it has ``settings`` and ``ask``)."""
    return KINDS[settings.type](settings)
