"""Channel actions, one model for all channels: names, inverses, what each type supports,
and the per-channel push settings (which decision triggers which action).

An action is a plain :class:`Action` (what to do to which native ids); a client answers it
with an :class:`Outcome`: done (perhaps "already so"), or failed for good with a reason.
Transient trouble is raised as the collectors' typed errors (ChannelUnavailable,
RateLimited, AuthFailed) and the sender retries later.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from moderation.collectors.http import check_url
from moderation.declare import ChannelKeys, register_channel_keys, register_section, setting
from moderation.digits import whole_number

FEATURE = "feature"  # WeChat 精选
UNFEATURE = "unfeature"
DELETE = "delete"
REPLY = "reply"
DELETE_REPLY = "delete_reply"
OPEN_COMMENTS = "open_comments"
CLOSE_COMMENTS = "close_comments"
ACTIONS = (FEATURE, UNFEATURE, DELETE, REPLY, DELETE_REPLY, OPEN_COMMENTS, CLOSE_COMMENTS)
# The outcome of a reader's report or a commenter's appeal, told to the site (jsonfeed only)
# so it can answer the reader; the outcome travels as an object (push/jsonfeed.request).
REPORT_OUTCOME = "report_outcome"
APPEAL_OUTCOME = "appeal_outcome"
OUTCOME_ACTIONS = frozenset({REPORT_OUTCOME, APPEAL_OUTCOME})
NONE = "none"

LABELS = {
    FEATURE: "精选",
    UNFEATURE: "取消精选",
    DELETE: "删除",
    REPLY: "官方回复",
    DELETE_REPLY: "删除回复",
    OPEN_COMMENTS: "打开评论",
    CLOSE_COMMENTS: "关闭评论",
    REPORT_OUTCOME: "举报处理结果",
    APPEAL_OUTCOME: "申诉处理结果",
}

# What undoes what: an undone decision sends the inverse of what was pushed.
INVERSE = {
    FEATURE: UNFEATURE,
    UNFEATURE: FEATURE,
    REPLY: DELETE_REPLY,
    OPEN_COMMENTS: CLOSE_COMMENTS,
    CLOSE_COMMENTS: OPEN_COMMENTS,
}
# Actions after which a comment is no longer on the channel (nothing more to send for it).
REMOVING = frozenset({DELETE})

# What each channel type can do. Weibo deletes readers' comments only through the
# commercial comments/destroy/biz API, so DELETE is added there by `destroy_biz = true`.
SUPPORTED = {
    "wechat": frozenset(ACTIONS),
    "jsonfeed": frozenset(ACTIONS),
    "weibo": frozenset({REPLY}),
}
# Reply length limits in characters: WeChat's reply/add answers 88007 beyond its limit
# (the number is not published; 600 is the 留言 box's limit in the admin UI); Weibo's
# comments/reply takes 140 Chinese characters (open.weibo.com/wiki/2/comments/reply).
REPLY_LIMITS = {"wechat": 600, "jsonfeed": 2000, "weibo": 140}
# Approve/reject defaults: reversible where the channel allows it.
DEFAULT_ON_APPROVE = {"wechat": FEATURE, "jsonfeed": FEATURE, "weibo": NONE}
DEFAULT_ON_REJECT = {"wechat": UNFEATURE, "jsonfeed": DELETE, "weibo": NONE}

MODES = ("off", "dry_run", "on")


@dataclass(frozen=True)
class PushSettings:
    """`[push]`: what holds for pushing on every channel."""

    self_sign_off: bool = setting(
        False,
        "A chief editor may sign off an official reply they wrote themselves (false: the "
        "sign-off must be by someone other than the reply's author).",
    )


class PushSettingsError(ValueError):
    """A push setting that cannot work; the message names the key."""


@dataclass(frozen=True)
class PushOptions:
    """A channel's push keys (they sit in its [[channels]] table beside the collector's)."""

    push: str = setting(
        "off",
        "Decisions pushed back to the channel: off (nothing, the default), dry_run (record "
        "what would be sent, send nothing) or on.",
    )
    on_approve: str = setting(
        "", "What an approve pushes: feature or none (empty: the channel type's default)."
    )
    on_reject: str = setting(
        "",
        "What a reject pushes: delete, unfeature or none (empty: the channel type's default).",
    )
    replies_need_sign_off: bool = setting(
        True, "A chief editor signs an official reply off before it is sent."
    )
    destroy_biz: bool = setting(
        False, "weibo: delete readers' comments through the commercial comments/destroy/biz."
    )
    moderation_url: str = setting(
        "", "jsonfeed: the site's moderation endpoint (see docs/channels-and-push.md)."
    )
    moderation_secret_env: str = setting(
        "", "jsonfeed: environment variable holding the HMAC-SHA256 shared secret."
    )
    close_at: str = setting("", '"HH:MM" Beijing time: close comments on every story daily.')
    reopen_at: str = setting("", '"HH:MM" Beijing time: open them again.')
    close_after_days: int = setting(
        0,
        "Close a story's comments this many days after publication (0: never).",
        min=0,
        max=3650,
    )

    def supported(self, channel_type: str) -> frozenset[str]:
        """The actions this channel can take."""
        actions = SUPPORTED.get(channel_type, frozenset())
        if channel_type == "weibo" and self.destroy_biz:
            actions = actions | {DELETE}
        return actions

    def approve_action(self, channel_type: str) -> str:
        """What an approve pushes (NONE for nothing)."""
        return self.on_approve or DEFAULT_ON_APPROVE.get(channel_type, NONE)

    def reject_action(self, channel_type: str) -> str:
        """What a reject pushes (NONE for nothing)."""
        if self.on_reject:
            return self.on_reject
        if channel_type == "weibo" and self.destroy_biz:
            return DELETE
        return DEFAULT_ON_REJECT.get(channel_type, NONE)

    def check(self, channel_type: str) -> None:
        """Raise PushSettingsError naming the first key that cannot work for this channel."""
        if self.push not in MODES:
            raise PushSettingsError(f"push: must be one of {', '.join(MODES)}, got {self.push!r}")
        if channel_type not in SUPPORTED:
            if self.push != "off":
                raise PushSettingsError(f"push: a {channel_type} channel cannot push")
            return
        supported = self.supported(channel_type)
        for key, value, allowed in (
            ("on_approve", self.approve_action(channel_type), {FEATURE, NONE}),
            ("on_reject", self.reject_action(channel_type), {DELETE, UNFEATURE, NONE}),
        ):
            if value not in allowed:
                raise PushSettingsError(f"{key}: must be one of {', '.join(sorted(allowed))}")
            if value != NONE and value not in supported:
                raise PushSettingsError(f"{key}: a {channel_type} channel cannot {value}")
        for key in ("close_at", "reopen_at"):
            if getattr(self, key) and parse_clock(getattr(self, key)) is None:
                raise PushSettingsError(f"{key}: expected HH:MM (Beijing time)")
        if self.close_after_days < 0:
            raise PushSettingsError("close_after_days: must be 0 (never) or more")
        if channel_type == "jsonfeed" and self.push != "off":
            if not self.moderation_url.startswith(("http://", "https://")):
                raise PushSettingsError("moderation_url: the site's moderation endpoint (http…)")
            try:
                check_url(self.moderation_url)
            except ValueError as error:
                raise PushSettingsError(f"moderation_url: {error}") from None
            if not self.moderation_secret_env:
                raise PushSettingsError("moderation_secret_env: name the HMAC secret's env var")
        if self.destroy_biz and channel_type != "weibo":
            raise PushSettingsError("destroy_biz: only for weibo channels")

    def policy(self, channel_type: str) -> dict[str, Any]:
        """The part the storage layer needs to turn decisions into actions."""
        return {
            "mode": self.push,
            "on_approve": self.approve_action(channel_type),
            "on_reject": self.reject_action(channel_type),
            "supported": " ".join(sorted(self.supported(channel_type))),
            "replies_need_sign_off": int(self.replies_need_sign_off),
            "reply_limit": REPLY_LIMITS.get(channel_type, 0),
            "close_at": self.close_at,
            "reopen_at": self.reopen_at,
            "close_after_days": self.close_after_days,
        }


PUSH_KEYS = frozenset(field.name for field in dataclasses.fields(PushOptions))


def push_options(channel) -> PushOptions:
    """A configured channel's push keys (validated with the rest of the config at start)."""
    return channel.push if channel.push is not None else PushOptions()


def policies(settings) -> dict[str, dict]:
    """Each channel's push policy, as the storage layer keeps it."""
    return {
        channel.name: {
            "type": channel.type,
            **push_options(channel).policy(channel.type),
            "enabled": int(getattr(channel, "enabled", True)),
        }
        for channel in settings.channels
        if channel.type in SUPPORTED
    }


def parse_clock(text: str) -> tuple[int, int] | None:
    """ "23:00" -> (23, 0); None when it is not a time of day."""
    hours, _, minutes = text.partition(":")
    hour, minute = whole_number(hours), whole_number(minutes)
    if hour is None or minute is None or len(minutes) != 2 or hour > 23 or minute > 59:
        return None
    return hour, minute


@dataclass(frozen=True)
class Action:
    """One action to take on a channel: what and on which native ids."""

    name: str
    key: str  # idempotency key: the same action is never applied twice in effect
    comment_native_id: str | None = None
    story_native_id: str | None = None
    text: str | None = None  # a reply's text
    decision_id: int | None = None
    at: str = ""  # when the decision was taken (ISO-8601 UTC)


@dataclass
class Outcome:
    """How an action ended: done (maybe `already` so) or failed for good, and the exchange."""

    done: bool
    note: str = ""  # why it failed, or what "already" means
    request: dict[str, Any] = field(default_factory=dict)
    answer: str = ""


register_section("push", PushSettings)  # [push] in config.toml
register_channel_keys(
    ChannelKeys("push", PushOptions, lambda options, channel_type: options.check(channel_type))
)
