"""The `[[alerts.targets]]` entries of config.toml as typed robot and mail targets.

A target is one robot (type wecom, dingtalk or feishu) or one mail route (type email).
Secrets are never in the file: `key_env`, `secret_env`, `username_env` and `password_env`
name environment variables, read when a message is sent.
"""

from __future__ import annotations

from moderation.alerts.mail import MailTarget
from moderation.alerts.targets import KINDS, RobotTarget
from moderation.collectors.http import check_url

DEFAULT_URLS = {
    "wecom": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
    "dingtalk": "https://oapi.dingtalk.com/robot/send",
    "feishu": "https://open.feishu.cn/open-apis/bot/v2/hook",
}
ROBOT_KEYS = {"name", "type", "url", "key_env", "secret_env"}
MAIL_KEYS = {
    "name", "type", "host", "port", "sender", "recipients", "starttls", "username_env",
    "password_env", "cafile",
}  # fmt: skip


def build_target(entry: dict) -> RobotTarget | MailTarget:
    """One target from its table; ValueError names the key that is wrong."""
    name, kind = entry.get("name"), entry.get("type")
    if not isinstance(name, str) or not name.strip():
        raise ValueError("name: required")
    if kind == "email":
        return _mail(entry)
    if kind not in KINDS:
        raise ValueError(f"type: must be one of {', '.join((*KINDS, 'email'))}, got {kind!r}")
    _no_unknown(entry, ROBOT_KEYS)
    if not entry.get("key_env"):
        raise ValueError("key_env: name the environment variable holding the robot's key/token")
    url = entry.get("url", DEFAULT_URLS[kind])
    if not str(url).startswith(("https://", "http://")):
        raise ValueError(f"url: must start with https:// (got {url!r})")
    try:
        check_url(str(url))
    except ValueError as error:
        raise ValueError(f"url: {error}") from None
    return RobotTarget(
        name=name,
        kind=kind,
        url=url,
        key_env=entry["key_env"],
        secret_env=entry.get("secret_env", ""),
    )


def _mail(entry: dict) -> MailTarget:
    _no_unknown(entry, MAIL_KEYS)
    for key in ("host", "sender", "recipients"):
        if not entry.get(key):
            raise ValueError(f"{key}: required for an email target")
    recipients = entry["recipients"]
    if not isinstance(recipients, list) or not all("@" in str(r) for r in recipients):
        raise ValueError("recipients: a list of e-mail addresses")
    port = entry.get("port", 587)
    if not isinstance(port, int) or not 1 <= port <= 65535:
        raise ValueError(f"port: must be 1 to 65535 (got {port!r})")
    if entry.get("username_env") and not entry.get("password_env"):
        raise ValueError("password_env: required with username_env")
    return MailTarget(
        name=entry["name"],
        host=entry["host"],
        port=port,
        sender=entry["sender"],
        recipients=tuple(str(r) for r in recipients),
        starttls=bool(entry.get("starttls", True)),
        username_env=entry.get("username_env", ""),
        password_env=entry.get("password_env", ""),
        cafile=entry.get("cafile"),
    )


def _no_unknown(entry: dict, known: set[str]) -> None:
    unknown = sorted(set(entry) - known)
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown key (known: {', '.join(sorted(known))})")


def build_targets(entries: list[dict]) -> dict[str, RobotTarget | MailTarget]:
    """Every configured target by name; ValueError for a bad entry or a repeated name."""
    targets: dict[str, RobotTarget | MailTarget] = {}
    for index, entry in enumerate(entries):
        try:
            target = build_target(entry)
        except ValueError as error:
            raise ValueError(f"targets[{index}].{error}") from None
        if target.name in targets:
            raise ValueError(f"targets[{index}].name: {target.name!r} is used twice")
        targets[target.name] = target
    return targets
