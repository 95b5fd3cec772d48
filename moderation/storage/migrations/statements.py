"""Helpers for writing a migration: frozen, so no applied migration changes with them."""

from __future__ import annotations


def run_statements(db, script: str) -> None:
    """Run `;`-separated statements one by one, inside the migration's transaction.

    (sqlite3's executescript would COMMIT first and break the migration's atomicity.)
    """
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)
