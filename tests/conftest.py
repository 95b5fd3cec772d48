"""Shared fixtures: a settings object on a temp folder, the app, a client, a fresh database."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from moderation import create_app
from moderation.db import connect
from moderation.settings import load_settings

# In CI the property tests draw the same examples on every run (derandomized), so a landing
# is never decided by a lucky or unlucky draw; locally they explore new examples each run.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent


def write_config(folder: Path, extra: str = "", channels: str | None = None) -> Path:
    """A config file in `folder` with the demo channel (or the given channel tables)."""
    if channels is None:
        channels = '[[channels]]\nname = "demo"\ntype = "demo"\nschedule = "10m"\n'
    if "[scoring]" not in extra:
        extra += (
            '\n[scoring]\nbanned_words = ["傻逼", "代开发票"]\n'
            'suspect_words = ["垃圾", "脑残", "骗子"]\n'
        )
    path = folder / "config.toml"
    path.write_text(
        textwrap.dedent(
            """
            data_dir = "data"
            [database]
            path = "test.db"
            """
        )
        + extra
        + "\n"
        + channels,
        encoding="utf-8",
    )
    return path


@pytest.fixture
def config_file(tmp_path) -> Path:
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


PASSWORD = "correct horse battery"


class Auth:
    """Log the test client in as a user of a given role (the user is created on demand)."""

    def __init__(self, client, db):
        self.client = client
        self.db = db

    def login(self, role: str = "admin", name: str | None = None):
        """Create `name` (default: the role's name) if needed and log in."""
        from moderation.storage import users

        name = name or role
        if users.get_user(self.db, name) is None:
            users.add_user(self.db, name, role, PASSWORD)
        response = self.client.post("/login", data={"name": name, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    def logout(self):
        """Log out."""
        return self.client.post("/logout")


@pytest.fixture
def auth(client, db):
    """Logs the client in: `auth.login("moderator")`."""
    return Auth(client, db)


@pytest.fixture(scope="session")
def built_segmenter_cache() -> Path:
    """The fast segmenter's tables, built once per machine (half a minute when cold)."""
    from moderation.scoring import fast_sentiment
    from moderation.scoring.fast_segment import default_cache_dir

    fast_sentiment.load()
    return Path(default_cache_dir())


def seed_segmenter_cache(built: Path, target: Path) -> Path:
    """Link the built segmenter tables into ``target``, as a data folder that served once."""
    target.mkdir(parents=True, exist_ok=True)
    for source in built.iterdir():
        try:
            os.link(source, target / source.name)
        except OSError:
            shutil.copyfile(source, target / source.name)
    return target


@pytest.fixture
def segmenter_cache(tmp_path, built_segmenter_cache) -> Path:
    """``tmp_path/cache`` holding the segmenter's tables (tmp_path as the data folder)."""
    return seed_segmenter_cache(built_segmenter_cache, tmp_path / "cache")
