"""The desk's mouse and batch actions in a real browser: one click on a card below the
focused one decides it, every checkbox click of a bulk selection lands, bulk and group
decisions end with a count toast whose 撤销 undoes that batch, the duplicate group keeps its
earliest comment, thread context shows on the card and the side panel, and the toast never
covers the next card's buttons on a phone. Screenshots go to test-output/screenshots/.

Debian's chromium driven by Playwright against a real server on 127.0.0.1 over a temp
database with the demo channel collected and really scored.
"""

from __future__ import annotations

import pytest

from moderation import create_app, pipeline
from moderation.db import connect
from moderation.settings import load_settings
from moderation.storage import users
from tests.browser.test_desk_browser import active_comment_id, log_in
from tests.browser_support import (
    CHROMIUM,
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    live_server,
    stop_page_clock,
)
from tests.helpers import PASSWORD, write_config

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not at /usr/bin/chromium"
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
CHANNELS = (
    '[[channels]]\nname = "demo"\ntype = "demo"\nlabel = "演示数据"\nschedule = "10m"\n'
    'official_authors = "环卫老周"\n'
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The app on a real server over a scored database, with a moderator and an admin."""
    settings = load_settings(write_config(tmp_path_factory.mktemp("actions"), channels=CHANNELS))
    db = connect(settings.database_path)
    pipeline.collect_channel(db, settings, settings.channel("demo"))
    pipeline.score_pending(db, settings)
    for name, role in (("王编辑", "moderator"), ("管理员", "admin")):
        users.add_user(db, name, role, PASSWORD)
    db.close()
    with live_server(create_app(settings, SECRET_KEY="actions-browser-key")) as url:
        yield {"url": url, "settings": settings}


@pytest.fixture
def db(site):
    """A connection of the test's own to the served database."""
    database = connect(site["settings"].database_path)
    yield database
    database.close()


def open_page(browser, viewport=DESKTOP):
    """A fresh context (own cookies) and its tab; the phone size is a touch screen, as a
    phone is (no hover: card actions always shown, no keyboard hints)."""
    phone = viewport["width"] < 760
    context = browser.new_context(
        viewport=viewport, locale="zh-CN", is_mobile=phone, has_touch=phone
    )
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    stop_page_clock(tab)  # the undo toast stays until a test runs the clock on
    return tab


def status(db, comment_id: int) -> str:
    return db.execute("SELECT status FROM comments WHERE id = ?", [comment_id]).fetchone()[0]


def shoot(page, name: str) -> None:
    """A screenshot under test-output/screenshots/ (to look at)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))


def centre(box: dict) -> tuple[float, float]:
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_one_click_approves_a_card_below_the_focused_one(browser, site, db):
    page = open_page(browser)
    log_in(page, site, "王编辑", "/?queue=pending&order=oldest")
    page.keyboard.press("j")  # the first card has focus, its actions showing
    assert page.locator("article.comment.focused kbd").first.is_visible()  # a desk has keys
    cards = page.locator("article.comment")
    third = int(cards.nth(2).get_attribute("data-comment-id"))
    button = cards.nth(2).locator("form.approve button")
    button.scroll_into_view_if_needed()
    before = button.bounding_box()
    x, y = centre(before)
    page.mouse.move(x, y)
    page.mouse.down()  # the press moves focus: nothing under the pointer may move
    assert button.bounding_box() == before
    with page.expect_navigation():
        page.mouse.up()
    assert status(db, third) == "approved"  # the first click was the decision
    page.context.close()


def test_every_checkbox_click_of_a_bulk_selection_lands_and_bulk_undo(browser, site, db):
    page = open_page(browser)
    log_in(page, site, "王编辑", "/?queue=pending&order=newest")
    page.keyboard.press("j")
    boxes = page.locator("article.comment .select-box")
    count = boxes.count()
    assert count >= 10
    ids = []
    for index in range(count):
        box = boxes.nth(index)
        box.scroll_into_view_if_needed()
        x, y = centre(box.bounding_box())
        page.mouse.click(x, y)  # where the box was before the press: it must still be there
        ids.append(int(box.get_attribute("value")))
    checked = page.eval_on_selector_all(
        ".select-box", "boxes => boxes.filter(b => b.checked).length"
    )
    assert checked == count  # not one click missed
    assert page.text_content(".bulk .selected-count") == str(count)
    with page.expect_navigation():
        page.click(".bulk button[value=approve]")
    toast = page.locator("[data-toast]")
    assert f"已通过 {count} 条" in toast.text_content() and "撤销" in toast.text_content()
    assert all(status(db, comment_id) == "approved" for comment_id in ids)
    shoot(page, "desk-bulk-toast-1366.png")
    with page.expect_navigation():
        toast.locator("button").click()
    assert all(status(db, comment_id) == "pending" for comment_id in ids)
    undone = db.execute(
        f"SELECT COUNT(*) FROM decisions WHERE action = 'reopen' AND actor = '王编辑' "
        f"AND comment_id IN ({','.join('?' * len(ids))})",
        ids,
    ).fetchone()[0]
    assert undone == count  # undo is recorded decisions, one per comment of the batch
    assert f"已撤销：{count} 条" in page.text_content(".flash")
    page.context.close()


def group_with_a_later_lower_id(db) -> tuple[int, int, list[int]]:
    """A duplicate group whose earliest comment is not its lowest id: (group, earliest, ids)."""
    for (group,) in db.execute(
        "SELECT dup_group FROM scores WHERE dup_group IS NOT NULL GROUP BY dup_group "
        "HAVING COUNT(*) > 1"
    ).fetchall():
        rows = db.execute(
            "SELECT c.id FROM comments c JOIN scores s ON s.comment_id = c.id "
            "WHERE s.dup_group = ? ORDER BY c.created_at, c.id",
            [group],
        ).fetchall()
        ids = [row[0] for row in rows]
        if ids[0] != min(ids):
            return group, ids[0], ids
    raise AssertionError("the demo data has no group whose original came later")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_group_keeps_the_earliest_and_rejects_the_copies_then_undo(browser, site, db, viewport):
    group, earliest, ids = group_with_a_later_lower_id(db)
    before = {comment_id: status(db, comment_id) for comment_id in ids}
    page = open_page(browser, viewport)
    log_in(page, site, "王编辑", f"/groups/{group}")
    first_card = page.locator("article.comment").first
    assert int(first_card.get_attribute("data-comment-id")) == earliest  # the original first
    shoot(page, f"desk-group-{viewport['width']}.png")
    with page.expect_navigation():
        page.click("button.group-keep-earliest")
    assert status(db, earliest) == "approved"
    copies = [comment_id for comment_id in ids if comment_id != earliest]
    assert all(status(db, comment_id) == "rejected" for comment_id in copies)
    reasons = {
        row[0]
        for row in db.execute(
            f"SELECT reason FROM decisions WHERE action = 'reject' AND comment_id IN "
            f"({','.join('?' * len(copies))})",
            copies,
        )
    }
    assert reasons == {"duplicate"}
    toast = page.locator("[data-toast]")
    assert f"#{earliest}" in toast.text_content()
    assert f"拒绝副本 {len(copies)} 条" in toast.text_content()
    shoot(page, f"desk-group-toast-{viewport['width']}.png")
    with page.expect_navigation():
        toast.locator("button").click()
    assert {comment_id: status(db, comment_id) for comment_id in ids} == before
    page.context.close()


def test_thread_context_on_the_card_and_the_side_panel(browser, site, db):
    reply_id, parent_id = db.execute(
        "SELECT r.id, p.id FROM comments r JOIN comments p ON p.channel = r.channel "
        "AND p.native_id = r.reply_to WHERE r.author_name = '环卫老周'"
    ).fetchone()
    parent_text = db.execute("SELECT text FROM comments WHERE id = ?", [parent_id]).fetchone()[0]
    page = open_page(browser)
    log_in(page, site, "王编辑", "/?queue=all&author=demo:环卫老周")
    card = page.locator(f"#comment-{reply_id}")
    assert parent_text in card.locator(".thread-parent").text_content()
    assert card.locator(".thread-parent .status-badge").text_content() in (
        "待审",
        "已通过",
        "已拒绝",
    )
    assert card.locator("a.author + .official-badge").text_content() == "官方"
    card.click()
    page.wait_for_selector("#panel .thread-parent")
    assert parent_text in page.text_content("#panel .thread-parent")
    shoot(page, "desk-thread-1366.png")
    page.context.close()
    page = open_page(browser, PHONE)
    log_in(page, site, "王编辑", "/?queue=all&author=demo:环卫老周")
    assert page.locator(f"#comment-{reply_id} .thread-parent").is_visible()
    shoot(page, "desk-thread-390.png")
    page.context.close()


def test_parent_card_lists_its_replies_on_the_story_page(browser, site, db):
    parent_id, story_id = db.execute(
        "SELECT p.id, p.story_id FROM comments r JOIN comments p ON p.channel = r.channel "
        "AND p.native_id = r.reply_to WHERE r.author_name = '环卫老周'"
    ).fetchone()
    page = open_page(browser)
    log_in(page, site, "王编辑", f"/stories/{story_id}")
    replies = page.locator(f"#comment-{parent_id} details.thread-replies")
    assert "环卫老周" in replies.text_content() and "官方" in replies.text_content()
    page.context.close()


def test_toast_never_covers_the_next_cards_buttons_on_a_phone(browser, site, db):
    page = open_page(browser, PHONE)
    log_in(page, site, "王编辑", "/?queue=pending&order=negative")
    for _ in range(3):
        page.keyboard.press("j")
    with page.expect_navigation():
        page.keyboard.press("a")
    page.wait_for_selector("article.comment.focused")
    toast = page.locator("[data-toast]").bounding_box()
    focused = page.locator("article.comment.focused")
    assert active_comment_id(page) == int(focused.get_attribute("data-comment-id"))
    for button in focused.locator(".card-actions button").all():
        box = button.bounding_box()
        if box["y"] > PHONE["height"]:
            continue  # below the screen, not under the toast
        assert box["y"] + box["height"] <= toast["y"] or box["y"] >= toast["y"] + toast["height"]
    assert page.locator("article.comment.focused kbd").first.is_hidden()  # no keys on a phone
    assert "/" not in page.get_attribute("#search-box", "placeholder")
    assert page.locator(".hint.keys").count() == 0 or page.locator(".hint.keys").is_hidden()
    shoot(page, "desk-toast-390.png")
    page.clock.run_for(8_000)  # the toast's time is up: it fades, then is gone
    assert "leaving" in page.locator("[data-toast]").get_attribute("class").split()
    page.clock.run_for(400)
    assert page.locator("[data-toast]").is_hidden()
    page.context.close()


STICKING_OUT = """() => Array.from(document.querySelectorAll('main *'))
  .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1
             || el.getBoundingClientRect().left < -1)
  .filter(el => !el.closest('svg'))
  .slice(0, 5)
  .map(el => el.tagName + '.' + el.className + ' ' + (el.textContent || '').slice(0, 20))"""


def admin_pages(db) -> list[tuple[str, str]]:
    """Every page an admin opens from the navigation, and the pages behind its links."""
    author = db.execute("SELECT author_key FROM comments ORDER BY id LIMIT 1").fetchone()[0]
    story = db.execute("SELECT story_id FROM comments ORDER BY id LIMIT 1").fetchone()[0]
    return [
        ("rules", "/admin/rules"),
        ("rule-edit", "/admin/rules?edit=1"),
        ("alert-rules", "/admin/alerts"),
        ("alert-rule-edit", "/admin/alerts?edit=1"),
        ("users", "/admin/users"),
        ("words", "/admin/words"),
        ("reasons", "/admin/reasons"),
        ("channels", "/channels"),
        ("author", f"/authors/{author}"),
        ("story", f"/stories/{story}"),
        ("alerts", "/alerts"),
        ("stories", "/stories"),
        ("metrics", "/metrics"),
        ("reports", "/reports"),
    ]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_admin_pages_fit_the_screen_without_sideways_scrolling(browser, site, db, viewport):
    from moderation.alerts.conditions import DEFAULT_RULES
    from moderation.storage import alerts as alert_store

    if not alert_store.list_rules(db):
        for rule in DEFAULT_RULES:
            alert_store.save_rule(db, {"enabled": True, "targets": [], "params": {}, **rule}, "t")
    page = open_page(browser, viewport)
    log_in(page, site, "管理员")
    for name, path in admin_pages(db):
        response = page.goto(site["url"] + path)
        assert response.status == 200, name
        shoot(page, f"admin-{name}-{viewport['width']}.png")
        if name in ("rule-edit", "alert-rule-edit"):  # the whole form, to look at
            form = "rule-editor" if name == "rule-edit" else "alert-rule-form"
            page.screenshot(
                path=str(SCREENSHOTS / f"{form}-{viewport['width']}.png"), full_page=True
            )
        overflow = page.evaluate("document.documentElement.scrollWidth") - viewport["width"]
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px"
        assert page.evaluate(STICKING_OUT) == [], name  # nothing clipped off the screen
    page.context.close()
