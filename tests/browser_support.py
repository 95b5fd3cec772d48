"""Headless Debian chromium for the browser tests: where it is and how it must start.

Without the networking flags chromium keeps trying to reach hosts that do not exist here.
"""

import contextlib
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from tests.helpers import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
DESKTOP = {"width": 1366, "height": 768}  # the newsroom's desk screens
PHONE = {"width": 390, "height": 844}  # a moderator on a phone
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-output" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def log_in(page, base_url: str, name: str, path: str = "/") -> None:
    """Log in as `name` through the login form and wait until `path` has loaded.

    The form's own button is clicked: a page still showing an old session's header also has
    a submit button (退出), and clicking the first one logged the test out instead.
    """
    page.goto(f"{base_url}/login?next={quote(path)}")
    page.fill(".login-card input[name=name]", name)
    page.fill(".login-card input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click(".login-card button[type=submit]")


# The page clock of the desk tests: installed before the first page, stopped one second on.
PAGE_CLOCK = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


def stop_page_clock(page) -> None:
    """Stop the clock of `page`'s pages (every one it opens later, too): their timers fire
    only when a test runs the clock on (`page.clock.run_for(ms)`).

    The undo toast hides itself 8 s after its page loaded (static/dashboard.js, the desk's
    one timer). On a loaded machine, the page load, the test's checks and a screenshot
    between a decision and its 撤销 could take longer than that: the toast was gone, "u"
    found no undo form, and the test failed waiting for a navigation that never came.
    """
    page.clock.install(time=PAGE_CLOCK)
    page.clock.pause_at(PAGE_CLOCK + timedelta(seconds=1))


def launch(playwright):
    """Start Debian's chromium headless (Playwright's own browser download is not used)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)


@contextlib.contextmanager
def live_server(app):
    """Serve `app` on 127.0.0.1 (port chosen by the system) in a thread; yields its base URL."""
    from werkzeug.serving import make_server

    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{http.server_port}"
    finally:
        http.shutdown()
        thread.join(timeout=5)
