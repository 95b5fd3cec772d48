"""Pushing seen in a real browser: an approve clicked on a card reaches WeChat and the card
says 已同步; a reply typed on the card is signed off and shown under the comment."""

from __future__ import annotations

import threading

import pytest

from moderation import create_app
from moderation.sending import push_outbox
from moderation.storage import users
from tests import browser_support
from tests.browser_support import CHROMIUM
from tests.helpers import PASSWORD
from tests.push.conftest import MSG_DATA_ID

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium is not at /usr/bin/chromium"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture
def served(wechat_setup):
    """The dashboard served on 127.0.0.1 over a pushing WeChat channel."""
    from werkzeug.serving import make_server

    settings, db, ids = wechat_setup
    users.add_user(db, "总编老王", "chief_editor", PASSWORD)
    users.add_user(db, "总编老张", "chief_editor", PASSWORD)
    server = make_server("127.0.0.1", 0, create_app(settings, SECRET_KEY="k"), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", settings, db, ids
    server.shutdown()
    thread.join(5)


@pytest.fixture
def page(served, browser):
    """A headless chromium tab in a fresh context."""
    context = browser.new_context(locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


def log_in(page, url: str, name: str) -> None:
    """Log in as `name` and land on the all-comments queue."""
    browser_support.log_in(page, url, name, "/?queue=all")


def test_card_approve_reply_and_sign_off_in_the_browser(served, page, wechat):
    url, settings, db, ids = served
    comment = ids[(MSG_DATA_ID, 1, 2)]
    log_in(page, url, "总编老王")
    card = page.locator(f"#comment-{comment}")
    card.hover()  # a card's actions show on hover, focus or keyboard
    with page.expect_navigation():
        card.locator("form.approve button").click()
    push_outbox.deliver(db, settings)
    page.goto(f"{url}/?queue=all")
    assert "精选：已同步" in card.locator(".push-state").inner_text()
    card.hover()
    card.locator("details.write-reply summary").click()
    card.locator("textarea[name=text]").fill("感谢留言，线路图已更新。")
    with page.expect_navigation():
        card.locator("details.write-reply button").click()
    assert "待总编签发" in card.locator(".official-reply").inner_text()
    with page.expect_navigation():  # the author may not sign their own reply off
        card.locator("form.sign-off button").click()
    assert "不能签发自己撰写的回复" in page.content()
    with page.expect_navigation():  # 退出 ends the session on the server: a panel fetch
        page.click("form.logout button")  # still in flight cannot bring the cookie back
    log_in(page, url, "总编老张")
    card.hover()
    with page.expect_navigation():
        card.locator("form.sign-off button").click()
    push_outbox.deliver(db, settings)
    page.goto(f"{url}/?queue=all")
    reply = card.locator(".official-reply").inner_text()
    assert "感谢留言，线路图已更新。" in reply and "总编老张 签发" in reply and "已同步" in reply
    assert wechat.comment(MSG_DATA_ID, 1, 2).reply == "感谢留言，线路图已更新。"


def test_a_refused_open_is_shown_on_the_story_page_and_retried(served, page, wechat):
    url, settings, db, _ids = served
    story_id = db.execute("SELECT id FROM stories ORDER BY id").fetchone()[0]
    log_in(page, url, "总编老王")
    page.goto(f"{url}/stories/{story_id}")
    with page.expect_navigation():
        page.click("text=在所有渠道关闭评论")
    push_outbox.deliver(db, settings)
    wechat.refuse["open"] = 88002  # the article is limit for safety
    page.goto(f"{url}/stories/{story_id}")
    with page.expect_navigation():
        page.click("text=在所有渠道打开评论")
    push_outbox.deliver(db, settings)
    page.goto(f"{url}/stories/{story_id}")
    switch = page.locator(".comment-switch")
    assert "评论区：已关闭" in switch.inner_text()  # WeChat kept it closed
    assert "打开评论：失败：文章因安全原因受限（errcode 88002）" in switch.inner_text()
    del wechat.refuse["open"]
    with page.expect_navigation():
        switch.locator("form.retry button").click()
    assert page.url.endswith(f"/stories/{story_id}")
    push_outbox.deliver(db, settings)
    page.goto(f"{url}/stories/{story_id}")
    assert "评论区：开放" in page.locator(".comment-switch").inner_text()
    assert wechat.articles[(MSG_DATA_ID, 0)]["open"]
