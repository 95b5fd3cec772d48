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


def list_channels(db) -> dict[str, dict]:
    """Every channel's state row by name (cursor left encoded)."""
    return {row["name"]: row for row in db.query("SELECT * FROM channels")}


def channel_names(db) -> list[str]:
    """Every known channel's name, sorted (for filter menus)."""
    return [row[0] for row in db.execute("SELECT name FROM channels ORDER BY name")]


def last_successes(db) -> dict[str, str]:
    """{channel: when its latest successful run finished} for channels that ever succeeded."""
    rows = db.execute(
        "SELECT channel, MAX(finished_at) FROM runs WHERE status = 'ok' GROUP BY channel"
    )
    return {channel: finished for channel, finished in rows}


def record_success(db, name: str) -> None:
    """A run succeeded: clear the failure count, the backoff and the last error."""
    db.execute(
        "UPDATE channels SET failures = 0, backoff_until = NULL, last_error = NULL WHERE name = ?",
        [name],
    )


def record_failure(db, name: str, failures: int, backoff_until: str, error: str) -> None:
    """A run failed: remember how often in a row, until when to back off, and why."""
    db.execute(
        "UPDATE channels SET failures = ?, backoff_until = ?, last_error = ? WHERE name = ?",
        [failures, backoff_until, error, name],
    )


def set_next_run(db, name: str, when: str | None) -> None:
    """Publish when the scheduler will next run a channel (the web process cannot ask it)."""
    db.execute("UPDATE channels SET next_run_at = ? WHERE name = ?", [when, name])


def request_run(db, name: str) -> None:
    """Ask the scheduler, wherever it runs, to collect a channel now."""
    db.execute("UPDATE channels SET run_requested_at = ? WHERE name = ?", [now_iso(), name])


def requested_runs(db) -> list[str]:
    """Channels with a pending run-now request."""
    rows = db.query("SELECT name FROM channels WHERE run_requested_at IS NOT NULL")
    return [row["name"] for row in rows]


def take_run_request(db, name: str) -> bool:
    """Consume a channel's run-now request; True if there was one."""
    cursor = db.execute(
        "UPDATE channels SET run_requested_at = NULL "
        "WHERE name = ? AND run_requested_at IS NOT NULL",
        [name],
    )
    return cursor.rowcount == 1


def set_run_holder(db, run_id: int, holder: str) -> None:
    """Record which scheduler process ran a run."""
    db.execute("UPDATE runs SET holder = ? WHERE id = ?", [holder, run_id])


def abandon_runs(db, triggers: tuple[str, ...]) -> int:
    """Close runs a crashed scheduler left `running`; return how many."""
    marks = ", ".join("?" for _ in triggers)
    cursor = db.execute(
        f"UPDATE runs SET status = ?, finished_at = ?, errors = ? "
        f"WHERE status = ? AND trigger IN ({marks})",
        [
            FAILED,
            now_iso(),
            json.dumps(["abandoned: the scheduler running it stopped"]),
            RUNNING,
            *triggers,
        ],
    )
    return cursor.rowcount


def abandon_dead_local_runs(db, channel: str) -> int:
    """Close a channel's `running` runs whose process on this machine is gone (killed).

    Each run records `host:pid:…` as its holder; a pid that no longer exists cannot finish.
    """
    import os
    import socket

    host = socket.gethostname()
    closed = 0
    for run_id, holder in db.execute(
        "SELECT id, holder FROM runs WHERE channel = ? AND status = ? AND holder IS NOT NULL",
        [channel, RUNNING],
    ).fetchall():
        parts = holder.split(":")
        if len(parts) < 2 or parts[0] != host or not parts[1].isdigit():
            continue
        pid = int(parts[1])
        if pid == os.getpid() or process_alive(pid):
            continue
        db.execute(
            "UPDATE runs SET status = ?, finished_at = ?, errors = ? WHERE id = ? AND status = ?",
            [
                FAILED,
                now_iso(),
                json.dumps(["abandoned: the process running it ended"]),
                run_id,
                RUNNING,
            ],
        )
        closed += 1
    return closed


def process_alive(pid: int) -> bool:
    """Whether a process of this machine with id `pid` is still running."""
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
