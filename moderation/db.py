"""Open the SQLite file: one sqlite_utils.Database per request, job or command, never shared
across threads. WAL lets the dashboard read while the collector writes; the busy timeout
makes writers wait instead of failing with "database is locked"."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from moderation.migrations import apply_migrations


class Database(sqlite_utils.Database):
    """A sqlite_utils Database whose transactions take the write lock up front.

    sqlite_utils begins with a plain (deferred) BEGIN: a transaction that reads first and
    then writes fails at once with "database is locked" if another connection wrote in
    between (the scheduler, its lease, the dashboard), whatever the busy timeout.
    BEGIN IMMEDIATE waits for the other writer instead.
    """

    @contextmanager
    def atomic(self):
        """A transaction (a savepoint when nested) holding the write lock from the start."""
        if self.conn.in_transaction:
            with super().atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            with super().atomic():  # a savepoint inside our transaction
                yield self
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")


def connect(path: str | Path, busy_timeout_ms: int = 10000, migrate: bool = True):
    """Open (creating if needed) the database at `path` with WAL and a busy timeout."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        str(path), timeout=busy_timeout_ms / 1000, check_same_thread=False, isolation_level=None
    )
    db = Database(conn)
    db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    if migrate:
        apply_migrations(db)
    return db


def open_db(settings, migrate: bool = True):
    """Open the database the settings point at."""
    return connect(settings.database_path, settings.database.busy_timeout_ms, migrate=migrate)
