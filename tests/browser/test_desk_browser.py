"""The review desk in a real browser: focus after a decision, undo, role-aware navigation,
error pages, search that finds the quote, and screenshots of every page at desktop and
phone sizes (under test-output/screenshots/, to look at).

Debian's chromium driven by Playwright against a real server on 127.0.0.1 over a temp
database with the demo channel collected and really scored.
"""

from __future__ import annotations

import pytest

from moderation import create_app, pipeline
from moderation.db import connect
from moderation.settings import load_settings
from moderation.storage import comments, users
from tests import browser_support
from tests.browser_support import CHROMIUM, DESKTOP, PHONE, SCREENSHOTS, live_server
from tests.export.conftest import build_seed_edition
from tests.helpers import PASSWORD, write_config
from tests.seed import comment_id_for, seed_quote_lines

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not at /usr/bin/chromium"
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
DATE = "2024-01-26"


def build_edition(db) -> None:
    """The seed's column (two stories, ten quotes) as an edition, for the builder pages."""
    for line in seed_quote_lines():
        comments.decide(db, comment_id_for(db, line), "approve", actor="mod")
    build_seed_edition(db, DATE)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The app on a real server over a scored database, with one account per role."""
    settings = load_settings(write_config(tmp_path_factory.mktemp("desk")))
    db = connect(settings.database_path)
    pipeline.collect_channel(db, settings, settings.channel("demo"))
    pipeline.score_pending(db, settings)
    build_edition(db)
    for name, role in (("王编辑", "moderator"), ("李编", "editor"), ("管理员", "admin")):
        users.add_user(db, name, role, PASSWORD)
    db.close()
    with live_server(create_app(settings, SECRET_KEY="desk-browser-key")) as url:
        yield {"url": url, "settings": settings}


@pytest.fixture
def db(site):
    """A connection of the test's own to the served database."""
    database = connect(site["settings"].database_path)
    yield database
    database.close()


def open_page(browser, viewport=DESKTOP):
    """A fresh context (own cookies) and its tab, its clock stopped (the undo toast stays
    until a test runs the clock on)."""
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    browser_support.stop_page_clock(tab)
    return tab


def log_in(page, site, name: str, path: str = "/") -> None:
    """Log in through the form and land on `path`."""
    browser_support.log_in(page, site["url"], name, path)


def active_comment_id(page) -> int | None:
    """The comment id of the element that has keyboard focus (None if it is not a card)."""
    value = page.evaluate("document.activeElement && document.activeElement.dataset.commentId")
    return int(value) if value else None


def status(db, comment_id: int) -> str:
    return db.execute("SELECT status FROM comments WHERE id = ?", [comment_id]).fetchone()[0]


def test_next_comment_takes_focus_after_a_decision_and_undo_restores(browser, site, db):
    page = open_page(browser)
    log_in(page, site, "王编辑")
    page.keyboard.press("j")
    first = active_comment_id(page)
    following = int(page.locator("article.comment").nth(1).get_attribute("data-comment-id"))
    with page.expect_navigation():
        page.keyboard.press("a")
    assert status(db, first) == "approved"
    page.wait_for_selector("article.comment.focused")
    assert active_comment_id(page) == following  # the next comment has focus, not the page
    toast = page.locator("[data-toast]")
    assert toast.is_visible() and f"#{first}" in toast.text_content()
    assert "撤销" in toast.text_content()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "desk-undo-toast-1366.png"))
    with page.expect_navigation():
        page.keyboard.press("u")
    assert status(db, first) == "pending"
    last = db.execute(
        "SELECT action, actor, from_state, to_state FROM decisions WHERE comment_id = ? "
        "ORDER BY id DESC LIMIT 1",
        [first],
    ).fetchone()
    assert last == ("reopen", "王编辑", "approved", "pending")  # undo is a recorded decision
    assert page.locator(".flash").count() == 1  # the undo notice, once
    page.context.close()


def test_mouse_decision_also_moves_focus_to_the_next_comment(browser, site, db):
    page = open_page(browser)
    log_in(page, site, "王编辑", "/?queue=pending&order=oldest")
    cards = page.locator("article.comment")
    first = int(cards.nth(0).get_attribute("data-comment-id"))
    following = int(cards.nth(1).get_attribute("data-comment-id"))
    cards.nth(0).hover()
    with page.expect_navigation():
        cards.nth(0).locator("form.approve button").click()
    page.wait_for_selector("article.comment.focused")
    assert status(db, first) == "approved"
    assert active_comment_id(page) == following
    page.context.close()


@pytest.mark.parametrize("name", ["王编辑", "李编", "管理员"])
def test_navigation_links_only_pages_the_role_may_open(browser, site, name):
    page = open_page(browser)
    log_in(page, site, name)
    links = page.eval_on_selector_all("nav.sidebar a", "links => links.map(a => a.href)")
    assert len(links) >= 8
    for link in links:
        assert page.request.get(link).status == 200, link
    labels = page.locator("nav.sidebar").text_content()
    assert ("点击排行" in labels) == (name != "王编辑")
    assert ("用户" in labels) == (name == "管理员")
    page.context.close()


@pytest.mark.parametrize(
    "path, code, title",
    [("/ranking/", 403, "没有权限"), ("/stories/999999", 404, "页面不存在")],
)
def test_error_pages_are_chinese_inside_the_layout(browser, site, path, code, title):
    page = open_page(browser)
    log_in(page, site, "王编辑")
    response = page.goto(site["url"] + path)
    assert response.status == code
    assert page.locator("h1").text_content() == title
    assert page.locator("nav.sidebar").is_visible()  # the normal page, with navigation
    assert "Forbidden" not in page.content() and "Not Found" not in page.content()
    page.context.close()


def test_search_finds_the_printed_quotes_on_the_first_screen(browser, site, db):
    page = open_page(browser)
    log_in(page, site, "王编辑")
    page.keyboard.press("/")
    page.keyboard.type("下雪")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "找到 10 条" in page.text_content("#result-count")
    authors = page.locator("article.comment a.author").all_text_contents()
    for author in ("郭英", "株洲凯旋名门"):
        # among the first five results: the first screen and a short scroll (cards keep
        # room for their action row, issue 27, so four fit in 768 px, not five)
        assert author in authors[:5], author
        card = page.locator(f"article.comment:has(a.author:text-is('{author}'))").first
        assert card.locator("mark.hit").first.text_content() == "下雪"
    first = page.locator("article.comment:has(a.author:text-is('郭英'))").first.bounding_box()
    assert first["y"] + first["height"] <= DESKTOP["height"]  # no scrolling needed
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "desk-search-1366.png"))
    titles = page.locator(".scopes a").all_text_contents()
    assert titles == ["评论内容", "稿件标题"]
    page.context.close()


def test_editors_browsing_claim_nothing(browser, site, db):
    page = open_page(browser)
    log_in(page, site, "李编")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.wait_for_selector("#panel .panel-body h2")  # the side panel loaded
    held = db.execute("SELECT COUNT(*) FROM claims WHERE actor = '李编'").fetchone()[0]
    assert held == 0
    page.context.close()


WIDE_ELEMENTS = """() => Array.from(document.querySelectorAll('main *'))
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(el => !el.closest('.table-wrap'))
  .slice(0, 5).map(el => el.tagName + '.' + el.className)"""


def wide_elements(page) -> list[str]:
    """The first few elements sticking out to the right (to say what to fix)."""
    return page.evaluate(WIDE_ELEMENTS)


PAGES = [
    ("queue", "/"),
    ("flagged", "/?queue=flagged"),
    ("search", "/search?q=下雪"),
    ("stories", "/stories"),
    ("story", "/stories/1"),
    ("group", None),
    ("overview", "/overview"),
    ("editions", "/editions/"),
    ("builder", f"/editions/{DATE}"),
    ("preview", f"/editions/{DATE}/preview"),
    ("ranking", "/ranking/"),
    ("metrics", "/metrics"),
    ("reports", "/reports"),
    ("alerts", "/alerts"),
    ("alert-rules", "/admin/alerts"),
    ("channels", "/channels"),
    ("users", "/admin/users"),
    ("words", "/admin/words"),
    ("not-found", "/no-such-page"),
]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_screenshot_every_page(browser, site, db, viewport):
    group = db.execute(
        "SELECT dup_group FROM scores WHERE dup_group IS NOT NULL GROUP BY dup_group "
        "HAVING COUNT(*) > 1 LIMIT 1"
    ).fetchone()[0]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = open_page(browser, viewport)
    page.goto(f"{site['url']}/login")
    page.screenshot(path=str(SCREENSHOTS / f"page-login-{viewport['width']}.png"))
    log_in(page, site, "管理员")
    for name, path in PAGES:
        response = page.goto(site["url"] + (path or f"/groups/{group}"))
        assert response.status == (404 if name == "not-found" else 200), name
        page.screenshot(path=str(SCREENSHOTS / f"page-{name}-{viewport['width']}.png"))
        overflow = page.evaluate("document.documentElement.scrollWidth") - viewport["width"]
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px: {wide_elements(page)}"
    page.context.close()
