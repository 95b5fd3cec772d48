"""A sender SIGKILLed mid-send, and a decision process SIGKILLed right after its commit:
after a restart each action is applied exactly once in effect (real processes)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from moderation.db import open_db
from moderation.settings import load_settings
from moderation.storage import outbox
from tests.helpers import ROOT, write_config
from tests.push.conftest import MSG_DATA_ID, store_wechat

SLOW_HTTP = "connect_timeout = 1\nread_timeout = 30\ncall_timeout = 60\nmax_attempts = 1\n"


@pytest.fixture
def processes():
    """Started processes, killed and reaped whatever the test did."""
    started: list[subprocess.Popen] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(10)


def run(config, *args) -> subprocess.CompletedProcess:
    """Run `moderation --config CONFIG ARGS` to its end."""
    return subprocess.run(cli(config, *args), cwd=ROOT, capture_output=True, text=True, timeout=60)


def cli(config, *args) -> list[str]:
    """The command line of `moderation --config CONFIG ARGS`, from this worktree."""
    return [sys.executable, "-m", "moderation.cli", "--config", str(config), *args]


def test_killed_after_commit_and_mid_send_applies_once(tmp_path, wechat, processes):
    channel = (
        f'[[channels]]\nname = "wx"\ntype = "wechat"\nappid = "wx123"\n'
        f'base_url = "{wechat.url}"\npush = "on"\n{SLOW_HTTP}'
    )
    config = write_config(tmp_path, channels=channel)
    settings = load_settings(config)
    db = open_db(settings)
    comment_id = store_wechat(db)[(MSG_DATA_ID, 0, 3)]

    # 1. A process commits the approve and is killed before anything is sent.
    decider = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from moderation.db import open_db
            from moderation.settings import load_settings
            from moderation.storage import comments
            db = open_db(load_settings({str(config)!r}))
            comments.decide(db, {comment_id}, "approve", actor="mod")
            print("committed", flush=True)
            time.sleep(60)
        """)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    processes.append(decider)
    assert decider.stdout.readline().strip() == "committed"
    os.kill(decider.pid, signal.SIGKILL)
    decider.wait(10)
    [row] = db.query("SELECT state FROM outbox")
    assert row["state"] == outbox.WAITING

    # 2. A sender is killed after WeChat applied the 精选 but before it heard back.
    wechat.hang_after_apply = 1
    first = subprocess.Popen(cli(config, "push"), cwd=ROOT, stdout=subprocess.DEVNULL)
    processes.append(first)
    assert wechat.applied.wait(30)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(10)
    [row] = db.query("SELECT state, claimed_by FROM outbox")
    assert row["state"] == outbox.SENDING and row["claimed_by"].endswith(f":{first.pid}")

    # 3. The restarted sender takes the dead process's row back and sends it again.
    done = run(config, "push")
    assert done.returncode == 0, done.stderr
    assert "wx: done 1" in done.stdout
    markelects = [verb for verb, _ in wechat.verbs() if verb == "markelect"]
    assert len(markelects) == 2  # sent twice...
    assert wechat.effects[("markelect", MSG_DATA_ID, 0, 3)] == 1  # ...applied once
    [row] = db.query("SELECT state FROM outbox")
    assert row["state"] == outbox.DONE
    again = run(config, "push")
    assert "nothing due" in again.stdout and len(wechat.verbs()) == 2
    db.close()
