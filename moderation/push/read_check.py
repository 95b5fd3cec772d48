"""The setup check of a Weibo or site channel: the collector's first read, and the push secret.

Neither platform offers a "may I?" question like WeChat's ``comment/list`` answer 48001:
what the desk can check without changing anything is that the channel answers its own read
with the configured credentials, and that the secret the pushes are signed or sent with is
set. Whether the platform accepts a write is known only when one is sent (the channel page
then shows it).
"""

from __future__ import annotations

import os

from moderation.collectors import make_collector
from moderation.collectors.base import AuthFailed, CollectorError


def check(channel, push) -> tuple[bool, str]:
    """(usable, why in Chinese) for a jsonfeed or weibo channel with its push keys."""
    missing = _missing_push_secret(channel, push)
    try:
        pages = make_collector(channel).pages(None)
    except AuthFailed as error:
        return False, f"凭证未设置，请设置后重试：{error}"
    try:
        page = next(pages, None)
    except AuthFailed as error:
        return False, f"凭证被拒，请更新访问令牌或密钥后重试：{error}"
    except CollectorError as error:
        return False, f"无法确认，渠道暂不可用，请检查地址与网络后重试：{error}"
    finally:
        pages.close()
    found = _found(page)
    if missing:
        return False, f"可以读取评论（{found}），但不能推送：环境变量 {missing} 未设置"
    return True, f"可以读取评论（{found}）；写入是否被接受，第一次推送时才知道"


def _missing_push_secret(channel, push) -> str | None:
    """The environment variable a push needs and lacks (None when set, or not needed)."""
    if push.push == "off":
        return None
    name = (
        push.moderation_secret_env
        if channel.type == "jsonfeed"
        else getattr(channel.options, "access_token_env", "")
    )
    return name if name and not os.environ.get(name, "").strip() else None


def _found(page) -> str:
    """What the first read brought, in a few words."""
    if page is None:
        return "暂无内容"
    return f"第一页 {len(page.stories)} 篇稿件、{len(page.comments)} 条评论"
