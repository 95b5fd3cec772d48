"""A busy database: recognise SQLite's lock errors and retry, with backoff, where the caller
can wait (CLI commands), so "database is locked" never ends a command."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from typing import TypeVar

BUSY_MESSAGES = ("database is locked", "database is busy", "database table is locked")
CLI_RETRIES = 6  # with the busy timeout before each: minutes of patience for a command
BASE_SECONDS = 0.5
MAX_SECONDS = 30.0

log = logging.getLogger(__name__)
Result = TypeVar("Result")
sleep = time.sleep  # tests replace it to act between attempts, without waiting


def is_busy(error: BaseException) -> bool:
    """Whether an error is SQLite saying another connection holds the lock."""
    return isinstance(error, sqlite3.OperationalError) and str(error).startswith(BUSY_MESSAGES)


def backoff_seconds(attempt: int) -> float:
    """The pause before retry `attempt` (1, 2, ...): doubling from BASE_SECONDS, capped."""
    return min(BASE_SECONDS * 2 ** (attempt - 1), MAX_SECONDS)


def retrying(action: Callable[[], Result], retries: int) -> Result:
    """`action()`, run again up to `retries` times while the database is busy.

    Only for work that changed nothing when it failed: one autocommit statement, or the
    BEGIN of a transaction.
    """
    attempt = 0
    while True:
        try:
            return action()
        except sqlite3.OperationalError as error:
            if not is_busy(error) or attempt >= retries:
                raise
            attempt += 1
            pause = backoff_seconds(attempt)
            log.warning("database busy: retry %d of %d in %.1fs", attempt, retries, pause)
            sleep(pause)
