"""The dashboard in a real browser: Debian's chromium driven by Playwright against a real
server on a temp database with the demo channel collected."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from moderation import create_app, pipeline
from moderation.db import connect
from moderation.settings import load_settings
from moderation.storage import users
from tests import browser_support
from tests.browser_support import CHROMIUM, SCREENSHOTS, live_server
from tests.helpers import PASSWORD, write_config
from tests.web.conftest import XSS, add_comment

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not at /usr/bin/chromium"
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The app served by werkzeug on 127.0.0.1 (a free port) over a prepared database."""
    settings = load_settings(write_config(tmp_path_factory.mktemp("browser")))
    db = connect(settings.database_path)
    pipeline.collect_channel(db, settings, settings.channel("demo"))
    xss_id = add_comment(db, XSS, created_at="2024-01-01T00:00:00+00:00")
    phone = "有事打我电话13912345678，包你满意"
    phone_id = add_comment(db, phone, created_at="2024-01-01T00:00:01+00:00")
    pipeline.score_pending(db, settings)  # the real scorer: sentiment, flags, groups
    for name in ("王编辑", "李编辑"):
        users.add_user(db, name, "moderator", PASSWORD)
    db.close()
    with live_server(create_app(settings, SECRET_KEY="browser-test-key")) as url:
        yield {"url": url, "settings": settings, "xss_id": xss_id, "phone_id": phone_id}


@pytest.fixture
def page(browser, site):
    """A fresh browser context; every JS dialog is recorded (and dismissed)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    tab.dialogs = []

    def on_dialog(dialog):
        tab.dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


@pytest.fixture
def db(site):
    """A connection of the test's own to the served database."""
    database = connect(site["settings"].database_path)
    yield database
    database.close()


def log_in(page, site, name="王编辑", path="/"):
    """Log in through the form."""
    # until the page's "load" the deferred dashboard.js may not have bound its keys yet: a
    # "/" pressed as soon as a card is in the DOM was lost under load; the shared helper
    # waits for the navigation
    browser_support.log_in(page, site["url"], name, path)
    page.wait_for_selector("article.comment")


def shot(page, name: str) -> None:
    """Save a full-page screenshot under test-output/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def status(db, comment_id: int) -> str:
    return db.execute("SELECT status FROM comments WHERE id = ?", [comment_id]).fetchone()[0]


def focused_id(page) -> int:
    return int(page.get_attribute("article.comment.focused", "data-comment-id"))


def test_review_with_the_keyboard_only(page, site, db):
    log_in(page, site)
    shot(page, "01-queue")
    page.keyboard.press("j")
    first = focused_id(page)
    with page.expect_navigation():
        page.keyboard.press("a")
    assert status(db, first) == "approved"
    page.wait_for_selector("article.comment.focused")
    second = focused_id(page)
    assert second != first
    page.keyboard.press("r")
    assert page.is_visible("article.comment.focused .reason-picker")
    shot(page, "02-reject-reason-picker")
    with page.expect_navigation():
        page.keyboard.press("2")  # 2 = 广告
    assert status(db, second) == "rejected"
    reason = db.execute(
        "SELECT reason, actor FROM decisions WHERE comment_id = ? ORDER BY id DESC", [second]
    ).fetchone()
    assert reason == ("ad", "王编辑")
    page.keyboard.press("j")
    page.keyboard.press("k")
    page.keyboard.press("?")
    assert page.is_visible("#shortcuts")
    shot(page, "03-shortcuts")
    assert page.dialogs == []


def test_bulk_approve_a_duplicate_group(page, site, db):
    group_id, size = db.execute(
        "SELECT dup_group, COUNT(*) FROM scores sc JOIN comments c ON c.id = sc.comment_id "
        "WHERE dup_group IS NOT NULL AND c.status = 'pending' GROUP BY dup_group "
        "ORDER BY 2 DESC LIMIT 1"
    ).fetchone()
    assert size >= 3
    text = db.execute("SELECT text FROM comments WHERE id = ?", [group_id]).fetchone()[0]
    log_in(page, site, path=f"/search?q={quote(text[:8])}")
    card = page.locator(f"article.comment:has(a.group-link[href='/groups/{group_id}'])").first
    card.click(position={"x": 5, "y": 5})
    with page.expect_navigation():
        page.keyboard.press("g")
    assert page.url.endswith(f"/groups/{group_id}")
    assert page.locator("article.comment").count() == size
    shot(page, "04-duplicate-group")
    with page.expect_navigation():
        page.click("button.group-approve")
    members = [
        row[0]
        for row in db.execute("SELECT comment_id FROM scores WHERE dup_group = ?", [group_id])
    ]
    assert {status(db, member) for member in members} == {"approved"}
    decided = db.execute(
        f"SELECT COUNT(*) FROM decisions WHERE action = 'approve' AND comment_id IN "
        f"({','.join('?' * len(members))})",
        members,
    ).fetchone()[0]
    assert decided == size


def test_select_with_x_and_bulk_reject(page, site, db):
    log_in(page, site, name="李编辑")
    page.keyboard.press("j")
    first = focused_id(page)
    page.keyboard.press("x")
    page.keyboard.press("j")
    second = focused_id(page)
    page.keyboard.press("x")
    assert page.text_content(".bulk .selected-count") == "2"
    page.select_option(".bulk select[name=reason]", "duplicate")
    with page.expect_navigation():
        page.click(".bulk button[value=reject]")
    assert status(db, first) == status(db, second) == "rejected"


def test_search_for_a_chinese_word(page, site):
    log_in(page, site)
    page.keyboard.press("/")
    page.keyboard.type("环卫工人")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    texts = page.locator("article.comment .text").all_text_contents()
    assert texts and all("环卫工人" in text for text in texts)
    shot(page, "05-search")
    page.goto(f"{site['url']}/search?q=电话")  # two characters: the LIKE fallback
    assert "13912345678" in page.text_content(f"#comment-{site['phone_id']} .text")
    assert (
        page.text_content(f"#comment-{site['phone_id']} mark.flag-personal_data") == "13912345678"
    )


def test_history_drawer_shows_the_decision(page, site, db):
    log_in(page, site, path="/?queue=all&order=oldest")
    card = f"#comment-{site['phone_id']}"
    page.click(f"{card} .meta .likes")
    with page.expect_navigation():
        page.keyboard.press("a")
    page.goto(f"{site['url']}/search?q=13912345678")
    page.click(f"{card} .meta .likes")
    page.keyboard.press("h")
    row = page.locator(f"{card} details.history tr.decision").last
    assert row.is_visible()
    assert "王编辑" in row.text_content() and "通过" in row.text_content()
    shot(page, "06-history-drawer")


def test_script_in_a_comment_is_shown_as_text(page, site):
    log_in(page, site)
    page.goto(f"{site['url']}/?queue=all&order=oldest")
    card = page.locator(f"#comment-{site['xss_id']}")
    assert card.locator(".text").text_content() == XSS
    assert card.locator(".text img, .text script").count() == 0
    page.wait_for_timeout(300)
    shot(page, "07-xss-as-text")
    assert page.dialogs == []


def test_claimed_comment_shows_who_is_reviewing(browser, page, site):
    log_in(page, site, name="李编辑", path="/?queue=pending&order=liked")
    top = int(page.get_attribute("article.comment", "data-comment-id"))
    with page.expect_response(lambda response: response.url.endswith(f"/comments/{top}/claim")):
        page.keyboard.press("j")  # looking at it (focus) claims it; opening the page does not
    other = browser.new_context(locale="zh-CN").new_page()
    try:
        log_in(other, site, name="王编辑", path="/?queue=pending&order=liked")
        card = other.locator(f"#comment-{top}")
        assert "李编辑正在审核" in card.text_content()
        assert "claimed" in card.get_attribute("class")
        other.keyboard.press("j")
        assert focused_id(other) != top  # j skips what someone else is reviewing
        shot(other, "08-claimed-by-other")
    finally:
        other.context.close()


def test_overview_and_story_pages_draw_svg_charts(page, site):
    log_in(page, site)
    page.goto(f"{site['url']}/overview")
    assert page.locator("figure.chart").count() == 5  # with corrections per week
    drawn, empty = page.locator("figure.chart svg").count(), page.locator("figure.chart-empty")
    assert drawn >= 3 and drawn + empty.count() == 5  # nothing to plot: said in words
    assert all("暂无数据" in text for text in empty.all_inner_texts())
    shot(page, "09-overview")
    page.goto(f"{site['url']}/stories/2")
    assert page.locator("figure.chart svg rect").count() > 0
    assert page.locator(".keyword").count() > 0
    shot(page, "10-story")
    assert page.dialogs == []
