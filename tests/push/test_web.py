"""The dashboard side of pushing: what a card shows (待推送 / 已同步 / 失败：原因 + 重试),
replies written and signed off by role, story switches, the channels page and 一键关闭."""

from __future__ import annotations

import pytest

from moderation import create_app
from moderation.db import open_db
from moderation.sending import push_outbox
from moderation.storage import outbox, replies
from tests.helpers import Auth
from tests.push.conftest import MSG_DATA_ID, PATIENT_HTTP, setup_wechat


@pytest.fixture
def site(wechat_setup):
    """(client, auth, settings, db, ids) of a dashboard over a pushing WeChat channel."""
    settings, db, ids = wechat_setup
    app = create_app(settings, TESTING=True, WTF_CSRF_ENABLED=False, SECRET_KEY="test")
    client = app.test_client()
    return client, Auth(client, db), settings, db, ids


def card(client, comment_id: int) -> str:
    """The HTML of one comment's card on the all-comments queue."""
    page = client.get("/?queue=all").get_data(as_text=True)
    start = page.index(f'id="comment-{comment_id}"')
    return page[start : page.index("</article>", start)]


def test_card_shows_pending_synced_and_failed_with_retry(site, wechat):
    client, auth, settings, db, ids = site
    auth.login("moderator")
    comment = ids[(MSG_DATA_ID, 0, 60)]
    assert client.post(f"/comments/{comment}/approve", data={"force": "1"}).status_code == 302
    assert "精选：待推送" in card(client, comment)
    push_outbox.deliver(db, settings)
    assert "精选：已同步" in card(client, comment)
    assert "本文已精选 1/100" in card(client, comment)

    other = ids[(MSG_DATA_ID, 0, 59)]
    wechat.comment(MSG_DATA_ID, 0, 59).deleted_by_user = True
    client.post(f"/comments/{other}/approve", data={"force": "1"})
    push_outbox.deliver(db, settings)
    html = card(client, other)
    assert "精选：失败：读者已删除该评论（errcode 88004）" in html and "重试" in html
    [failed] = db.query("SELECT id FROM outbox WHERE state = 'failed'")
    wechat.comment(MSG_DATA_ID, 0, 59).deleted_by_user = False
    assert client.post(f"/outbox/{failed['id']}/retry").status_code == 302
    push_outbox.deliver(db, settings)
    assert "精选：已同步" in card(client, other)


def test_bulk_approve_of_a_group_queues_one_action_each(site):
    client, auth, _settings, db, ids = site
    auth.login("moderator")
    chosen = [ids[(MSG_DATA_ID, 0, n)] for n in range(1, 41)]
    response = client.post(
        "/comments/bulk", data={"force": "1", "action": "approve", "ids": chosen}
    )
    assert response.status_code == 302
    keys = [row["key"] for row in db.query("SELECT key FROM outbox")]
    assert len(keys) == 40 == len(set(keys))


def test_reply_needs_a_chief_editor_and_shows_under_the_comment(site, wechat):
    client, auth, settings, db, ids = site
    comment = ids[(MSG_DATA_ID, 1, 1)]
    auth.login("editor")
    client.post(f"/comments/{comment}/reply", data={"text": "谢谢您的建议，我们已转交公交公司。"})
    [reply] = db.query("SELECT * FROM official_replies")
    assert client.post(f"/replies/{reply['id']}/sign_off").status_code == 403
    html = card(client, comment)
    assert "官方回复" in html and "editor 撰写" in html and "待总编签发" in html
    auth.logout()
    auth.login("chief_editor")
    client.post(f"/replies/{reply['id']}/sign_off")
    push_outbox.deliver(db, settings)
    assert wechat.comment(MSG_DATA_ID, 1, 1).reply == "谢谢您的建议，我们已转交公交公司。"
    html = card(client, comment)
    assert "chief_editor 签发" in html and "已同步" in html
    assert "官方回复已发出" in html  # the history drawer
    assert replies.get(db, reply["id"])["push_state"] == outbox.DONE


def test_too_long_reply_is_refused_with_what_to_do(site):
    client, auth, _settings, db, ids = site
    auth.login("editor")
    response = client.post(
        f"/comments/{ids[(MSG_DATA_ID, 0, 2)]}/reply",
        data={"text": "长" * 700},
        follow_redirects=True,
    )
    assert "超过该渠道的 600 字上限，请删减后再提交" in response.get_data(as_text=True)
    assert db.execute("SELECT COUNT(*) FROM official_replies").fetchone()[0] == 0


def test_story_page_closes_comments_everywhere_and_channels_page_shows_backlog(site, wechat):
    client, auth, settings, db, _ids = site
    story_id = db.execute("SELECT id FROM stories ORDER BY id").fetchone()[0]
    auth.login("editor")
    assert "在所有渠道关闭评论" in client.get(f"/stories/{story_id}").get_data(as_text=True)
    client.post(f"/stories/{story_id}/comments/close")
    page = client.get(f"/stories/{story_id}").get_data(as_text=True)
    # asked, not yet answered: the stated switch is still the channel's (open)
    assert "评论区：<strong>开放</strong>" in page and "关闭评论：待推送" in page
    assert "在所有渠道打开评论" in page
    channels = client.get("/channels").get_data(as_text=True)
    assert '<td class="backlog">1' in channels
    push_outbox.deliver(db, settings)
    assert wechat.verbs() == [("close", {"msg_data_id": MSG_DATA_ID, "index": 0})]
    page = client.get(f"/stories/{story_id}").get_data(as_text=True)
    assert "评论区：<strong>已关闭</strong>" in page
    assert "从未" not in client.get("/channels").get_data(as_text=True)


def test_emergency_close_is_for_admins_and_reversible(site, wechat):
    client, auth, settings, db, _ids = site
    auth.login("editor")
    assert client.post("/push/emergency/close").status_code == 403
    auth.logout()
    auth.login("admin")
    page = client.post("/push/emergency/close", follow_redirects=True).get_data(as_text=True)
    assert "一键关闭生效中" in page and "一键恢复" in page
    push_outbox.deliver(db, settings)
    assert not any(article["open"] for article in wechat.articles.values())
    client.post("/push/emergency/reopen")
    push_outbox.deliver(db, settings)
    assert all(article["open"] for article in wechat.articles.values())


def test_dashboard_decides_while_a_group_is_being_pushed(tmp_path, wechat):
    """WeChat holds the 21st answer until the test's decisions are in. The sender once gave
    up on it after its 2.5 s read timeout (a loaded machine could take that long), sent it
    again and met the gate again: it must wait as long as the answer is held."""
    import threading
    from contextlib import closing

    settings, db, ids = setup_wechat(tmp_path, wechat.url, http=PATIENT_HTTP)
    client = create_app(
        settings, TESTING=True, WTF_CSRF_ENABLED=False, SECRET_KEY="t"
    ).test_client()
    Auth(client, db).login("moderator")
    group = [ids[(MSG_DATA_ID, 0, n)] for n in range(1, 41)]
    client.post("/comments/bulk", data={"force": "1", "action": "approve", "ids": group})
    wechat.gate_at = 21  # the sender stops mid-batch, waiting for WeChat's answer

    def deliver():
        with closing(open_db(settings)) as own:  # the sender's own connection
            push_outbox.deliver(own, settings)

    worker = threading.Thread(target=deliver)
    worker.start()
    try:
        assert wechat.at_gate.wait(30)
        for n in (41, 42, 43):  # decisions go through while the sender waits on the channel
            assert (
                client.post(
                    f"/comments/{ids[(MSG_DATA_ID, 0, n)]}/approve", data={"force": "1"}
                ).status_code
                == 302
            )
        assert worker.is_alive()
    finally:
        wechat.gate.set()
        worker.join(30)
    assert db.execute("SELECT COUNT(*) FROM outbox WHERE state = 'done'").fetchone()[0] >= 40
    push_outbox.deliver(db, settings)
    elected = [body["user_comment_id"] for verb, body in wechat.verbs() if verb == "markelect"]
    assert sorted(elected) == list(range(1, 44))  # 43 actions, none twice
