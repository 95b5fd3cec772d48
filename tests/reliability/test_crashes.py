"""Processes killed with SIGKILL: nothing is lost, nothing is stored twice, nothing half-done."""

import json
import os
import signal
import subprocess
import sys
import time

from moderation.db import connect
from tests.conftest import write_config


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


def wait_for(predicate, timeout: float = 30.0) -> None:
    """Poll until `predicate()` is true (bounded)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def test_collector_killed_midway_resumes_without_loss_or_duplicates(tmp_path):
    config = bulk_config(tmp_path, 3000, page_size=5)
    db_path = tmp_path / "test.db"
    command = collect_command(config)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def some_stored():
        if not db_path.exists():
            return False
        try:
            return connect(db_path, migrate=False).table("comments").count >= 100
        except Exception:  # noqa: BLE001 - the schema may not exist yet
            return False

    wait_for(some_stored)
    process.send_signal(signal.SIGKILL)
    process.wait()
    db = connect(db_path)
    partial = db.table("comments").count
    assert 100 <= partial < 3000, "the kill must land mid-run"
    subprocess.run(command, check=True, capture_output=True)
    assert db.table("comments").count == 3000
    statuses = [row[0] for row in db.execute("SELECT status FROM runs ORDER BY id")]
    assert statuses == ["failed", "ok"]  # the killed run is closed, not left "running"
    duplicates = db.execute(
        "SELECT COUNT(*) FROM (SELECT native_id FROM comments "
        "GROUP BY native_id HAVING COUNT(*) > 1)"
    ).fetchone()[0]
    assert duplicates == 0
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


BULK_SCRIPT = """
import sys
from moderation.db import connect
from moderation.storage import comments
db = connect(sys.argv[1])
ids = [row[0] for row in db.execute("SELECT id FROM comments")]
print("started", flush=True)
comments.decide_many(db, ids, "approve", actor="bulk")
print("finished", flush=True)
"""


def test_process_killed_mid_bulk_decision_applies_all_or_nothing(tmp_path):
    config = bulk_config(tmp_path, 20000, page_size=5000)
    subprocess.run(collect_command(config), check=True, capture_output=True)
    db_path = tmp_path / "test.db"
    process = subprocess.Popen(
        [sys.executable, "-c", BULK_SCRIPT, str(db_path)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "started"
    time.sleep(0.3)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    db = connect(db_path)
    approved = db.execute("SELECT COUNT(*) FROM comments WHERE status = 'approved'").fetchone()[0]
    logged = db.execute("SELECT COUNT(*) FROM decisions").fetchone()[0]
    assert approved in (0, 20000)
    assert logged == approved  # every applied decision is in the audit trail, none extra
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
