"""The database connection: WAL checkpoints from a thread of their own while ingesting."""

import time

from moderation.db import Checkpointer, connect


def autocheckpoint(db) -> int:
    return db.execute("PRAGMA wal_autocheckpoint").fetchone()[0]


def copied_all(checkpointer) -> bool:
    return checkpointer.last is not None and 0 < checkpointer.last[1] == checkpointer.last[2]


def test_the_thread_copies_the_wal_back_while_writers_keep_a_safety_net(tmp_path):
    path = tmp_path / "ingest.db"
    assert autocheckpoint(connect(path)) == 10000
    with Checkpointer(path, interval=0.02) as checkpointer:
        db = connect(path)
        assert autocheckpoint(db) == 50000  # the writer no longer checkpoints every 40 MB
        db.execute("CREATE TABLE t (x TEXT)")
        for number in range(50):
            with db.atomic():
                db.execute("INSERT INTO t VALUES (?)", [f"评论{number}" * 100])
        deadline = time.monotonic() + 10
        while not copied_all(checkpointer) and time.monotonic() < deadline:
            time.sleep(0.02)
        busy, frames, copied = checkpointer.last
        assert not busy and frames > 0 and copied == frames
    assert autocheckpoint(connect(path)) == 10000
    assert connect(path).execute("SELECT COUNT(*) FROM t").fetchone()[0] == 50
