"""A real browser: an editor opens the week's draft, swaps one quote with the keyboard,
accepts it into an edition, and the edition's TXT has the quote lines in the order shown.

Debian's chromium through Playwright against the app on a real server in a thread on
127.0.0.1, CSRF protection on.
"""

import pytest

from moderation import create_app
from moderation.storage import decisions, users
from tests import browser_support
from tests.browser_support import CHROMIUM, SCREENSHOTS, live_server
from tests.drafting.conftest import demo_db, scored_demo_file  # noqa: F401  (fixtures)

PASSWORD = "correct horse battery"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed"),
]


@pytest.fixture
def server(settings, demo_db):  # noqa: F811
    """The dashboard on a real HTTP server in a thread, over the scored demo data."""
    users.add_user(demo_db, "lin", "editor", PASSWORD)
    with live_server(create_app(settings, SECRET_KEY="browser-test")) as base:
        yield base


def shown_quote_lines(page) -> list[str]:
    """The proposed quotes as the draft page shows them, top to bottom."""
    return [text.strip() for text in page.locator(".draft-pick .quote-line").all_inner_texts()]


def test_editor_swaps_with_the_keyboard_and_accepts_into_an_edition(server, page, demo_db):  # noqa: F811
    browser_support.log_in(page, server, "lin")
    page.goto(f"{server}/editions/new?draft=1&from=2024-01-19&to=2024-01-25")
    assert "下雪啦" in page.content()
    page.click("button.start-draft-button")
    page.wait_for_url("**/editions/drafts/*")

    second = page.locator(".draft-pick").nth(1)
    before_id = int(second.get_attribute("data-comment-id"))
    first_alternate = int(page.locator(".draft-alternate").first.get_attribute("data-comment-id"))
    before = shown_quote_lines(page)
    page.keyboard.press("j")  # the first proposed quote
    page.keyboard.press("j")  # the second
    assert page.evaluate("document.activeElement.dataset.commentId") == str(before_id)
    with page.expect_navigation():
        page.keyboard.press("s")
    assert page.locator(".flash").first.inner_text().startswith("已替换：换下 网友@")
    after = shown_quote_lines(page)
    assert after != before and after[0] == before[0] and after[2:] == before[2:]
    assert (
        int(page.locator(".draft-pick").nth(1).get_attribute("data-comment-id")) == first_alternate
    )
    assert decisions.history(demo_db, first_alternate)[-1]["action"] == "draft_swap"
    assert before_id != first_alternate
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "draft-after-swap.png"), full_page=True)

    page.fill("input[name=date]", "2024-01-26")
    page.click("button.accept-button")
    page.wait_for_url("**/editions/2024-01-26")
    response = page.request.get(f"{server}/editions/2024-01-26/export.txt")
    assert response.ok
    exported = [line for line in response.text().splitlines() if line.startswith("网友@")]
    assert exported == after
