"""The Channels page: schedule, next run, last result and errors per channel; run now,
pause and resume (admins only).

The web process may not host the scheduler (several WSGI workers), so everything here goes
through the database: the scheduler publishes next run times there and picks requests up.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for

from moderation.roles import ADMIN
from moderation.scheduling import backoff
from moderation.scheduling.runner import LEASE_NAME
from moderation.settings import SettingsError
from moderation.storage import channels as channel_store
from moderation.storage import leases, raw_payloads
from moderation.timeutil import local_time
from moderation.web import push as push_view
from moderation.web.auth import role_required
from moderation.web.context import get_db

bp = Blueprint("channels", __name__)
RECENT_RUNS = 5
ACTION_MESSAGES = {
    "run": "已请求立即采集“{}”，调度器将在几秒内开始。",
    "pause": "已暂停“{}”的定时采集。",
    "resume": "已恢复“{}”的定时采集。",
}


@bp.get("/channels")
def index():
    """Every configured channel with its schedule, state and recent runs."""
    db = get_db()
    settings = current_app.config["SETTINGS"]
    states = channel_store.list_channels(db)
    return render_template(
        "channels/index.html",
        channels=[
            channel_view(db, channel, states.get(channel.name)) for channel in settings.channels
        ],
        lease=lease_view(leases.get(db, LEASE_NAME)),
        push=push_view.channels_panel(db),
        raw=raw_payloads.table_size(db),
        raw_days=settings.retention.raw_payload_days,
    )


def channel_view(db, channel, state: dict | None) -> dict:
    """What the page shows for one channel (times already in Beijing time)."""
    state = state or {}
    runs = channel_store.recent_runs(db, channel.name, RECENT_RUNS)
    failures = state.get("failures") or 0
    return {
        "name": channel.name,
        "label": channel.label,
        "type": channel.type,
        "schedule": channel.schedule,
        "enabled": channel.enabled,
        "paused": bool(state.get("paused")),
        "requested": bool(state.get("run_requested_at")),
        "next_run": local_time(state.get("next_run_at")) if channel.enabled else "",
        "backoff": (
            f"退避至 {local_time(state['backoff_until'])}（第{failures}次失败）"
            if backoff.backing_off(state)
            else ""
        ),
        "failures": failures,
        "last_error": state.get("last_error") or "",
        "last_run": run_view(runs[0]) if runs else None,
        "errors": [run_view(run) for run in runs if run["errors"] and run["status"] != "ok"],
    }


def run_view(run: dict) -> dict:
    """One run row for display."""
    return {
        **run,
        "started": local_time(run["started_at"]),
        "finished": local_time(run["finished_at"]),
    }


def lease_view(lease: dict | None) -> dict | None:
    """Which scheduler holds the lease, if any is alive."""
    if not lease or not lease["active"]:
        return None
    return {"holder": holder_words(lease["holder"]), "since": local_time(lease["acquired_at"])}


def holder_words(holder: str) -> str:
    """A scheduler's lease holder (`host:pid:random`) as people read it:
    服务器 vm 上的进程 10831."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    return f"服务器 {host} 上的进程 {pid}" if pid.isdigit() else holder


@bp.post("/channels/<name>/<any(run, pause, resume):action>")
@role_required(ADMIN)
def act(name: str, action: str):
    """Request a run now, pause or resume a channel; then back to the page."""
    try:
        channel = current_app.config["SETTINGS"].channel(name)
    except SettingsError:
        abort(404)
    db = get_db()
    channel_store.ensure_channel(db, channel.name, channel.type)
    if action == "run":
        if not channel.enabled:
            abort(400, "该渠道已在 config.toml 中停用，不能采集。")
        channel_store.request_run(db, channel.name)
    else:
        channel_store.set_paused(db, channel.name, action == "pause")
    flash(ACTION_MESSAGES[action].format(channel.label or channel.name))
    return redirect(url_for("channels.index"))
