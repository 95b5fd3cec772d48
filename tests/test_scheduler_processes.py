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
from tests.scheduling_channel import register
from tests.scheduling_helpers import (
    assert_no_overlap,
    fast_config,
    query,
    runs,
    start_cli,
    wait_for,
)

pytestmark = pytest.mark.slow
# Seconds a scheduler's lease lasts unrenewed: long enough that a process starved of CPU by a
# loaded machine keeps it (a takeover then is a real bug), short enough for the takeover test.
LEASE = 8
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


def logged(path, text: str) -> bool:
    """Whether the log file at `path` holds `text` yet."""
    return text.encode() in path.read_bytes()


def test_two_schedulers_one_database_lease_and_takeover(tmp_path, processes):
    data = tmp_path / "demo.json"
    data.write_text(json.dumps(DEMO_DATA))
    channels = {
        name: {"type": "demo", "schedule": "1s", "data_file": str(data)} for name in ("d1", "d2")
    }
    config = fast_config(tmp_path, channels, lease=LEASE)
    database = tmp_path / "test.db"
    first = start_cli(processes, config, "scheduler", log=tmp_path / "first.log")
    wait_for(lambda: alive(first) and lease_holder(database))
    holder = lease_holder(database)
    assert pid_of(holder) == first.pid
    second = start_cli(processes, config, "scheduler", log=tmp_path / "second.log")
    wait_for(lambda: logged(tmp_path / "second.log", "scheduler running as"))
    started = len(runs(database, "d1"))
    # both processes are up: the jobs keep running, and only the holder runs them
    wait_for(lambda: len(runs(database, "d1")) >= started + 4 and len(runs(database, "d2")) >= 4)
    assert second.poll() is None
    for name in ("d1", "d2"):
        channel_runs = runs(database, name)
        assert {run["holder"] for run in channel_runs if run["holder"]} == {holder}
        assert_no_overlap([run for run in channel_runs if run["finished_at"]])
    processes.stop(first, signal.SIGKILL)
    taken = wait_for(lambda: lease_holder(database) not in ("", holder) and lease_holder(database))
    assert pid_of(taken) == second.pid
    wait_for(
        lambda: all(
            any(run["holder"] == taken and run["status"] == "ok" for run in runs(database, n))
            for n in ("d1", "d2")
        )
    )
    assert processes.stop(second) == 0
    for name in ("d1", "d2"):
        channel_runs = runs(database, name)
        assert "running" not in {run["status"] for run in channel_runs}  # none left open
        holders = [run["holder"] for run in channel_runs if run["holder"]]
        # the holder changed once: first's runs, then second's, never interleaved
        assert holders == sorted(holders, key=lambda h: h != holder)
    assert lease_holder(database) == ""  # second released it on SIGTERM


def test_sigterm_finishes_the_page_saves_the_cursor_and_exits_0(
    tmp_path, monkeypatch, processes, channel_server
):
    from moderation import collectors
    from moderation.settings import load_settings

    feed = channel_server.feed("slow", comments=30, hold_from=10)  # 6 pages of 5; page 3 waits
    channels = {"slow": {"type": "testhttp", "schedule": "1h", "url": channel_server.url("slow")}}
    config = fast_config(tmp_path, channels)
    log = tmp_path / "scheduler.log"
    process = start_cli(processes, config, "scheduler", module="tests.scheduling_cli", log=log)
    wait_for(lambda: alive(process) and 10 in feed.arrived)  # two pages stored, page 3 asked
    process.send_signal(signal.SIGTERM)
    wait_for(lambda: logged(log, "SIGTERM: stopping after the current page"))
    feed.gate.set()  # page 3 is answered while the scheduler is stopping
    assert processes.stop(process) == 0, log.read_text()
    (first_run,) = runs(tmp_path / "test.db", "slow")
    assert first_run["status"] == "partial" and first_run["new"] == 15  # page 3 kept, no more
    monkeypatch.setattr(collectors, "REGISTRY", dict(collectors.REGISTRY))
    register(collectors.REGISTRY)
    settings = load_settings(config)
    with closing(connect(settings.database_path)) as db:
        assert channel_store.get_channel(db, "slow")["cursor"] == {"offset": 15}
        summary = pipeline.collect_channel(db, settings, settings.channel("slow"))
    assert summary.status == "ok" and summary.new == 15
    total = query(settings, "SELECT COUNT(*) AS n, COUNT(DISTINCT native_id) AS d FROM comments")
    assert total == [{"n": 30, "d": 30}]
    offsets = [offset for _, _, offset in feed.requests]
    assert sorted(offsets) == list(range(0, 30, 5))  # no page fetched twice


def free_port() -> int:
    """A free loopback port."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_runs_the_scheduler_and_stops_cleanly_on_sigterm(tmp_path, processes):
    import urllib.request

    data = tmp_path / "demo.json"
    data.write_text(json.dumps(DEMO_DATA))
    channels = {"d1": {"type": "demo", "schedule": "1s", "data_file": str(data)}}
    config = fast_config(tmp_path, channels)
    database = tmp_path / "test.db"
    port = free_port()
    log = tmp_path / "serve.log"
    process = start_cli(processes, config, "serve", "--port", str(port), log=log)
    wait_for(lambda: alive(process) and len(runs(database, "d1", "ok")) >= 2)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/login") as response:
        assert response.status == 200
    assert processes.stop(process) == 0, log.read_text()
    assert lease_holder(database) == ""
    assert "running" not in {run["status"] for run in runs(database, "d1")}
