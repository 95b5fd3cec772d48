"""The scheduler as real processes: two against one database share a lease; SIGTERM stops
cleanly after the current page."""

from __future__ import annotations

import json
import signal
from contextlib import closing

import pytest

from moderation import pipeline
from moderation.db import connect
from moderation.storage import channels as channel_store
from tests.scheduling_channel import ChannelServer, register
from tests.scheduling_helpers import (
    assert_no_overlap,
    fast_config,
    query,
    runs,
    start_cli,
    wait_for,
)

pytestmark = pytest.mark.slow
DEMO_DATA = {
    "stories": [{"id": "s1", "title": "测试稿件"}],
    "comments": [
        {
            "id": f"c{n}",
            "story": "s1",
            "text": f"第{n}条评论",
            "author": f"读者{n}",
            "created": "2024-01-25T10:00:00+08:00",
        }
        for n in range(4)
    ],
}


def lease_holder(path) -> str:
    """The holder of a live lease, or ''."""
    rows = query(
        path,
        "SELECT holder FROM scheduler_lease WHERE expires_at > strftime('%Y-%m-%dT%H:%M:%f', "
        "'now') || '+00:00'",
    )
    return rows[0]["holder"] if rows else ""


def pid_of(holder: str) -> int:
    """The process id inside a holder id (host:pid:random)."""
    return int(holder.split(":")[1])


def alive(process) -> bool:
    """True while `process` runs; an early exit fails the test at once."""
    assert process.poll() is None, f"exited early with status {process.returncode}"
    return True


def stop(process, sig=signal.SIGTERM) -> int:
    """Signal a process and wait for it (a hang guard, not a time limit on behaviour)."""
    if process.poll() is None:
        process.send_signal(sig)
    return process.wait(timeout=120)


def test_two_schedulers_one_database_lease_and_takeover(tmp_path):
    data = tmp_path / "demo.json"
    data.write_text(json.dumps(DEMO_DATA))
    channels = {
        name: {"type": "demo", "schedule": "1s", "data_file": str(data)} for name in ("d1", "d2")
    }
    config = fast_config(tmp_path, channels, lease=3)
    database = tmp_path / "test.db"
    first = start_cli(config, "scheduler", log=open(tmp_path / "first.log", "wb"))
    second = None
    try:
        wait_for(lambda: alive(first) and lease_holder(database))
        holder = lease_holder(database)
        assert pid_of(holder) == first.pid
        second = start_cli(config, "scheduler", log=open(tmp_path / "second.log", "wb"))
        wait_for(lambda: b"scheduler running as" in (tmp_path / "second.log").read_bytes())
        started = len(runs(database, "d1"))
        # both processes are up: the jobs keep running, and only the holder runs them
        wait_for(
            lambda: len(runs(database, "d1")) >= started + 4 and len(runs(database, "d2")) >= 4
        )
        assert second.poll() is None
        for name in ("d1", "d2"):
            channel_runs = runs(database, name)
            assert {run["holder"] for run in channel_runs if run["holder"]} == {holder}
            assert_no_overlap([run for run in channel_runs if run["finished_at"]])
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=60)
        taken = wait_for(
            lambda: lease_holder(database) not in ("", holder) and lease_holder(database)
        )
        assert pid_of(taken) == second.pid
        wait_for(
            lambda: all(
                any(run["holder"] == taken and run["status"] == "ok" for run in runs(database, n))
                for n in ("d1", "d2")
            )
        )
        assert stop(second) == 0
        for name in ("d1", "d2"):
            channel_runs = runs(database, name)
            assert "running" not in {run["status"] for run in channel_runs}  # none left open
            holders = [run["holder"] for run in channel_runs if run["holder"]]
            # the holder changed once: first's runs, then second's, never interleaved
            assert holders == sorted(holders, key=lambda h: h != holder)
        assert lease_holder(database) == ""  # second released it on SIGTERM
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()


def test_sigterm_finishes_the_page_saves_the_cursor_and_exits_0(tmp_path, monkeypatch):
    from moderation import collectors
    from moderation.settings import load_settings

    server = ChannelServer().start()
    try:
        feed = server.feed("slow", comments=30, delay=0.7)  # 6 pages of 5
        channels = {"slow": {"type": "testhttp", "schedule": "1h", "url": server.url("slow")}}
        config = fast_config(tmp_path, channels)
        log = open(tmp_path / "scheduler.log", "wb")
        process = start_cli(config, "scheduler", module="tests.scheduling_cli", log=log)
        wait_for(
            lambda: alive(process) and len(feed.requests) >= 2
        )  # mid-run: two pages served, more to come
        assert stop(process) == 0, (tmp_path / "scheduler.log").read_text()
        (first_run,) = runs(tmp_path / "test.db", "slow")
        assert first_run["status"] == "partial" and 0 < first_run["new"] < 30
        stored = first_run["new"]
        monkeypatch.setattr(collectors, "REGISTRY", dict(collectors.REGISTRY))
        register(collectors.REGISTRY)
        settings = load_settings(config)
        with closing(connect(settings.database_path)) as db:
            assert channel_store.get_channel(db, "slow")["cursor"] == {"offset": stored}
            summary = pipeline.collect_channel(db, settings, settings.channel("slow"))
        assert summary.status == "ok" and summary.new == 30 - stored
        total = query(
            settings, "SELECT COUNT(*) AS n, COUNT(DISTINCT native_id) AS d FROM comments"
        )
        assert total == [{"n": 30, "d": 30}]
        offsets = [offset for _, _, offset in feed.requests]
        assert sorted(offsets) == list(range(0, 30, 5))  # no page fetched twice
    finally:
        server.close()


def free_port() -> int:
    """A free loopback port."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_runs_the_scheduler_and_stops_cleanly_on_sigterm(tmp_path):
    import urllib.request

    data = tmp_path / "demo.json"
    data.write_text(json.dumps(DEMO_DATA))
    channels = {"d1": {"type": "demo", "schedule": "1s", "data_file": str(data)}}
    config = fast_config(tmp_path, channels)
    database = tmp_path / "test.db"
    port = free_port()
    log = open(tmp_path / "serve.log", "wb")
    process = start_cli(config, "serve", "--port", str(port), log=log)
    try:
        wait_for(lambda: alive(process) and len(runs(database, "d1", "ok")) >= 2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login") as response:
            assert response.status == 200
        assert stop(process) == 0, (tmp_path / "serve.log").read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()
    assert lease_holder(database) == ""
    assert "running" not in {run["status"] for run in runs(database, "d1")}
