"""Collector tests: local HTTP servers on 127.0.0.1 only, tiny timeouts and backoff; one
way to open a channel's settings and database (closed after the test) and to collect it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from moderation import pipeline
from moderation.db import connect
from moderation.settings import load_settings
from tests.helpers import write_config

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# Keys every HTTP channel in these tests gets, so retries and timeouts cost milliseconds.
FAST = (
    "connect_timeout = 1.0\nread_timeout = 0.5\ncall_timeout = 5.0\n"
    "max_attempts = 3\nbackoff_seconds = 0.01\nmax_wait_seconds = 0.5\n"
)


@pytest.fixture(scope="session")
def httpserver_listen_address():
    """pytest-httpserver listens on loopback only."""
    return ("127.0.0.1", 0)


def fixture(channel: str, name: str):
    """A documented payload from tests/fixtures/<channel>/<name>.json."""
    return json.loads((FIXTURES / channel / f"{name}.json").read_text(encoding="utf-8"))


def channel_settings(tmp_path, channels: str, extra: str = ""):
    """Settings with the given [[channels]] tables, database in tmp_path."""
    return load_settings(write_config(tmp_path, extra=extra, channels=channels))


@pytest.fixture
def open_channel(tmp_path):
    """A function: settings with the given [[channels]] tables (and top-level `extra`) and a
    fresh database in tmp_path, as (settings, db); every database opened is closed after
    the test."""
    opened = []

    def open_(channels: str, extra: str = ""):
        settings = channel_settings(tmp_path, channels, extra)
        db = connect(settings.database_path)
        opened.append(db)
        return settings, db

    yield open_
    for db in opened:
        db.close()


def collect(db, settings, name: str | None = None):
    """One collection run of channel `name` (default: the first configured)."""
    channel = settings.channel(name) if name else settings.channels[0]
    return pipeline.collect_channel(db, settings, channel)
