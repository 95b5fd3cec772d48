"""WeChat official account (公众号) comment management: 精选, delete, replies, open/close.

Built to 图文消息留言管理 (developers.weixin.qq.com/doc/offiaccount/Comments_management/
Image_Comments_Management_Interface.html, and the per-API pages under
developers.weixin.qq.com/doc/service/api/leaving/: api_electcomment, api_unelectcomment,
api_delcomment, api_replycomment, api_delreplycomment, api_openarticlecomment,
api_closecomment). Every call is ``POST /cgi-bin/comment/<verb>?access_token=...`` with a
JSON body of ``msg_data_id`` (number), ``index`` (number, article within the mass send,
from 0) and, per comment, ``user_comment_id`` (number); reply/add adds ``content``. The
answer is ``{"errcode": 0, "errmsg": "ok"}`` or an error code (HTTP 200 either way).

How each documented error code ends (:func:`classify`; the meanings are the shared
client's :data:`~moderation.collectors.wechat_api.ERRCODES`):

* **done**: 0; 88001 (article gone), 88004 (deleted by its reader) and 88008 (comment gone)
  for an action that removes (unfeature, delete, delete reply, close); 88009 (回复已不存在)
  for a reply's delete (a resend after a late answer meets it); 88005 (already replied)
  for a reply (a resend of ours, or the one reply WeChat allows is there).
* **failed for good**, with the meaning: 48001 and 88000 (no comment API or no comment
  privilege), 88002, 88003 (精选 limit), 88007 (reply empty or too long), 88010, 87009,
  and 88001/88004/88008/88009 for an action that needs the thing there.
* **retried** (that action alone, later; the channel goes on): -1 (system busy) and any
  code the documentation does not list.
* handled by the shared client: 40001/40014/42001 (token refreshed once, then the channel
  waits for an operator), 45009/45011 (quota: the channel waits).
"""

from __future__ import annotations

from moderation.collectors import wechat as collector
from moderation.collectors.base import AuthFailed, CollectorError, RowUnavailable
from moderation.collectors.wechat_api import Api, article_ids, describe, errcode, meaning
from moderation.digits import number_or_text
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
GONE = frozenset({88001, 88004, 88008})
REPLY_GONE = 88009
ALREADY_REPLIED = 88005
PERMANENT = frozenset({48001, 87009, 88000, 88002, 88003, 88007, 88010})
FEATURE_LIMIT = 100  # 精选 per article (88003 beyond it)
DONE, FAILED, RETRY = "done", "failed", "retry"


def classify(action_name: str, code: int) -> str:
    """What an errcode means for an action: DONE, FAILED (for good) or RETRY (later)."""
    if code == 0:
        return DONE
    if code in GONE:
        return DONE if action_name in REMOVALS else FAILED
    if code == REPLY_GONE:
        return DONE if action_name == DELETE_REPLY else FAILED
    if code == ALREADY_REPLIED:
        return DONE if action_name == REPLY else FAILED
    if code in PERMANENT:
        return FAILED
    return RETRY  # -1 system busy, or a code the documentation does not list


def comment_id(comment_native_id: str) -> int | str:
    """The user_comment_id of a comment stored as "<msgid>:<user_comment_id>"."""
    return number_or_text(comment_native_id.rpartition(":")[2])


class Client:
    """Sends actions to one WeChat account through the shared WeChat API client."""

    def __init__(self, channel, options: collector.Options, push=None):
        self.channel = channel
        self.options = options
        self.api = Api(options, f"wechat {channel.name}", record=True)

    def close(self) -> None:
        """Release the connection pool."""
        self.api.close()

    def take_attempts(self):
        """The HTTP tries of the last action (each with its status, errcode and duration)."""
        return self.api.take_attempts()

    def apply(self, action: Action) -> Outcome:
        """Send one action; typed errors for what should be retried, an Outcome otherwise."""
        call = request(action)
        payload = self.api.call(call["path"], call["body"])
        code = errcode(payload, call["path"])
        answer = describe(payload)
        outcome = Outcome(done=True, request=call, answer=answer)
        ending = classify(action.name, code)
        if ending == RETRY:
            raise RowUnavailable(f"{call['path']}: {answer}（{meaning(code)}）")
        if code:
            outcome.done = ending == DONE
            outcome.note = note(action.name, code, ending)
        return outcome


def check(channel, options: collector.Options, story_native_id: str | None) -> tuple[bool, str]:
    """A harmless read (one comment of a stored article, or of none) that says whether the
    account may use the comment API: (allowed, why in Chinese)."""
    api = Api(options, f"wechat {channel.name}")
    msg_data_id, index = article_ids(story_native_id or "1_1")
    body = {"msg_data_id": msg_data_id, "index": index, "begin": 0, "count": 1, "type": 0}
    try:
        payload = api.call("/cgi-bin/comment/list", body)
    except AuthFailed as error:
        return False, f"凭证被拒（AppID 或 AppSecret 不对）：{error}"
    except CollectorError as error:
        return False, f"无法确认，渠道暂不可用：{error}"
    finally:
        api.close()
    code = errcode(payload)
    if code in (48001, 88000):
        return False, f"不能使用留言管理接口：{meaning(code)}（errcode {code}）"
    if code == 0 or (code == 88001 and story_native_id is None):
        return True, "可以使用留言管理接口"
    if code in (88001, 88002):
        return True, f"可以使用留言管理接口（试读的文章：{meaning(code)}）"
    return False, f"无法确认：{meaning(code)}（errcode {code}）"


def note(action_name: str, code: int, ending: str) -> str:
    """The reason shown for a non-zero errcode that ended an action."""
    if ending == FAILED:
        return f"{meaning(code)}（errcode {code}）"
    if code == ALREADY_REPLIED:
        return "此前已回复"
    if code == REPLY_GONE:
        return f"{meaning(code)}（errcode {code}）"
    return f"已不在渠道上（{meaning(code)}）"


def request(action: Action) -> dict:
    """The path and JSON body an action is sent as (also what a dry run records)."""
    msg_data_id, index = article_ids(action.story_native_id or "")
    body = {"msg_data_id": msg_data_id, "index": index}
    if action.comment_native_id is not None:
        body["user_comment_id"] = comment_id(action.comment_native_id)
    if action.name == REPLY:
        body["content"] = action.text or ""
    return {"path": PATHS[action.name], "body": body}
