"""Per-channel state (cursor, pause, backoff) and the record of collection runs."""

from __future__ import annotations

import json

from moderation.timeutil import now_iso

RUNNING, OK, PARTIAL, FAILED = "running", "ok", "partial", "failed"


def ensure_channel(db, name: str, channel_type: str) -> dict:
    """The channel's state row, created on first use."""
    db.execute(
        "INSERT OR IGNORE INTO channels (name, type, updated_at) VALUES (?, ?, ?)",
        [name, channel_type, now_iso()],
    )
    return get_channel(db, name)


def get_channel(db, name: str) -> dict | None:
    """A channel's state row, with its cursor decoded."""
    rows = list(db.query("SELECT * FROM channels WHERE name = ?", [name]))
    if not rows:
        return None
    row = rows[0]
    row["cursor"] = json.loads(row["cursor"]) if row["cursor"] else None
    return row


def save_cursor(db, name: str, cursor: dict | None) -> None:
    """Remember where the channel's next run starts."""
    db.execute(
        "UPDATE channels SET cursor = ?, updated_at = ? WHERE name = ?",
        [json.dumps(cursor, ensure_ascii=False) if cursor is not None else None, now_iso(), name],
    )


def set_paused(db, name: str, paused: bool) -> None:
    """Pause or resume scheduled collection of a channel (kept across restarts)."""
    db.execute("UPDATE channels SET paused = ? WHERE name = ?", [int(paused), name])


def start_run(db, channel: str, trigger: str) -> int:
    """Record the start of a collection run."""
    return (
        db.table("runs")
        .insert(
            {"channel": channel, "trigger": trigger, "started_at": now_iso(), "status": RUNNING}
        )
        .last_pk
    )


def finish_run(db, run_id: int, status: str, counts: dict, errors: list[str]) -> None:
    """Record how a run ended, with the channel's own error texts."""
    db.table("runs").update(
        run_id,
        {
            "finished_at": now_iso(),
            "status": status,
            "errors": json.dumps(errors, ensure_ascii=False),
            **counts,
        },
    )


def recent_runs(db, channel: str | None = None, limit: int = 20) -> list[dict]:
    """Latest runs, newest first."""
    where, params = ("WHERE channel = ?", [channel]) if channel else ("", [])
    rows = db.query(f"SELECT * FROM runs {where} ORDER BY id DESC LIMIT ?", [*params, limit])
    return [{**row, "errors": json.loads(row["errors"])} for row in rows]
