"""Helpers shared by the tests: config files on a temp folder, logging in with a password,
a stopped clock."""

from __future__ import annotations

import textwrap
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"


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


def stopped_clock(moment: datetime) -> type[datetime]:
    """A `datetime` whose now() is always `moment` (in the zone asked for), to put in place
    of a module's `datetime` with monkeypatch: what that module reads as "now" stays put
    however long the test takes, or is any instant the test names."""

    class Stopped(datetime):
        @classmethod
        def now(cls, tz=None):
            return moment.astimezone(tz)

    return Stopped


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
