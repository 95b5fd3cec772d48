"""Shared fixtures: settings on a temp folder, the app, a client, a fresh database, logins and
processes that always end; one model cache and one hypothesis profile for the whole session."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from hypothesis import settings as hypothesis_settings

from moderation import create_app
from moderation.db import connect
from moderation.scoring.fast_segment import CACHE_DIR_ENV, default_cache_dir
from moderation.settings import load_settings
from tests.helpers import Auth, stopped_clock, write_config
from tests.processes import Processes
from tests.scheduling_channel import ChannelServer

# dev: a quick local loop, a few new examples each run. ci (under CI=true): the thorough run,
# the same examples every time (derandomized), so a landing is never decided by a lucky draw.
# HYPOTHESIS_PROFILE=ci (or pytest --hypothesis-profile=ci) runs the thorough one locally.
hypothesis_settings.register_profile("dev", max_examples=10)
hypothesis_settings.register_profile("ci", max_examples=100, derandomize=True, print_blob=True)
ON_CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if ON_CI else "dev"))

# One folder of model tables for the session, its xdist workers and every process a test
# starts (they inherit the environment): the tables are built once, not once per test.
os.environ.setdefault(CACHE_DIR_ENV, default_cache_dir())


@pytest.fixture
def config_file(tmp_path):
    """A config file with the demo channel, on a temp folder."""
    return write_config(tmp_path)


@pytest.fixture
def settings(config_file):
    """Validated settings on a temp folder."""
    return load_settings(config_file)


@pytest.fixture
def db(settings):
    """A fresh migrated database file."""
    database = connect(settings.database_path)
    yield database
    database.close()


@pytest.fixture
def app(settings, db):
    """The Flask app on the temp settings, CSRF off (CSRF has its own tests)."""
    return create_app(settings, TESTING=True, WTF_CSRF_ENABLED=False, SECRET_KEY="test")


@pytest.fixture
def client(app):
    """A test client, not logged in."""
    return app.test_client()


@pytest.fixture
def auth(client, db):
    """Logs the client in: `auth.login("moderator")`."""
    return Auth(client, db)


@pytest.fixture
def throttle_clock(monkeypatch):
    """The login throttle's clock stopped at the test's start. Its first wait is 2 s from the
    last counted failure: on a loaded machine the attempts of a test took longer than that,
    the wait ran out, and one more password was checked than the test expected."""
    from moderation.storage import login_throttle

    start = datetime.now(UTC)
    monkeypatch.setattr(login_throttle, "datetime", stopped_clock(start))
    return start


@pytest.fixture
def processes():
    """Start processes with `processes.start(...)`; each is ended at teardown, whatever happened."""
    started = Processes()
    yield started
    started.end_all()


@pytest.fixture
def channel_server():
    """A local channel server (tests/scheduling_channel.py) on a free loopback port."""
    server = ChannelServer().start()
    yield server
    server.close()


@pytest.fixture(scope="session")
def built_segmenter_cache():
    """The session's folder of model tables (the segmenter's are built there once)."""
    from pathlib import Path

    return Path(os.environ[CACHE_DIR_ENV])


@pytest.fixture(scope="module")
def browser():
    """One headless chromium per test module (Debian's binary, nothing downloaded); pages
    open their own context on it. Module scope: a module that starts Playwright itself
    never meets one still running from another module."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    from tests.browser_support import launch

    with sync_api.sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()
