"""Online backup and restore of the SQLite file (operators' `moderation backup` and `restore`)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class OperationError(RuntimeError):
    """A backup or restore that cannot proceed; the message says what to do."""


def backup(db_path: Path, target: Path, progress=None) -> dict:
    """Copy the live database to `target` with SQLite's online backup API.

    Safe while the service runs: the copy is a consistent snapshot of one moment.
    """
    check_backup_target(target)
    source = sqlite3.connect(str(db_path), timeout=30)
    destination = sqlite3.connect(str(target))
    try:
        source.backup(destination, pages=256, progress=_pages_progress(progress))
        destination.execute("PRAGMA journal_mode = DELETE")
        return summary(destination)
    finally:
        destination.close()
        source.close()


def check_backup_target(target: Path) -> None:
    """A backup goes to a new file in a folder that exists (a typo never creates folders)."""
    if target.exists():
        raise OperationError(f"{target} exists already: choose a new file name")
    if not target.parent.is_dir():
        raise OperationError(f"{target.parent}: no such folder: create it first or pick another")


def restore(backup_path: Path, db_path: Path, progress=None) -> dict:
    """Replace the database's content with a backup, after checking the backup's integrity."""
    if not backup_path.exists():
        raise OperationError(f"{backup_path}: no such backup file")
    source = sqlite3.connect(f"file:{backup_path}?mode=ro", uri=True)
    try:
        try:
            check = source.execute("PRAGMA integrity_check").fetchone()[0]
            source.execute("SELECT COUNT(*) FROM comments").fetchone()
        except sqlite3.DatabaseError as error:
            raise OperationError(
                f"{backup_path} is not a backup of this service's database ({error}): "
                "choose a file written by `moderation backup`"
            ) from None
        if check != "ok":
            raise OperationError(f"{backup_path} fails PRAGMA integrity_check: {check}")
        db_path.parent.mkdir(parents=True, exist_ok=True)
        destination = sqlite3.connect(str(db_path), timeout=30)
        try:
            source.backup(destination, pages=256, progress=_pages_progress(progress))
            return summary(destination)
        finally:
            destination.close()
    finally:
        source.close()


def _pages_progress(progress):
    if progress is None:
        return None
    return lambda status, remaining, total: progress(total - remaining, total)


def summary(connection: sqlite3.Connection) -> dict:
    """Integrity and row counts of the main tables, to print after a backup or restore."""
    counts = {}
    for table in ("comments", "decisions", "stories", "users"):
        try:
            counts[table] = connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        except sqlite3.OperationalError:
            counts[table] = 0
    integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
    return {"integrity": integrity, **counts}
