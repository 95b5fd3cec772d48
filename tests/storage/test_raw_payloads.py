"""Raw payloads: stored only when an item is new or changed; the table's size (issue 20, 7)."""

from __future__ import annotations

import dataclasses

from moderation import pipeline
from moderation.collectors.base import CollectedComment, Page
from moderation.storage import raw_payloads

COMMENT = CollectedComment(
    native_id="n1",
    story_native_id="s",
    text="好",
    created_at="2024-01-22T00:00:00+00:00",
    author_key="a",
    raw={"content": "好", "like_num": 1},
)


def test_recollecting_unchanged_comments_stores_no_new_payloads(db):
    page = [dataclasses.replace(COMMENT, native_id=f"n{i}") for i in range(5)]
    for _ in range(3):  # a channel re-reading the same comments on every run
        pipeline._store_page(db, "demo", Page(comments=page), pipeline.RunSummary("demo"))
    assert db.table("comments").count == 5
    assert db.table("raw_payloads").count == 5


def test_a_changed_item_is_stored_again(db):
    db.execute(
        "INSERT INTO comments (channel, native_id, author_key, text, created_at, collected_at) "
        "VALUES ('demo', 'n1', 'a', '好', '2024', '2024')"
    )
    assert raw_payloads.save_raw(db, "demo", [COMMENT]) == 1
    assert raw_payloads.save_raw(db, "demo", [COMMENT]) == 0
    liked = dataclasses.replace(COMMENT, raw={"content": "好", "like_num": 2})
    assert raw_payloads.save_raw(db, "demo", [liked]) == 1
    assert db.table("raw_payloads").count == 2


def test_table_size_counts_rows_and_bytes(db):
    assert raw_payloads.table_size(db) == {"rows": 0, "bytes": raw_payloads.table_size(db)["bytes"]}
    db.execute(
        "INSERT INTO comments (channel, native_id, author_key, text, created_at, collected_at) "
        "VALUES ('demo', 'n1', 'a', '好', '2024', '2024')"
    )
    raw_payloads.save_raw(db, "demo", [dataclasses.replace(COMMENT, raw={"x": "长" * 20_000})])
    size = raw_payloads.table_size(db)
    assert size["rows"] == 1 and size["bytes"] > 20_000


def test_purge_deletes_in_short_transactions(db, monkeypatch):
    monkeypatch.setattr(raw_payloads, "PURGE_BATCH", 3)
    db.conn.executemany(
        "INSERT INTO raw_payloads (channel, native_id, payload, collected_at) VALUES (?, ?, ?, ?)",
        [("demo", f"n{i}", "{}", "2020-01-01T00:00:00+00:00") for i in range(8)]
        + [("demo", "new", "{}", "2999-01-01T00:00:00+00:00")],
    )
    commits = []
    db.conn.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
    assert raw_payloads.purge_older_than(db, 30) == 8
    db.conn.set_trace_callback(None)
    assert len(commits) == 3  # 3 + 3 + 2 rows
    assert [row[0] for row in db.execute("SELECT native_id FROM raw_payloads")] == ["new"]
