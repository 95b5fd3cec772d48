"""The queue over HTTP: listing, approving, rejecting, and the approved comments reaching
the column through the one edition export."""

import pytest
from markupsafe import escape

from moderation import pipeline
from moderation.states import APPROVED, REJECTED
from moderation.storage import comments as comment_store
from moderation.storage import decisions
from tests.seed import comment_id_for, seed_snow_lines


@pytest.fixture
def collected(db, settings, auth):
    """The demo channel collected into the test database; the client logged in as editor."""
    pipeline.collect_channel(db, settings, settings.channel("demo"))
    auth.login("editor")
    return db


def export_approved(client, date="2024-01-31"):
    """An edition of every approved comment, created and downloaded as TXT over HTTP."""
    assert client.post("/editions/", data={"date": date, "from_approved": "1"}).status_code == 302
    return client.get(f"/editions/{date}/export.txt")


def test_queue_lists_pending_comments(client, collected):
    newest = collected.execute(
        "SELECT text FROM comments ORDER BY created_at DESC, id DESC LIMIT 1"
    ).fetchone()[0]
    page = client.get("/").get_data(as_text=True)
    assert "待审评论" in page
    assert str(escape(newest)) in page
    total = collected.table("comments").count
    assert f'<span class="count">{total}</span>' in page


def test_approve_seed_snow_comments_and_export_them_byte_for_byte(client, collected):
    lines = seed_snow_lines()
    assert len(lines) == 6
    for line in lines:
        response = client.post(
            f"/comments/{comment_id_for(collected, line)}/approve", data={"force": "1"}
        )
        assert response.status_code == 302
    exported = export_approved(client)
    assert exported.headers["Content-Type"] == "text/plain; charset=utf-8"
    body = exported.get_data()
    for line in lines:
        assert ("\n" + line + "\n").encode("utf-8") in body
    assert "网友@心如莲花：感动！致敬！雪夜里还在坚守的你们辛苦啦，为你们点赞！".encode() in body
    positions = [body.index(line.encode("utf-8")) for line in lines]
    assert positions == sorted(positions)


def test_reject_records_reason_and_leaves_queue(client, collected):
    comment_id = comment_id_for(collected, seed_snow_lines()[0])
    client.post(f"/comments/{comment_id}/reject", data={"force": "1", "reason": "off_topic"})
    assert comment_store.get_status(collected, comment_id) == REJECTED
    decision = decisions.history(collected, comment_id)[-1]
    assert (decision["from_state"], decision["to_state"], decision["reason"]) == (
        "pending",
        "rejected",
        "off_topic",
    )


def test_unknown_comment_and_reason_are_refused(client, collected):
    assert client.post("/comments/999999/approve", data={"force": "1"}).status_code == 404
    assert (
        client.post("/comments/1/reject", data={"force": "1", "reason": "bogus"}).status_code == 400
    )


def test_approve_is_idempotent(client, collected):
    client.post("/comments/1/approve", data={"force": "1"})
    client.post("/comments/1/approve", data={"force": "1"})
    assert comment_store.get_status(collected, 1) == APPROVED
    assert len(decisions.history(collected, 1)) == 1


def test_approve_requires_post(client, collected):
    assert client.get("/comments/1/approve").status_code == 405


def test_real_csrf_refuses_post_without_token(settings, db):
    from moderation import create_app

    app = create_app(settings)
    assert app.config["SECRET_KEY"]
    response = app.test_client().post("/login", data={"name": "x", "password": "y"})
    assert response.status_code == 400


def test_approved_column_download_masks_personal_data(client, collected):
    row = collected.execute(
        "SELECT id, text FROM comments WHERE text LIKE '%139%' OR text LIKE '%QQ%' LIMIT 1"
    ).fetchone()
    assert row, "the demo channel carries comments with personal data"
    client.post(f"/comments/{row[0]}/approve", data={"force": "1"})
    body = export_approved(client).get_data(as_text=True)
    from moderation.scoring.personal_data import mask_personal_data

    assert mask_personal_data(row[1]) != row[1]
    assert mask_personal_data(row[1]) in body and row[1] not in body
