"""The login throttle: failed logins counted per (name, address), each further attempt made
to wait longer, so a guesser is slowed without locking colleagues out.

An attempt is counted (as a failure) before its password is checked, in one write
transaction with the check of the wait, so parallel attempts cannot slip past the count;
a successful login clears the count.
"""

from __future__ import annotations

from datetime import UTC, datetime

FORGET_AFTER_SECONDS = 24 * 3600  # failures this old no longer count


def delay_seconds(failures: int, free_failures: int, max_delay: int) -> float:
    """The wait before the next attempt after `failures` in a row: none for the first
    `free_failures`, then 2, 4, 8, ... seconds, up to `max_delay`."""
    if failures < free_failures:
        return 0.0
    return float(min(2 ** (failures - free_failures + 1), max_delay))


def admit(db, name: str, address: str, free_failures: int, max_delay: int) -> float:
    """Count an attempt for (name, address) and return 0, or return how many seconds it must
    still wait (then it is not counted and no password may be checked)."""
    now = datetime.now(UTC)
    with db.atomic():
        row = db.execute(
            "SELECT failures, last_attempt_at FROM login_throttle WHERE name = ? AND address = ?",
            [name, address],
        ).fetchone()
        failures, elapsed = 0, 0.0
        if row is not None:
            elapsed = (now - datetime.fromisoformat(row[1])).total_seconds()
            failures = row[0] if elapsed < FORGET_AFTER_SECONDS else 0
        wait = delay_seconds(failures, free_failures, max_delay) - max(elapsed, 0.0)
        if wait > 0:
            return wait
        db.execute(
            "INSERT INTO login_throttle (name, address, failures, last_attempt_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (name, address) DO UPDATE SET "
            "failures = excluded.failures, last_attempt_at = excluded.last_attempt_at",
            [name, address, failures + 1, now.isoformat()],
        )
    return 0.0


def succeeded(db, name: str, address: str) -> None:
    """A correct password: the count for (name, address) starts again."""
    db.execute("DELETE FROM login_throttle WHERE name = ? AND address = ?", [name, address])
