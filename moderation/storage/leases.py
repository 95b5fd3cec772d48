"""The scheduler lease: one row per lease name, so only one scheduler acts on a database.

A holder renews its lease well before it expires; a holder that crashed stops renewing, its
lease expires, and another scheduler takes it over. Times are ISO-8601 UTC with
milliseconds, so they compare correctly as text.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from moderation.timeutil import iso

RELEASED = "1970-01-01T00:00:00.000+00:00"  # expired before any now: free to take
ACQUIRE = """
UPDATE scheduler_lease
SET holder = :holder,
    acquired_at = CASE WHEN holder = :holder THEN acquired_at ELSE :now END,
    expires_at = :expires
WHERE name = :name AND (expires_at < :now OR holder = :holder)
"""


def acquire(db, name: str, holder: str, seconds: float) -> bool:
    """Take or renew the lease `name` for `seconds`; False while someone else holds it."""
    now = datetime.now(UTC)
    params = {
        "name": name,
        "holder": holder,
        "now": iso(now, "milliseconds"),
        "expires": iso(now + timedelta(seconds=seconds), "milliseconds"),
    }
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")  # one writer at a time: no two holders can both win
    try:
        conn.execute(
            "INSERT OR IGNORE INTO scheduler_lease (name, holder, acquired_at, expires_at) "
            "VALUES (:name, '', :now, '')",
            params,
        )
        won = conn.execute(ACQUIRE, params).rowcount == 1
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return won


def release(db, name: str, holder: str) -> bool:
    """Give the lease up at once (on a clean stop) so another scheduler need not wait."""
    cursor = db.execute(
        "UPDATE scheduler_lease SET expires_at = ? WHERE name = ? AND holder = ?",
        [RELEASED, name, holder],
    )
    return cursor.rowcount == 1


def get(db, name: str) -> dict | None:
    """The lease row, with `active` telling whether it has not expired yet."""
    rows = list(db.query("SELECT * FROM scheduler_lease WHERE name = ?", [name]))
    if not rows:
        return None
    row = rows[0]
    row["active"] = row["expires_at"] > iso(datetime.now(UTC), "milliseconds")
    return row
