"""Write-back that never stalls (issue 29), over real HTTP against the WeChat stand-in:
every documented errcode ends as classified, one comment's trouble never holds the channel,
push off holds and on resumes, refused story switches show where the desk looks, every
try is in the action's history, 重试 after a refused credential resumes at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from moderation import create_app
from moderation.cli import main
from moderation.collectors import wechat_api
from moderation.db import open_db
from moderation.push import wechat as wechat_push
from moderation.push.actions import ACTIONS, DELETE_REPLY, FEATURE, REPLY, UNFEATURE
from moderation.sending import push_outbox as sender
from moderation.settings import load_settings
from moderation.storage import comments as comment_store
from moderation.storage import outbox, replies, switches
from tests.helpers import Auth, write_config
from tests.push.conftest import MSG_DATA_ID, setup_wechat, wechat_channel

REPLY_TEXT = "感谢关注，首末班时间已在本报客户端公布。"


def rows(db, state=None):
    """Outbox rows, oldest first (of one state)."""
    if state:
        return list(db.query("SELECT * FROM outbox WHERE state = ? ORDER BY id", [state]))
    return list(db.query("SELECT * FROM outbox ORDER BY id"))


def later(hours: float = 2) -> datetime:
    """A moment past every backoff of these tests."""
    return datetime.now(UTC) + timedelta(hours=hours)


def sent_reply(db, settings, comment_id: int) -> dict:
    """A reply written, signed off by another person and delivered."""
    reply = replies.write(db, comment_id, REPLY_TEXT, author="编辑小李")
    replies.sign_off(db, reply["id"], chief="总编老王")
    assert sender.deliver(db, settings).total("done") == 1
    return reply


# -- errcodes ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(wechat_api.ERRCODES))
def test_every_documented_errcode_has_a_chinese_meaning_and_an_ending(code):
    errmsg, meaning = wechat_api.ERRCODES[code]
    assert errmsg and any("\u4e00" <= char <= "\u9fff" for char in meaning)
    endings = {wechat_push.classify(action, code) for action in ACTIONS}
    assert endings <= {wechat_push.DONE, wechat_push.FAILED, wechat_push.RETRY}


@pytest.mark.parametrize(
    ("action", "code", "ending"),
    [
        (DELETE_REPLY, 88009, "done"),  # 回复已不存在: a resend after a late answer
        (REPLY, 88009, "failed"),
        (REPLY, 88005, "done"),
        (FEATURE, 88005, "failed"),
        (UNFEATURE, 88008, "done"),
        (FEATURE, 88008, "failed"),
        (FEATURE, 48001, "failed"),
        (FEATURE, 88000, "failed"),
        (FEATURE, 88003, "failed"),
        (REPLY, 88007, "failed"),
        (FEATURE, -1, "retry"),
        (FEATURE, 99999, "retry"),  # a code not documented
    ],
)
def test_errcodes_end_as_classified(action, code, ending):
    assert wechat_push.classify(action, code) == ending


def test_88009_resent_after_a_late_answer_while_other_comments_go_out(wechat_setup, wechat):
    settings, db, ids = wechat_setup
    replied = ids[(MSG_DATA_ID, 0, 21)]
    reply = sent_reply(db, settings, replied)
    replies.withdraw(db, reply["id"], "编辑小李")
    others = [ids[(MSG_DATA_ID, 0, n)] for n in (22, 23, 24)]
    comment_store.decide_many(db, others, "approve", actor="mod")

    # The reply/delete is applied, then every try is answered too late; the resends meet
    # 88009 "reply is not exists" (also late). The channel goes on with the other comments.
    wechat.hang_after_apply = 3
    first = sender.deliver(db, settings)
    assert first.stopped == {} and first.counts["wx"]["done"] == 3
    assert all(wechat.comment(MSG_DATA_ID, 0, n).elected for n in (22, 23, 24))
    [waiting] = rows(db, outbox.WAITING)
    assert waiting["action"] == DELETE_REPLY and "timed out" in waiting["note"]
    assert replies.get(db, reply["id"])["withdraw_state"] == outbox.WAITING  # not 已同步

    second = sender.deliver(db, settings, now=later())
    assert second.total("done") == 1
    row = db.table("outbox").get(waiting["id"])
    assert row["state"] == outbox.DONE and "回复已不存在" in row["note"]
    assert wechat.effects[("reply/delete", MSG_DATA_ID, 0, 21)] == 1  # applied once
    codes = [s["errcode"] for s in outbox.sends(db, row["id"]) if s["outcome"] == "attempt"]
    assert codes[-1] == 88009
    withdrawn = replies.get(db, reply["id"])
    assert withdrawn["state"] == replies.WITHDRAWN and withdrawn["withdraw_state"] == outbox.DONE


def test_a_busy_answer_waits_that_comment_alone(wechat_setup, wechat):
    settings, db, ids = wechat_setup
    stuck, after, other = (ids[(MSG_DATA_ID, 0, n)] for n in (30, 31, 32))
    comment_store.decide(db, stuck, "approve", actor="mod")
    reply = replies.write(db, stuck, REPLY_TEXT, author="编辑小李")
    replies.sign_off(db, reply["id"], chief="总编老王")  # same comment: must wait
    comment_store.decide(db, other, "approve", actor="mod")
    comment_store.decide(db, after, "approve", actor="mod")
    wechat.faults = [("errcode", -1)]  # 系统繁忙 for the first comment call only
    report = sender.deliver(db, settings)
    assert report.stopped == {} and report.total("done") == 2
    assert [verb for verb, _ in wechat.verbs()] == ["markelect"] * 3
    first, second = (r for r in rows(db) if r["comment_id"] == stuck)
    assert first["state"] == outbox.WAITING and "微信系统繁忙" in first["note"]
    assert second["state"] == outbox.WAITING and second["note"] is None  # kept in order
    assert sender.deliver(db, settings, now=later()).total("done") == 2
    assert [verb for verb, _ in wechat.verbs()][-2:] == ["markelect", "reply/add"]


def test_a_story_switch_waits_for_the_earlier_switch_of_its_story(wechat_setup, wechat):
    settings, db, _ids = wechat_setup
    first, second = list(db.query("SELECT id, native_id FROM stories ORDER BY id"))[:2]
    for key, story, action in (
        ("a", first, switches.CLOSE),
        ("b", first, switches.OPEN),
        ("c", second, switches.CLOSE),
    ):
        outbox.enqueue(
            db, key=key, channel="wx", action=action, mode="on", story_id=story["id"],
            story_native_id=story["native_id"],
        )  # fmt: skip
    wechat.faults = [("errcode", -1)]
    report = sender.deliver(db, settings)
    assert report.total("done") == 1  # the other story's close; the open waits its turn
    assert [verb for verb, _ in wechat.verbs()] == ["close", "close"]
    assert sender.deliver(db, settings, now=later()).total("done") == 2
    assert [verb for verb, _ in wechat.verbs()][-2:] == ["close", "open"]


# -- push off / on ------------------------------------------------------------------------


def test_push_off_then_on_holds_then_resumes(tmp_path, wechat):
    settings, db, ids = setup_wechat(tmp_path, wechat.url)
    comment_store.decide(db, ids[(MSG_DATA_ID, 0, 41)], "approve", actor="mod")
    db.close()
    runner = CliRunner()

    write_config(tmp_path, channels=wechat_channel(wechat.url, push="off"))
    off = runner.invoke(main, ["--config", settings.source, "push", "wx"])
    assert off.exit_code == 0, off.output
    assert "nothing due" in off.output and "wx [off]" in off.output
    assert "已暂停 1" in off.output
    assert wechat.calls == []
    db = open_db(load_settings(settings.source))
    [row] = rows(db)
    assert row["state"] == outbox.HELD and outbox.STATE_LABELS[row["state"]] == "已暂停"
    db.close()

    write_config(tmp_path, channels=wechat_channel(wechat.url, push="on"))
    on = runner.invoke(main, ["--config", settings.source, "push", "wx"])
    assert on.exit_code == 0, on.output
    assert "wx: done 1" in on.output and "已暂停" not in on.output
    assert wechat.comment(MSG_DATA_ID, 0, 41).elected


def test_a_disabled_channel_holds_its_actions(tmp_path, wechat):
    settings, db, ids = setup_wechat(tmp_path, wechat.url, extra="enabled = false")
    comment_store.decide(db, ids[(MSG_DATA_ID, 0, 42)], "approve", actor="mod")
    assert sender.deliver(db, settings).counts == {}
    [row] = rows(db)
    assert row["state"] == outbox.HELD and wechat.calls == []
    app = create_app(settings, TESTING=True, WTF_CSRF_ENABLED=False, SECRET_KEY="test")
    client = app.test_client()
    Auth(client, db).login("admin")
    assert "已暂停 1（推送已关闭或渠道已停用）" in client.get("/channels").text


# -- story switches on the page -----------------------------------------------------------


def test_a_refused_open_shows_on_the_story_page_with_retry(wechat_setup, wechat):
    settings, db, _ids = wechat_setup
    app = create_app(settings, TESTING=True, WTF_CSRF_ENABLED=False, SECRET_KEY="test")
    client = app.test_client()
    Auth(client, db).login("editor")
    story_id = db.execute("SELECT id FROM stories ORDER BY id").fetchone()[0]
    client.post(f"/stories/{story_id}/comments/close")
    sender.deliver(db, settings)
    assert "评论区：<strong>已关闭</strong>" in client.get(f"/stories/{story_id}").text

    wechat.refuse["open"] = 88002  # the article is limit for safety
    client.post(f"/stories/{story_id}/comments/open")
    sender.deliver(db, settings)
    page = client.get(f"/stories/{story_id}").text
    assert "评论区：<strong>已关闭</strong>" in page  # the channel's answer, not the request
    assert "打开评论：失败：文章因安全原因受限（errcode 88002）" in page
    [failed] = rows(db, outbox.FAILED)
    assert f'action="/outbox/{failed["id"]}/retry"' in page and "重试" in page
    assert "comment/open HTTP 200 · errcode 88002（文章因安全原因受限）" in page  # its history
    listing = client.get("/stories").text
    assert "失败：文章因安全原因受限" in listing and f"/outbox/{failed['id']}/retry" in listing

    del wechat.refuse["open"]
    response = client.post(f"/outbox/{failed['id']}/retry", data={"next": f"/stories/{story_id}"})
    assert response.status_code == 302 and response.location.endswith(f"/stories/{story_id}")
    sender.deliver(db, settings)
    page = client.get(f"/stories/{story_id}").text
    assert "评论区：<strong>开放</strong>" in page and "失败" not in page
    assert wechat.articles[(MSG_DATA_ID, 0)]["open"]


# -- attempt history ----------------------------------------------------------------------


def test_history_of_an_action_that_met_a_timeout_a_500_and_42001(wechat_setup, wechat):
    settings, db, ids = wechat_setup
    comment = ids[(MSG_DATA_ID, 0, 43)]
    comment_store.decide(db, comment, "approve", actor="mod")
    wechat.faults = ["hang", 500, ("errcode", 42001)]
    assert sender.deliver(db, settings).total("done") == 1
    [row] = rows(db, outbox.DONE)
    history = outbox.sends(db, row["id"])
    tries = [
        (s["path"].rpartition("/")[2], s["status"], s["errcode"])
        for s in history
        if s["outcome"] == outbox.ATTEMPT
    ]
    assert tries == [
        ("stable_token", 200, 0),
        ("markelect", None, None),  # timed out
        ("markelect", 500, None),
        ("markelect", 200, 42001),
        ("stable_token", 200, 0),  # the token refreshed
        ("markelect", 200, 0),
    ]
    assert history[1]["answer"] == "timed out" and history[1]["duration_ms"] >= 2000
    assert history[-1]["outcome"] == outbox.DONE
    assert wechat.effects[("markelect", MSG_DATA_ID, 0, 43)] == 1

    app = create_app(settings, TESTING=True, WTF_CSRF_ENABLED=False, SECRET_KEY="test")
    client = app.test_client()
    Auth(client, db).login("moderator")
    page = client.get("/?queue=approved").text
    card = page[page.index(f'id="comment-{comment}"') :]
    card = card[: card.index("</article>")]
    assert "推送记录（7）" in card
    for words in (
        "comment/markelect 超时",
        "comment/markelect HTTP 500",
        "comment/markelect HTTP 200 · errcode 42001（access_token 已过期）",
        "stable_token HTTP 200",
        "完成：errcode 0: ok",
    ):
        assert words in card, words


# -- credentials, dead senders ------------------------------------------------------------


def test_retry_after_a_refused_credential_resumes_the_channel_at_once(wechat_setup, wechat):
    settings, db, ids = wechat_setup
    chosen = [ids[(MSG_DATA_ID, 0, n)] for n in (44, 45)]
    comment_store.decide_many(db, chosen, "approve", actor="mod")
    wechat.refuse_token = 40125  # invalid appsecret
    report = sender.deliver(db, settings)
    assert "凭证被拒" in report.stopped["wx"]
    assert sender.deliver(db, settings).counts == {}  # paused for AUTH_PAUSE
    wechat.refuse_token = None  # the operator fixed the secret
    paused = rows(db, outbox.WAITING)[0]
    assert outbox.retry(db, paused["id"])
    assert sender.deliver(db, settings).total("done") == 2


def test_a_dead_senders_row_is_due_when_the_next_process_opens_the_database(wechat_setup):
    settings, db, ids = wechat_setup
    comment_store.decide(db, ids[(MSG_DATA_ID, 0, 46)], "approve", actor="mod")
    row = outbox.claim_next(db, "somewhere:1", datetime.now(UTC), 300, set(), None)
    host = outbox.holder_id().rpartition(":")[0]
    dead = 2**22 + 12345  # above pid_max's default: no such process
    db.execute("UPDATE outbox SET claimed_by = ? WHERE id = ?", [f"{host}:{dead}", row["id"]])
    assert db.table("outbox").get(row["id"])["state"] == outbox.SENDING
    other = open_db(settings)  # a sender (or the scheduler) starting
    assert other.table("outbox").get(row["id"])["state"] == outbox.WAITING
    other.close()


# -- setup check ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("refusal", "code", "words"),
    [
        (None, 0, "可以使用留言管理接口；推送已开启：通过→精选，拒绝→取消精选"),
        (48001, 1, "不能使用留言管理接口：该公众号没有留言管理接口权限：仅已认证的企业或组织"),
        (88000, 1, "不能使用留言管理接口：没有留言权限"),
    ],
)
def test_push_check_says_whether_the_account_may_use_the_comment_api(
    wechat_setup, wechat, refusal, code, words
):
    settings, _db, _ids = wechat_setup
    if refusal:
        wechat.refuse["list"] = refusal
    result = CliRunner().invoke(main, ["--config", settings.source, "push", "--check", "wx"])
    assert result.exit_code == code, result.output
    [line] = result.output.splitlines()
    assert line.startswith("wx：") and words in line
    assert [verb for verb, _ in wechat.verbs()] == ["list"]  # a read, nothing changed
    assert sum(wechat.effects.values()) == 0


# -- official replies ---------------------------------------------------------------------


def test_editing_a_sent_reply_sends_delete_then_add(wechat_setup, wechat):
    settings, db, ids = wechat_setup
    comment = ids[(MSG_DATA_ID, 0, 47)]
    reply = sent_reply(db, settings, comment)
    edited = replies.edit(db, reply["id"], "更正：首班车 6:30 发车。", editor="编辑小李")
    assert edited["state"] == replies.AWAITING
    replies.sign_off(db, edited["id"], chief="总编老王")
    assert sender.deliver(db, settings).total("done") == 2
    assert [verb for verb, _ in wechat.verbs()] == ["reply/add", "reply/delete", "reply/add"]
    assert wechat.comment(MSG_DATA_ID, 0, 47).reply == "更正：首班车 6:30 发车。"


def test_a_reply_is_signed_off_by_someone_other_than_its_author(tmp_path, wechat):
    settings, db, ids = setup_wechat(tmp_path, wechat.url)
    reply = replies.write(db, ids[(MSG_DATA_ID, 0, 48)], REPLY_TEXT, author="总编老王")
    with pytest.raises(replies.ReplyError, match="不能签发自己撰写的回复"):
        replies.sign_off(db, reply["id"], chief="总编老王")
    assert replies.sign_off(db, reply["id"], chief="总编老张")["state"] == replies.SIGNED_OFF

    folder = tmp_path / "self"
    folder.mkdir()
    config = write_config(
        folder, channels=wechat_channel(wechat.url), extra="[push]\nself_sign_off = true\n"
    )
    settings = load_settings(config)
    assert settings.push.self_sign_off
    db = open_db(settings)
    from tests.push.conftest import store_wechat

    comment = store_wechat(db)[(MSG_DATA_ID, 0, 49)]
    app = create_app(settings, TESTING=True, WTF_CSRF_ENABLED=False, SECRET_KEY="test")
    client = app.test_client()
    Auth(client, db).login("chief_editor", name="总编老王")
    client.post(f"/comments/{comment}/reply", data={"text": REPLY_TEXT})
    [written] = replies.for_comments(db, [comment])[comment]
    client.post(f"/replies/{written['id']}/sign_off")
    assert replies.get(db, written["id"])["signed_off_by"] == "总编老王"
