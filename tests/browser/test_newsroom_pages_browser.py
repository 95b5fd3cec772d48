"""The newsroom's pages beyond the desk (metrics, reports, alerts, channels, ranking, duties,
editions, admin) on a phone: a chief editor and an admin open each at 390 px and nothing
scrolls sideways (a wide table scrolls inside its own box). Screenshots go under
test-output/screenshots/.

Debian's chromium driven by Playwright against a real server on 127.0.0.1, the demo channel
collected and scored.
"""

from __future__ import annotations

import pytest

from moderation import create_app, pipeline
from moderation.db import open_db
from moderation.settings import load_settings
from moderation.storage import alerts as alert_store
from moderation.storage import decisions, users
from tests import browser_support
from tests.browser_support import CHROMIUM, PHONE, SCREENSHOTS, launch, live_server
from tests.helpers import PASSWORD, write_config

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not at /usr/bin/chromium"
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
PAGES = {
    "chief": [
        "/metrics",
        "/reports",
        "/alerts",
        "/overview",
        "/stories",
        "/channels",
        "/ranking/",
        "/reader-reports",
        "/appeals",
        "/editions/",
    ],
    "admin": ["/records", "/admin/users", "/admin/alerts", "/admin/reasons", "/admin/words"],
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The dashboard on the demo channel, collected and scored; its base URL."""
    folder = tmp_path_factory.mktemp("newsroom")
    settings = load_settings(write_config(folder))
    db = open_db(settings)
    pipeline.collect_channel(db, settings, settings.channel("demo"))
    pipeline.score_pending(db, settings)
    pending = [row[0] for row in db.execute("SELECT id FROM comments WHERE status = 'pending'")]
    decisions.decide(db, pending[:40], "approve", "王审核")  # figures in every metrics table
    decisions.decide(db, pending[40:50], "reject", "王审核", "abuse")
    story = db.execute("SELECT id FROM stories WHERE title = '下雪啦'").fetchone()[0]
    rule = alert_store.save_rule(db, {"name": "负面评论激增", "kind": "negative_spike"}, "t")
    alert_store.fire_alert(
        db,
        {"rule_id": rule, "condition": f"story:{story}", "title": "《下雪啦》负面评论激增",
         "story_id": story, "detail": {"count": 15, "peak": 15,
                                       "lines": ["近 30 分钟 15 条负面评论（共 20 条），占 75%"]}},
        [],
        "2024-01-22T13:40:00+00:00",
    )  # fmt: skip
    users.add_user(db, "chief", "chief_editor", PASSWORD)
    users.add_user(db, "admin", "admin", PASSWORD)
    with live_server(create_app(settings, SECRET_KEY="newsroom-browser-key")) as url:
        yield url
    db.close()


@pytest.mark.parametrize("user", sorted(PAGES))
def test_no_newsroom_page_scrolls_sideways_on_a_phone(server, user):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    wide = {}
    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            context = browser.new_context(viewport=PHONE, locale="zh-CN")
            page = context.new_page()
            page.set_default_timeout(15_000)
            browser_support.log_in(page, server, user, PAGES[user][0])
            for path in PAGES[user]:
                response = page.goto(server + path)
                assert response.status == 200, path
                name = path.strip("/").replace("/", "-") or "root"
                page.screenshot(path=str(SCREENSHOTS / f"newsroom-{name}-390.png"), full_page=True)
                overflow = page.evaluate("document.documentElement.scrollWidth") - PHONE["width"]
                if overflow > 0:
                    wide[path] = overflow
        finally:
            browser.close()
    assert wide == {}, f"pages scrolling sideways at 390 px (by px): {wide}"


def test_alerts_read_as_cards_on_a_phone(server):
    """Five columns squeezed into 390 px wrapped 进行中 one character a line: each alert is
    a card of labelled lines instead."""
    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
            browser_support.log_in(page, server, "chief", "/alerts")
            state = page.locator("tr[data-alert] td[data-label='状态']")
            label = state.evaluate("e => getComputedStyle(e, '::before').content")
            assert label == '"状态"' and state.inner_text() == "进行中"  # labelled, one line
            assert state.bounding_box()["width"] > 300
            assert not page.locator("table.alerts thead").is_visible()
        finally:
            browser.close()
