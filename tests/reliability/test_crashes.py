"""Processes killed with SIGKILL: nothing is lost, nothing is stored twice, nothing half-done."""

import json
import signal
import subprocess
import sys

from moderation.db import connect
from tests.helpers import write_config
from tests.processes import HANG_GUARD
from tests.scheduling_helpers import channel_tables, start_cli, wait_for


def many_comments(path, count: int) -> None:
    """A demo-shaped data file with `count` comments on one story."""
    data = {
        "stories": [{"id": "s1", "title": "下雪啦", "published": "2024-01-22T09:30:00+08:00"}],
        "comments": [
            {
                "id": f"c{n:06d}",
                "story": "s1",
                "author": f"读者{n % 97}",
                "text": f"第{n}条评论：雪景真美，注意出行安全。",
                "created": "2024-01-22T10:00:00+08:00",
            }
            for n in range(count)
        ],
    }
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def bulk_config(tmp_path, count: int, page_size: int, extra_channels: str = ""):
    """A config whose `bulk` demo channel serves `count` comments, `page_size` a page."""
    data = tmp_path / "many.json"
    many_comments(data, count)
    return write_config(
        tmp_path,
        channels=f'[[channels]]\nname = "bulk"\ntype = "demo"\npage_size = {page_size}\n'
        f'data_file = "{data}"\n{extra_channels}',
    )


def collect_command(config, channel: str = "bulk") -> list[str]:
    """The real CLI collecting one channel without scoring."""
    return [
        sys.executable,
        "-m",
        "moderation.cli",
        "--config",
        str(config),
        "collect",
        channel,
        "--no-score",
    ]


def test_collector_killed_midway_resumes_without_loss_or_duplicates(
    tmp_path, processes, channel_server
):
    feed = channel_server.feed("bulk", comments=300, hold_from=100)  # pages of 5
    channels = {"bulk": {"type": "testhttp", "url": channel_server.url("bulk")}}
    config = write_config(tmp_path, channels=channel_tables(channels))
    collect = ("collect", "bulk", "--no-score")
    process = start_cli(processes, config, *collect, module="tests.scheduling_cli")
    wait_for(lambda: 100 in feed.arrived)  # 20 pages stored; the 21st is held
    processes.stop(process, signal.SIGKILL)
    db = connect(tmp_path / "test.db")
    assert db.table("comments").count == 100  # the kill landed mid-run
    feed.gate.set()
    rerun = start_cli(processes, config, *collect, module="tests.scheduling_cli")
    assert rerun.wait(HANG_GUARD) == 0
    assert db.table("comments").count == 300
    statuses = [row[0] for row in db.execute("SELECT status FROM runs ORDER BY id")]
    assert statuses == ["failed", "ok"]  # the killed run is closed, not left "running"
    duplicates = db.execute(
        "SELECT COUNT(*) FROM (SELECT native_id FROM comments "
        "GROUP BY native_id HAVING COUNT(*) > 1)"
    ).fetchone()[0]
    assert duplicates == 0
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# Every decision is written inside the transaction, then the process waits at COMMIT: the
# test kills it there, the worst moment, without guessing one with a sleep.
BULK_SCRIPT = """
import sys
import time
from moderation.db import connect
from moderation.storage import comments
db = connect(sys.argv[1])
ids = [row[0] for row in db.execute("SELECT id FROM comments")]

def hold_at_commit(statement):
    if statement.strip().upper() == "COMMIT":
        print("committing", flush=True)
        time.sleep(3600)

db.conn.set_trace_callback(hold_at_commit)
comments.decide_many(db, ids, "approve", actor="bulk")
print("finished", flush=True)
"""


def test_process_killed_mid_bulk_decision_applies_all_or_nothing(tmp_path, processes):
    config = bulk_config(tmp_path, 2000, page_size=500)
    collected = processes.run(collect_command(config))
    assert collected.returncode == 0, collected.stderr
    db_path = tmp_path / "test.db"
    process = processes.start(
        [sys.executable, "-c", BULK_SCRIPT, str(db_path)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "committing"
    processes.stop(process, signal.SIGKILL)
    db = connect(db_path)
    approved = db.execute("SELECT COUNT(*) FROM comments WHERE status = 'approved'").fetchone()[0]
    logged = db.execute("SELECT COUNT(*) FROM decisions").fetchone()[0]
    assert db.table("comments").count == 2000
    assert approved == logged == 0  # none of the 2,000 decisions, nor their audit rows
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
