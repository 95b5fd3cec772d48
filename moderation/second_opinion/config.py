"""The `[second_opinion]` section and its providers, declared once (moderation.declare).

Nothing is sent anywhere unless a provider is configured here and a channel or a rule asks
it. Secrets never sit in the file: each ``*_env`` key names the environment variable that
holds one, read at the moment of a call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from moderation.declare import SettingsError, build, register_section, setting

ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
NAME = re.compile(r"[A-Za-z0-9_\-]{1,40}")
# type -> (what it is, its default address)
PROVIDER_TYPES = {
    "aliyun": ("阿里云内容安全（文本审核增强版）", "https://green-cip.cn-shanghai.aliyuncs.com"),
    "tencent": ("腾讯云天御文本内容安全 TMS", "https://tms.tencentcloudapi.com"),
    "yidun": ("网易易盾文本检测 v5", "http://as.dun.163.com/v5/text/check"),
    "webhook": ("签名 webhook（外部审核）", ""),
    "guard": ("本地守卫模型（OpenAI 兼容接口）", "http://127.0.0.1:8080"),
}
SECRET_KEYS = {  # type -> the *_env keys it needs
    "aliyun": ("key_id_env", "key_secret_env"),
    "tencent": ("key_id_env", "key_secret_env"),
    "yidun": ("key_id_env", "key_secret_env"),
    "webhook": ("key_secret_env",),
    "guard": (),
}


def _env_name(name: str) -> None:
    if name and not ENV_NAME.fullmatch(name):
        raise ValueError(f"{name!r} is not an environment variable name")


def _name(name: str) -> None:
    if not NAME.fullmatch(name):
        raise ValueError("1-40 letters, digits, _ or -")


def _type(kind: str) -> None:
    if kind not in PROVIDER_TYPES:
        raise ValueError(f"unknown provider type {kind!r} (known: {', '.join(PROVIDER_TYPES)})")


def _url(url: str) -> None:
    if url and not re.match(r"https?://[^\s/]+", url):
        raise ValueError(f"{url!r}: expected an http:// or https:// address")


@dataclass(frozen=True)
class ProviderSettings:
    """One provider in `[[second_opinion.providers]]`."""

    name: str = setting(help="Unique name, used by channels and rules.", check=_name)
    type: str = setting(
        help="aliyun, tencent, yidun, webhook or guard (an OpenAI-compatible guard model).",
        check=_type,
    )
    label: str = setting("", "Shown on cards and /metrics, e.g. 阿里云 (empty: the name).")
    url: str = setting(
        "",
        "Endpoint (empty: the provider's documented default; required for webhook).",
        check=_url,
    )
    timeout_seconds: float = setting(
        2.0,
        "Scoring waits at most this long for the answer, then goes on without it.",
        min=0.05,
        max=60,
    )
    calls_per_minute: int = setting(60, "At most this many calls a minute.", min=1, max=100000)
    calls_per_day: int = setting(
        5000,
        "At most this many calls a Beijing day (the contract's quota).",
        min=1,
        max=10_000_000,
    )
    cost_per_call: float = setting(
        1.0,
        "Cost units one call counts on /metrics (e.g. the price per call in 分).",
        min=0,
        max=1_000_000,
    )
    key_id_env: str = setting(
        "",
        "Environment variable holding the AccessKeyId / SecretId / secretId.",
        check=_env_name,
    )
    key_secret_env: str = setting(
        "",
        "Environment variable holding the AccessKeySecret / SecretKey / secretKey, the "
        "webhook's signing secret or the guard endpoint's API key.",
        check=_env_name,
    )
    region: str = setting("", "aliyun: RegionId (cn-shanghai); tencent: Region (ap-guangzhou).")
    service: str = setting(
        "",
        "aliyun: Service (comment_detection_pro for TextModerationPlus, comment_detection "
        "for TextModeration); tencent: BizType; yidun: businessId.",
    )
    action: str = setting("", "aliyun: TextModerationPlus (default) or TextModeration.")
    model: str = setting("", "guard: the served model's name (e.g. qwen3guard-gen-0.6b).")

    def __post_init__(self):
        missing = [key for key in SECRET_KEYS[self.type] if not getattr(self, key)]
        if missing:
            raise ValueError(f"{missing[0]}: {self.type} needs it (an environment variable name)")
        if self.type == "webhook" and not self.url:
            raise ValueError("url: a webhook needs its address")
        if self.type == "yidun" and not self.service:
            raise ValueError("service: yidun needs the businessId")
        if self.action not in ("", "TextModerationPlus", "TextModeration"):
            raise ValueError("action: TextModerationPlus or TextModeration")

    @property
    def shown(self) -> str:
        """The name cards and /metrics show."""
        return self.label or self.name

    @property
    def endpoint(self) -> str:
        """The configured address, or the documented default (Aliyun's is per region)."""
        if not self.url and self.type == "aliyun" and self.region:
            return f"https://green-cip.{self.region}.aliyuncs.com"
        return self.url or PROVIDER_TYPES[self.type][1]


def build_providers(entries: list) -> dict[str, ProviderSettings]:
    """{name: ProviderSettings} from the TOML tables; SettingsError names the bad key."""
    providers: dict[str, ProviderSettings] = {}
    for index, entry in enumerate(entries):
        where = f"second_opinion.providers[{index}]"
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            where = f"second_opinion.providers.{entry['name']}"
        provider = build(ProviderSettings, entry, where)
        if provider.name in providers:
            raise SettingsError(f"{where}: provider names must be unique")
        providers[provider.name] = provider
    return providers


def _valid_providers(entries: list) -> None:
    try:
        build_providers(entries)
    except SettingsError as error:
        raise ValueError(str(error)) from None


@dataclass(frozen=True)
class SecondOpinionSettings:
    """Second opinions: content-safety services, a signed webhook or a local guard model,
    asked where a rule says (action ask_second_opinion) or for every comment of a channel
    (the channel's `second_opinion` key). Nothing is sent unless configured here."""

    mask_before_sending: bool = setting(
        True,
        "Mask personal data (mobiles, ID and card numbers, e-mail, WeChat/QQ ids) before a "
        "text leaves the machine.",
    )
    cache_days: int = setting(
        30,
        "An answer is reused for the same text (by content digest) this many days.",
        min=0,
        max=3650,
    )
    providers: list[dict] = setting(
        [],
        "The providers: [[second_opinion.providers]] tables with name, type and the type's "
        "keys (docs/second-opinion.md lists them). Secrets come from the environment "
        "variables the *_env keys name.",
        example=[],
        check=_valid_providers,
    )

    def provider_settings(self) -> dict[str, ProviderSettings]:
        """{name: ProviderSettings} of the configured providers."""
        return build_providers(self.providers)


register_section("second_opinion", SecondOpinionSettings)  # [second_opinion] in config.toml
