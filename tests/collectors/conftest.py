"""Collector tests: local HTTP servers on 127.0.0.1 only, tiny timeouts and backoff."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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
