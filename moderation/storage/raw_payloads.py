"""Raw channel payloads: stored beside each comment, purged after the retention period."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from moderation.timeutil import now_iso

MAX_PAYLOAD_CHARS = 100_000


def save_raw(db, channel: str, comments) -> int:
    """Keep the raw item of each comment that carries one; return how many were kept."""
    now = now_iso()
    rows = [
        {
            "channel": channel,
            "native_id": comment.native_id,
            "payload": json.dumps(dict(comment.raw), ensure_ascii=False, default=str)[
                :MAX_PAYLOAD_CHARS
            ],
            "collected_at": now,
        }
        for comment in comments
        if comment.raw
    ]
    if rows:
        db.table("raw_payloads").insert_all(rows)
    return len(rows)


def purge_older_than(db, days: int) -> int:
    """Delete raw payloads older than `days`; comments and decisions are never touched."""
    cutoff = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
    with db.atomic():
        cursor = db.execute("DELETE FROM raw_payloads WHERE collected_at < ?", [cutoff])
    return cursor.rowcount
