"""Browser fixtures: a headless chromium page."""

import pytest

from tests.browser_support import launch


@pytest.fixture
def page():
    """A headless chromium page (Debian's binary, nothing downloaded)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(
            accept_downloads=True, viewport={"width": 1200, "height": 900}
        )
        yield context.new_page()
        context.close()
        browser.close()
