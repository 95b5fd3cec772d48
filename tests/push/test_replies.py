"""Official replies: written by an editor, signed off by a chief editor, sent as WeChat's
reply/add once, shown in the comment's history."""

from __future__ import annotations

import pytest

from moderation.sending import push_outbox
from moderation.storage import decisions, replies
from tests.push.conftest import MSG_DATA_ID, setup_wechat

REPLY = "感谢您的关注，新线路的首末班时间已在本报客户端公布。"


def test_reply_goes_out_only_after_sign_off(wechat_setup, wechat):
    settings, db, ids = wechat_setup
    comment = ids[(MSG_DATA_ID, 0, 4)]
    reply = replies.write(db, comment, REPLY, author="编辑小李")
    assert reply["state"] == replies.AWAITING and reply["outbox_id"] is None
    assert push_outbox.deliver(db, settings).counts == {}  # nothing to send before sign-off
    replies.sign_off(db, reply["id"], chief="总编老王")
    assert push_outbox.deliver(db, settings).total("done") == 1
    assert wechat.verbs() == [
        (
            "reply/add",
            {"msg_data_id": MSG_DATA_ID, "index": 0, "user_comment_id": 4, "content": REPLY},
        )
    ]
    assert wechat.comment(MSG_DATA_ID, 0, 4).reply == REPLY
    assert replies.get(db, reply["id"])["push_state"] == "done"
    history = [(d["actor"], d["action"]) for d in decisions.history(db, comment)]
    assert history == [
        ("编辑小李", "reply_written"),
        ("总编老王", "reply_signed_off"),
        ("总编老王", "reply_sent"),
    ]
    assert decisions.history(db, comment)[0]["reason"] == REPLY


def test_one_reply_per_comment_and_already_replied_counts_as_done(wechat_setup, wechat):
    settings, db, ids = wechat_setup
    comment = ids[(MSG_DATA_ID, 0, 5)]
    wechat.comment(MSG_DATA_ID, 0, 5).reply = "在微信后台回复过了"
    reply = replies.write(db, comment, REPLY, author="编辑小李")
    with pytest.raises(replies.ReplyError, match="已有官方回复"):
        replies.write(db, comment, "再回复一次", author="编辑小李")
    replies.sign_off(db, reply["id"], chief="总编老王")
    assert push_outbox.deliver(db, settings).total("done") == 1  # 88005 already reply
    assert replies.get(db, reply["id"])["push_note"] == "此前已回复"


def test_reply_length_is_checked_against_the_channel_limit(wechat_setup):
    _settings, db, ids = wechat_setup
    with pytest.raises(replies.ReplyError, match="超过该渠道的 600 字上限"):
        replies.write(db, ids[(MSG_DATA_ID, 0, 6)], "长" * 601, author="编辑小李")
    with pytest.raises(replies.ReplyError, match="不能为空"):
        replies.write(db, ids[(MSG_DATA_ID, 0, 6)], "   ", author="编辑小李")


def test_without_sign_off_a_reply_is_queued_at_once(tmp_path, wechat):
    settings, db, ids = setup_wechat(tmp_path, wechat.url, extra="replies_need_sign_off = false")
    reply = replies.write(db, ids[(MSG_DATA_ID, 0, 7)], REPLY, author="编辑小李")
    assert reply["state"] == replies.SIGNED_OFF and reply["signed_off_by"] == "编辑小李"
    assert push_outbox.deliver(db, settings).total("done") == 1


def test_withdrawing_a_sent_reply_deletes_it_on_wechat(wechat_setup, wechat):
    settings, db, ids = wechat_setup
    reply = replies.write(db, ids[(MSG_DATA_ID, 0, 8)], REPLY, author="编辑小李")
    replies.sign_off(db, reply["id"], chief="总编老王")
    push_outbox.deliver(db, settings)
    replies.withdraw(db, reply["id"], actor="总编老王")
    push_outbox.deliver(db, settings)
    assert [verb for verb, _ in wechat.verbs()] == ["reply/add", "reply/delete"]
    assert wechat.comment(MSG_DATA_ID, 0, 8).reply is None
    again = replies.write(db, ids[(MSG_DATA_ID, 0, 8)], "更正后的回复", author="编辑小李")
    assert again["state"] == replies.AWAITING
