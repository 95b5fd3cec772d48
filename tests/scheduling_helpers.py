"""Helpers shared by the scheduler tests: fast settings, waiting, reading runs."""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from contextlib import closing, contextmanager
from pathlib import Path

from moderation.db import connect
from moderation.settings import load_settings
from tests.helpers import ROOT, write_config

# Tiny lease and backoff so a test sees takeovers and recoveries in seconds; a long misfire
# grace, so a scheduler started late by a loaded machine still makes its run at start.
FAST = """
[scheduler]
lease_seconds = {lease}
jitter_seconds = 0
misfire_grace_seconds = 600
backoff_base_seconds = {backoff}
max_backoff_seconds = 60
[scoring]
batch_size = 5
"""


def channel_tables(channels: dict[str, dict]) -> str:
    """[[channels]] tables from {name: {key: value}}."""
    text = ""
    for name, keys in channels.items():
        text += f'[[channels]]\nname = "{name}"\n'
        for key, value in keys.items():
            text += f"{key} = {value!r}\n".replace("'", '"')
    return text


def fast_config(folder: Path, channels: dict[str, dict], lease=3, backoff=0.5) -> Path:
    """A config with the given channels and a fast scheduler."""
    extra = FAST.format(lease=lease, backoff=backoff)
    return write_config(folder, extra=extra, channels=channel_tables(channels))


def fast_settings(folder: Path, channels: dict[str, dict], **fast):
    """Settings for `fast_config`, with the database created."""
    settings = load_settings(fast_config(folder, channels, **fast))
    connect(settings.database_path).close()
    return settings


def wait_for(condition, timeout: float = 90, every: float = 0.1):
    """Poll until `condition()` is truthy; fail after a generous `timeout` (a hang guard).

    A database another process is still creating ("no such table") counts as not yet.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except sqlite3.OperationalError:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s: {condition}")
        time.sleep(every)


def query(settings_or_path, sql: str, params=()) -> list[dict]:
    """Rows of a query on a fresh connection (the scheduler writes from other threads)."""
    path = getattr(settings_or_path, "database_path", settings_or_path)
    with closing(connect(path, migrate=False)) as db:
        return list(db.query(sql, params))


def runs(settings_or_path, channel: str, status: str | None = None) -> list[dict]:
    """A channel's runs, oldest first."""
    sql = "SELECT * FROM runs WHERE channel = ?"
    params = [channel]
    if status:
        sql += " AND status = ?"
        params.append(status)
    return query(settings_or_path, sql + " ORDER BY id", params)


def assert_no_overlap(channel_runs: list[dict]) -> None:
    """Each run of a channel started after the one before it finished."""
    for before, after in zip(channel_runs, channel_runs[1:], strict=False):
        assert before["finished_at"] is not None, before
        assert after["started_at"] >= before["finished_at"], (before, after)


@contextmanager
def running_scheduler(settings):
    """The real APScheduler-based scheduler, in this process."""
    from moderation.scheduling.service import SchedulerService

    service = SchedulerService(settings)
    service.start()
    try:
        yield service
    finally:
        service.shutdown()


def start_cli(processes, config: Path, *args: str, module: str = "moderation.cli", log=None):
    """Start `python -m <module> --config CONFIG ARGS` from this worktree (ended at teardown)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("MODERATION_CONFIG", None)
    command = [sys.executable, "-m", module, "--config", str(config), *args]
    return processes.start(command, cwd=ROOT, env=env, log=log)
