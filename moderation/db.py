"""Open the SQLite file: one sqlite_utils.Database per request, job or command, never shared
across threads. WAL lets the dashboard read while the collector writes; the busy timeout
makes writers wait instead of failing with "database is locked"."""

from __future__ import annotations

import contextlib
import secrets
import sqlite3
import threading
from pathlib import Path

import sqlite_utils

from moderation.storage import retry
from moderation.storage.migrations import apply_migrations


class Database(sqlite_utils.Database):
    """sqlite_utils.Database whose transactions take the write lock up front.

    A deferred transaction that reads and then writes cannot wait for another writer in
    WAL mode: SQLite answers "database is locked" at once. BEGIN IMMEDIATE waits (up to the
    busy timeout) for the lock instead, so concurrent moderators and the collector queue up.
    """

    @contextlib.contextmanager
    def atomic(self):
        """A write transaction (a savepoint when nested); rolled back on any exception."""
        if self.conn.in_transaction:
            savepoint = f"sp_{secrets.token_hex(8)}"
            self.conn.execute(f"SAVEPOINT {savepoint}")
            try:
                yield self
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
                    self.conn.execute(f"RELEASE SAVEPOINT {savepoint}")
                raise
            else:
                self.conn.execute(f"RELEASE SAVEPOINT {savepoint}")
            return
        retry.retrying(lambda: self.conn.execute("BEGIN IMMEDIATE"), self.busy_retries)
        try:
            yield self
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")


def connect(
    path: str | Path, busy_timeout_ms: int = 10000, migrate: bool = True, busy_retries: int = 0
):
    """Open (creating if needed) the database at `path` with WAL and a busy timeout."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        str(path), timeout=busy_timeout_ms / 1000, check_same_thread=False, isolation_level=None
    )
    db = Database(conn)
    db.busy_retries = busy_retries
    db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    # Reads come straight from the OS page cache through a memory map (a fresh connection per
    # request starts warm); the private cache then mostly holds a transaction's dirty pages.
    db.execute("PRAGMA mmap_size = 1073741824")
    db.execute("PRAGMA cache_size = -131072")  # up to 128 MiB, not the default 2 MB
    # A checkpoint (two fsyncs) every 40 MB of WAL, not every 4 MB: with the default, an
    # ingest page of 500 comments triggered one per commit and spent most of its time there.
    # With a Checkpointer thread on this file it is only a safety net, at 200 MB.
    background = str(path.resolve()) in _CHECKPOINTED
    db.execute(f"PRAGMA wal_autocheckpoint = {50000 if background else 10000}")
    db.execute("PRAGMA journal_size_limit = 67108864")  # truncate the WAL back to 64 MB
    db.execute("PRAGMA foreign_keys = ON")
    if migrate:
        apply_migrations(db)
    return db


_CHECKPOINTED: set[str] = set()  # database files a Checkpointer thread looks after


class Checkpointer:
    """Copies the WAL back into the database file from a thread of its own, while in use.

    A checkpoint writes every changed page to the database file and waits for two fsyncs.
    Run by the committing connection (SQLite's default), the ingest waits with it; here the
    wait overlaps the next batch's work (ingest at a million stored: about +7% on one
    core). Connections opened meanwhile keep an automatic checkpoint as a safety net.
    """

    def __init__(self, path: str | Path, interval: float = 0.5):
        self.path = str(Path(path).resolve())
        self.interval = interval
        self.last: tuple[int, int, int] | None = None  # (busy, WAL frames, frames copied)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Checkpointer:
        _CHECKPOINTED.add(self.path)
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        _CHECKPOINTED.discard(self.path)

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, timeout=10, check_same_thread=False)
        try:
            while not self._stop.wait(self.interval):
                self._checkpoint(conn)
            self._checkpoint(conn)
        finally:
            conn.close()

    def _checkpoint(self, conn) -> None:
        try:  # PASSIVE: never waits for, nor blocks, readers and writers
            self.last = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error:
            pass  # (e.g. the file is being replaced): the next round or the writers do it


def open_db(settings, migrate: bool = True, busy_retries: int = 0):
    """Open the database the settings point at (migrated: with the config's push policies,
    and the rows a dead sender on this host had claimed due again at once; `busy_retries`:
    see :class:`Database`)."""
    db = connect(
        settings.database_path,
        settings.database.busy_timeout_ms,
        migrate=migrate,
        busy_retries=busy_retries,
    )
    if migrate:
        from moderation.push.actions import policies
        from moderation.storage.outbox import reclaim_orphans, sync_policies

        sync_policies(db, policies(settings))
        reclaim_orphans(db)
    return db
