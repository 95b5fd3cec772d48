"""The login throttle: failed logins counted per (name, address), each further attempt made
to wait longer, so a guesser is slowed without locking colleagues out; and per account,
whatever the address (the row with address ANY_ADDRESS), with more free failures, so a
guesser spreading over many addresses is slowed too (20 addresses × 4 tries had checked 60
passwords for one account).

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


ANY_ADDRESS = "*"  # the per-account count's row: no client address is "*"


def admit(
    db,
    name: str,
    address: str,
    free_failures: int,
    max_delay: int,
    account_free_failures: int | None = None,
    now: datetime | None = None,
) -> float:
    """Count an attempt for (name, address) and for the account, and return 0; or return how
    many seconds it must still wait (then it is not counted and no password may be
    checked). `account_free_failures` (None: no per-account count) applies to the
    account's failures from every address together. `now` (default: the clock) lets a
    test say when each attempt is made."""
    now = now or datetime.now(UTC)
    counts = [(address, free_failures)]
    if account_free_failures is not None:
        counts.append((ANY_ADDRESS, account_free_failures))
    with db.atomic():
        waits, failures = [], []
        for key, free in counts:
            found, wait = _failures(db, name, key, now, free, max_delay)
            failures.append(found)
            waits.append(wait)
        if max(waits) > 0:
            return max(waits)
        for (key, _), found in zip(counts, failures, strict=True):
            db.execute(
                "INSERT INTO login_throttle (name, address, failures, last_attempt_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (name, address) DO UPDATE SET "
                "failures = excluded.failures, last_attempt_at = excluded.last_attempt_at",
                [name, key, found + 1, now.isoformat()],
            )
    return 0.0


def _failures(db, name, address, now, free_failures, max_delay) -> tuple[int, float]:
    """(failures in a row still counted, seconds still to wait) for one count."""
    row = db.execute(
        "SELECT failures, last_attempt_at FROM login_throttle WHERE name = ? AND address = ?",
        [name, address],
    ).fetchone()
    failures, elapsed = 0, 0.0
    if row is not None:
        elapsed = (now - datetime.fromisoformat(row[1])).total_seconds()
        failures = row[0] if elapsed < FORGET_AFTER_SECONDS else 0
    return failures, delay_seconds(failures, free_failures, max_delay) - max(elapsed, 0.0)


def succeeded(db, name: str, address: str) -> None:
    """A correct password: the counts for (name, address) and for the account start again."""
    db.execute(
        "DELETE FROM login_throttle WHERE name = ? AND address IN (?, ?)",
        [name, address, ANY_ADDRESS],
    )
