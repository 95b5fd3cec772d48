"""In a real browser: an admin writes a rule, dry-runs it and saves it; a moderator then
sees its effect in the queue (new comments held by it, the card naming the rule)."""

from __future__ import annotations

import pytest

from moderation import create_app, pipeline
from moderation.db import connect
from moderation.settings import load_settings
from moderation.storage import users
from tests import browser_support
from tests.browser_support import CHROMIUM, live_server
from tests.helpers import PASSWORD, write_config
from tests.test_scoring_pipeline import add

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not at /usr/bin/chromium"
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
RULE = """name = "短评"
action = "hold"
queue = "短评"
why = "太短的评论单独审"
[when]
length_below = 6
"""


@pytest.fixture
def site(tmp_path):
    """The app on 127.0.0.1 (a free port) over the demo channel, collected and scored."""
    settings = load_settings(write_config(tmp_path))
    db = connect(settings.database_path)
    pipeline.collect_channel(db, settings, settings.channel("demo"))
    add(db, "web", "old-short", "顶")
    pipeline.score_pending(db, settings)
    users.add_user(db, "管理员", "admin", PASSWORD)
    users.add_user(db, "王编辑", "moderator", PASSWORD)
    with live_server(create_app(settings, SECRET_KEY="browser-test-key")) as url:
        yield {"url": url, "settings": settings, "db": db}
    db.close()


def log_in(browser, site, name: str, path: str):
    """A fresh context logged in through the form, on `path`."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    browser_support.log_in(page, site["url"], name, path)
    return page


def fill_rule_form(admin) -> None:
    """The short-comment rule, written in the form's Chinese fields (no TOML)."""
    form = admin.locator("#rule-form")
    form.locator("input[name=name]").fill("短评")
    form.get_by_label("正文字数少于").fill("6")
    form.get_by_label("条件满足时").select_option(label="待审")
    form.get_by_label("放入的待审队列").fill("短评")
    form.get_by_label("说明").fill("太短的评论单独审")
    form.locator("input[name=position]").fill("1")


def test_admin_writes_dry_runs_saves_and_moderator_sees_the_effect(browser, site):
    admin = log_in(browser, site, "管理员", "/admin/rules")
    assert admin.locator("[data-for-action=reject]").is_hidden()  # only the action's parameter
    fill_rule_form(admin)
    with admin.expect_navigation():
        admin.click("#rule-form button.dry-run")
    report = admin.locator(".dry-run-report")
    assert report.locator("strong.checked").inner_text() == "190"
    assert int(report.locator("strong.candidate").inner_text()) >= 1
    assert "顶" in report.locator("ul.examples").inner_text()
    form = admin.locator("#rule-form")  # kept for saving
    assert form.get_by_label("正文字数少于").input_value() == "6"
    assert form.get_by_label("放入的待审队列").input_value() == "短评"
    with admin.expect_navigation():
        admin.click("#rule-form button.save")
    assert "已保存" in admin.inner_text("p.flash")
    row = admin.locator("tr[data-rule]", has_text="短评").first
    assert "正文字数少于 6字" in row.inner_text() and "待审（短评）" in row.inner_text()
    with admin.expect_navigation():
        row.get_by_text("编辑").click()
    assert admin.locator("#rule-form").get_by_label("正文字数少于").input_value() == "6"
    assert admin.input_value("textarea[name=source]") == RULE  # the TOML view of the same rule

    db, settings = site["db"], site["settings"]
    fresh = add(db, "web", "new-short", "赞赞")
    pipeline.score_pending(db, settings)
    moderator = log_in(browser, site, "王编辑", "/?queue=pending&held=短评")  # the rule's queue
    assert moderator.locator("article.comment").count() == 1
    card = moderator.locator(f"#comment-{fresh}")
    assert card.locator(".rule-note").inner_text().startswith("规则 5：短评 → 待审（短评）")
    card.hover()  # a card's history shows on hover, focus or keyboard
    card.locator("details.history summary").click()
    assert "规则 5：短评" in card.locator("tr.decision").inner_text()
