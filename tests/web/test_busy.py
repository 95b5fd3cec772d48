"""A busy database and big decisions (issue 20, item 2): bounded bulk requests, a group
decided in short transactions, 503 "稍后重试" instead of "database is locked"."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest

from moderation import create_app
from moderation.storage import comments as comment_store
from moderation.storage import decisions
from tests.web.conftest import add_comment, add_score


@pytest.fixture(autouse=True)
def story(db):
    """The story the test comments belong to."""
    db.execute(
        "INSERT INTO stories (id, channel, native_id, title, collected_at) "
        "VALUES (1, 'demo', 's1', '株洲新闻', '2024-01-22T00:00:00+00:00')"
    )


@pytest.fixture
def impatient_settings(settings):
    """Settings whose writers give up on a held lock after 50 ms."""
    return dataclasses.replace(
        settings, database=dataclasses.replace(settings.database, busy_timeout_ms=50)
    )


def hold_write_lock(settings) -> sqlite3.Connection:
    """Another connection holding the write lock (as a long transaction would)."""
    holder = sqlite3.connect(settings.database_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def test_busy_database_is_a_503_asking_to_retry(db, impatient_settings):
    comment_id = add_comment(db, "一条评论")
    app = create_app(impatient_settings, TESTING=True, WTF_CSRF_ENABLED=False, SECRET_KEY="t")
    client = app.test_client()
    from tests.helpers import Auth

    Auth(client, db).login("moderator")
    holder = hold_write_lock(impatient_settings)
    try:
        response = client.post(f"/comments/{comment_id}/approve", data={"force": "1"})
    finally:
        holder.rollback()
        holder.close()
    body = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "稍后重试" in body and "locked" not in body
    assert response.headers["Retry-After"] == "5"
    assert comment_store.get_status(db, comment_id) == "pending"
    assert (
        client.post(f"/comments/{comment_id}/approve", data={"force": "1"}).status_code == 302
    )  # lock gone


def test_bulk_request_naming_too_many_ids_is_refused(client, auth, db, settings):
    ids = [add_comment(db, f"评论{n}") for n in range(3)]
    auth.login("moderator")
    limit = settings.limits.ids_per_request
    many = [str(n) for n in range(1, limit + 2)]
    response = client.post("/comments/bulk", data={"force": "1", "action": "approve", "ids": many})
    assert response.status_code == 400
    assert f"一次最多处理 {limit} 条" in response.get_data(as_text=True)
    assert db.execute("SELECT COUNT(*) FROM decisions").fetchone()[0] == 0
    ok = client.post(
        "/comments/bulk", data={"force": "1", "action": "approve", "ids": [str(i) for i in ids]}
    )
    assert ok.status_code == 302
    assert {comment_store.get_status(db, i) for i in ids} == {"approved"}


def test_a_large_group_is_decided_in_short_transactions(db, settings):
    ids = [add_comment(db, "同一条刷屏内容") for _ in range(decisions.DECISION_BATCH * 2 + 7)]
    other = sqlite3.connect(settings.database_path, isolation_level=None, timeout=0)
    seen = []

    def between_batches(done: int, total: int) -> None:
        # Another writer gets the lock at once between two batches: no transaction spans them.
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE comments SET likes = likes + 1 WHERE id = ?", [ids[0]])
        other.execute("COMMIT")
        seen.append((done, total))

    changed = decisions.decide_in_batches(db, ids, "reject", "mod", "duplicate", between_batches)
    assert changed == len(ids)
    assert seen == [(200, 407), (400, 407), (407, 407)]
    assert db.execute("SELECT COUNT(*) FROM decisions WHERE actor = 'mod'").fetchone()[0] == 407
    assert db.execute("SELECT likes FROM comments WHERE id = ?", [ids[0]]).fetchone()[0] == 3


def test_group_decision_over_http_covers_every_member_and_reports(client, auth, db):
    ids = [add_comment(db, "同一条刷屏内容") for _ in range(450)]
    for comment_id in ids:
        add_score(db, comment_id, dup_group=ids[0])
    auth.login("moderator")
    page = client.get(f"/groups/{ids[0]}").get_data(as_text=True)
    assert "重复组" in page and "450 条" in page and "最早的 200 条" in page
    response = client.post(f"/groups/{ids[0]}/approve", data={"force": "1"}, follow_redirects=True)
    assert "整组 450 条：已通过 450 条" in response.get_data(as_text=True)
    approved = db.execute("SELECT COUNT(*) FROM comments WHERE status = 'approved'").fetchone()[0]
    assert approved == 450
