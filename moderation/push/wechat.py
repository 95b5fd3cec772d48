"""WeChat official account (公众号) comment management: 精选, delete, replies, open/close.

Built to 图文消息留言管理 (developers.weixin.qq.com/doc/offiaccount/Comments_management/
Image_Comments_Management_Interface.html, and the per-API pages under
developers.weixin.qq.com/doc/service/api/leaving/: api_electcomment, api_unelectcomment,
api_delcomment, api_replycomment, api_delreplycomment, api_openarticlecomment,
api_closecomment). Every call is ``POST /cgi-bin/comment/<verb>?access_token=...`` with a
JSON body of ``msg_data_id`` (number), ``index`` (number, article within the mass send,
from 0) and, per comment, ``user_comment_id`` (number); reply/add adds ``content``. The
answer is ``{"errcode": 0, "errmsg": "ok"}`` or an error code (HTTP 200 either way).

How each documented error code ends (the sender records the note):

======  ===============================  =================================================
code    errmsg                           outcome here
======  ===============================  =================================================
45009   reach max api daily quota limit  RateLimited: the batch stops, resumes later
40001,  invalid / expired access_token   token refreshed once, the call repeated
42001
88000   without comment privilege        failed for good: 没有留言权限
88001   msg_data is not exists           removal done (article gone); else failed
88002   the article is limit for safety  failed for good: 文章因安全原因受限
88003   elected comment upper limit      failed for good: 精选已达上限（每篇 100 条）
88004   comment was deleted by user      removal done (already gone); else failed
88005   already reply                    reply done (already replied)
88007   reply content beyond max len or  failed for good (length is checked before
        content len is zero              sending, so this means the limit changed)
88008   comment is not exists            removal done (already gone); else failed
======  ===============================  =================================================
"""

from __future__ import annotations

from moderation.collectors import wechat as collector
from moderation.collectors.base import AuthFailed, ChannelUnavailable, RateLimited
from moderation.collectors.http import HttpClient, secret_from_env
from moderation.push.actions import (
    CLOSE_COMMENTS,
    DELETE,
    DELETE_REPLY,
    FEATURE,
    OPEN_COMMENTS,
    REPLY,
    UNFEATURE,
    Action,
    Outcome,
)

PATHS = {
    FEATURE: "/cgi-bin/comment/markelect",
    UNFEATURE: "/cgi-bin/comment/unmarkelect",
    DELETE: "/cgi-bin/comment/delete",
    REPLY: "/cgi-bin/comment/reply/add",
    DELETE_REPLY: "/cgi-bin/comment/reply/delete",
    OPEN_COMMENTS: "/cgi-bin/comment/open",
    CLOSE_COMMENTS: "/cgi-bin/comment/close",
}
# Actions after which the thing acted on should not be there: "it is gone" means done.
REMOVALS = frozenset({UNFEATURE, DELETE, DELETE_REPLY, CLOSE_COMMENTS})
GONE = {88001: "文章已不存在", 88004: "读者已删除该评论", 88008: "评论不存在"}
PERMANENT = {
    88000: "没有留言权限",
    88002: "文章因安全原因受限",
    88003: "本文精选评论已达上限（每篇 100 条）",
    88007: "回复为空或超出长度",
}
ALREADY_REPLIED = 88005
FEATURE_LIMIT = 100  # 精选 per article (88003 beyond it)


def article_ids(story_native_id: str) -> tuple[int | str, int | str]:
    """A story's native id "<msg_data_id>_<index>" as the API's two numbers."""
    msg_data_id, _, index = story_native_id.rpartition("_")
    if not msg_data_id:  # an id without an index: the first article of the send
        msg_data_id, index = story_native_id, "0"
    return _number(msg_data_id), _number(index)


def comment_id(comment_native_id: str) -> int | str:
    """The user_comment_id of a comment stored as "<msgid>:<user_comment_id>"."""
    return _number(comment_native_id.rpartition(":")[2])


class Client:
    """Sends actions to one WeChat account through the collectors' HTTP layer."""

    access_token = collector.Collector.access_token  # the same token cache as collection

    def __init__(self, channel, options: collector.Options, push=None):
        self.channel = channel
        self.options = options
        self.secret = secret_from_env(
            options.appsecret_env, f"the AppSecret of WeChat account {options.appid}"
        )
        self.http = HttpClient(options, f"wechat {channel.name}")
        self.base = options.base_url.rstrip("/")

    def close(self) -> None:
        """Release the connection pool."""
        self.http.close()

    def apply(self, action: Action) -> Outcome:
        """Send one action; typed errors for what should be retried, an Outcome otherwise."""
        call = request(action)
        payload = self._call(call["path"], call["body"])
        code = payload.get("errcode") or 0
        answer = f"errcode {code}: {str(payload.get('errmsg', ''))[:200]}"
        outcome = Outcome(done=True, request=call, answer=answer)
        if code == 0:
            return outcome
        if code in GONE and action.name in REMOVALS:
            outcome.note = f"已不在渠道上（{GONE[code]}）"
        elif code == ALREADY_REPLIED and action.name == REPLY:
            outcome.note = "此前已回复"
        elif code in GONE:
            outcome.done, outcome.note = False, f"{GONE[code]}（errcode {code}）"
        elif code in PERMANENT:
            outcome.done, outcome.note = False, f"{PERMANENT[code]}（errcode {code}）"
        else:
            raise ChannelUnavailable(f"{call['path']}: {answer}")
        return outcome

    def _call(self, path: str, body: dict) -> dict:
        """POST with the token; refresh the token once when WeChat refuses it."""
        for attempt in (1, 2):
            token = self.access_token(refresh=attempt == 2)
            payload = self.http.json(
                "POST", f"{self.base}{path}", params={"access_token": token}, json_body=body
            )
            code = payload.get("errcode") or 0
            if code in collector.TOKEN_ERRORS and attempt == 1:
                collector._TOKENS.pop((self.base, self.options.appid), None)
                continue
            if code in collector.TOKEN_ERRORS:
                raise AuthFailed(f"{path}: token refused twice: errcode {code}")
            if code in collector.QUOTA_ERRORS:
                raise RateLimited(f"{path}: API quota spent: errcode {code}")
            return payload
        raise AssertionError("unreachable")


def _number(text: str) -> int | str:
    return int(text) if text.isdigit() else text


def request(action: Action) -> dict:
    """The path and JSON body an action is sent as (also what a dry run records)."""
    msg_data_id, index = article_ids(action.story_native_id or "")
    body = {"msg_data_id": msg_data_id, "index": index}
    if action.comment_native_id is not None:
        body["user_comment_id"] = comment_id(action.comment_native_id)
    if action.name == REPLY:
        body["content"] = action.text or ""
    return {"path": PATHS[action.name], "body": body}
