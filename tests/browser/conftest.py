"""Browser fixtures: a headless chromium page on the session's shared browser fixture."""

import pytest


@pytest.fixture
def page(browser):
    """A fresh context's page on the module's chromium (downloads accepted)."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1200, "height": 900})
    yield context.new_page()
    context.close()
