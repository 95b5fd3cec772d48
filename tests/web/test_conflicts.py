"""Two moderators deciding the same comment (issue 20, item 6): the second is told who
decided first and may override knowingly."""

from __future__ import annotations

import re

import pytest

from moderation.storage import comments as comment_store
from moderation.storage import decisions
from tests.web.conftest import add_comment


@pytest.fixture
def comment_id(db):
    db.execute(
        "INSERT INTO stories (id, channel, native_id, title, collected_at) "
        "VALUES (1, 'demo', 's1', '株洲新闻', '2024-01-22T00:00:00+00:00')"
    )
    return add_comment(db, "神农城的灯会真漂亮")


def seen_in_page(client, comment_id: int) -> str:
    """The state the queue page showed the moderator (the forms' hidden `seen`)."""
    page = client.get("/").get_data(as_text=True)
    card = page[page.index(f'id="comment-{comment_id}"') :]
    return re.search(r'name="seen" value="(\w+)"', card).group(1)


def test_the_second_moderator_hears_who_decided_first_and_can_override(app, db, comment_id):
    from tests.helpers import Auth

    first, second = app.test_client(), app.test_client()
    Auth(first, db).login("moderator", name="小王")
    Auth(second, db).login("moderator", name="小李")
    seen = seen_in_page(second, comment_id)
    assert seen == "pending"
    assert (
        first.post(f"/comments/{comment_id}/approve", data={"seen": "pending"}).status_code == 302
    )
    late = second.post(f"/comments/{comment_id}/reject", data={"seen": seen, "reason": "off_topic"})
    body = late.get_data(as_text=True)
    assert late.status_code == 409
    assert "已由 小王" in body and "通过" in body and "没有生效" in body
    assert comment_store.get_status(db, comment_id) == "approved"
    override = re.search(r'name="seen" value="(\w+)"', body).group(1)
    assert override == "approved"
    knowingly = second.post(
        f"/comments/{comment_id}/reject", data={"seen": override, "reason": "off_topic"}
    )
    assert knowingly.status_code == 302
    assert comment_store.get_status(db, comment_id) == "rejected"
    assert [d["actor"] for d in decisions.history(db, comment_id)] == ["小王", "小李"]


def test_the_same_decision_twice_tells_the_second_it_was_done(app, db, comment_id):
    from tests.helpers import Auth

    first, second = app.test_client(), app.test_client()
    Auth(first, db).login("moderator", name="小王")
    Auth(second, db).login("moderator", name="小李")
    first.post(f"/comments/{comment_id}/approve", data={"seen": "pending"})
    again = second.post(
        f"/comments/{comment_id}/approve", data={"seen": "pending"}, follow_redirects=True
    )
    assert "已由 小王" in again.get_data(as_text=True) and "无需重复操作" in again.get_data(
        as_text=True
    )
    assert len(decisions.history(db, comment_id)) == 1
