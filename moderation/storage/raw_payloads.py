"""Raw channel payloads: stored beside a comment when it is new or its item changed, purged
after the retention period."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime, timedelta

from moderation.storage import in_chunks
from moderation.timeutil import now_iso

MAX_PAYLOAD_CHARS = 100_000


def save_raw(db, channel: str, comments, max_chars: int = MAX_PAYLOAD_CHARS) -> int:
    """Keep the raw item of each comment that is new or changed; return how many were kept.

    A channel re-reads the same comments many times (WeChat: every 15 minutes for a week);
    an item identical to the one stored last time is not stored again.
    """
    items = {}
    for comment in comments:
        if comment.raw:
            payload = json.dumps(dict(comment.raw), ensure_ascii=False, default=str)[:max_chars]
            items[comment.native_id] = (payload, _digest(payload))
    if not items:
        return 0
    stored = _stored_digests(db, channel, list(items))
    now = now_iso()
    changed = [
        (native_id, payload, digest)
        for native_id, (payload, digest) in items.items()
        if stored.get(native_id) != digest
    ]
    db.conn.executemany(
        "INSERT INTO raw_payloads (channel, native_id, payload, collected_at) VALUES (?, ?, ?, ?)",
        [(channel, native_id, payload, now) for native_id, payload, _ in changed],
    )
    db.conn.executemany(
        "UPDATE comments SET raw_digest = ? WHERE channel = ? AND native_id = ?",
        [(digest, channel, native_id) for native_id, _, digest in changed],
    )
    return len(changed)


def _digest(payload: str) -> str:
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _stored_digests(db, channel: str, native_ids: list[str]) -> dict[str, str | None]:
    found = {}
    for chunk, marks in in_chunks(native_ids):
        for native_id, digest in db.conn.execute(
            "SELECT native_id, raw_digest FROM comments "
            f"WHERE channel = ? AND native_id IN ({marks})",
            [channel, *chunk],
        ):
            found[native_id] = digest
    return found


def table_size(db) -> dict:
    """Rows and bytes of the raw payload table (bytes from SQLite's dbstat when built in)."""
    rows = db.execute("SELECT COUNT(*) FROM raw_payloads").fetchone()[0]
    try:
        size = db.execute(
            "SELECT SUM(pgsize) FROM dbstat WHERE aggregate = TRUE "
            "AND name IN ('raw_payloads', 'raw_payloads_collected')"
        ).fetchone()[0]
    except sqlite3.OperationalError:  # sqlite3 built without SQLITE_ENABLE_DBSTAT_VTAB
        size = db.execute(
            "SELECT COALESCE(SUM(LENGTH(CAST(payload AS BLOB))), 0) FROM raw_payloads"
        ).fetchone()[0]
    return {"rows": rows, "bytes": int(size or 0)}


PURGE_BATCH = 5000  # rows per transaction: the write lock is never held long


def purge_older_than(db, days: int) -> int:
    """Delete raw payloads older than `days`, a batch per transaction; comments and
    decisions are never touched."""
    cutoff = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
    removed = 0
    while True:
        with db.atomic():
            cursor = db.execute(
                "DELETE FROM raw_payloads WHERE id IN (SELECT id FROM raw_payloads "
                "WHERE collected_at < ? ORDER BY collected_at LIMIT ?)",
                [cutoff, PURGE_BATCH],
            )
        removed += cursor.rowcount
        if cursor.rowcount < PURGE_BATCH:
            return removed
