"""The draft pages: see the proposal, store it, swap, drop, add, accept; roles and errors."""

import re

import pytest

from moderation.storage import decisions, editions
from moderation.storage import drafts as store
from tests.drafting.conftest import demo_db, scored_demo_file  # noqa: F401  (fixtures)

WEEK = {"draft": 1, "from": "2024-01-19", "to": "2024-01-25"}


@pytest.fixture
def draft_id(demo_db, client, auth):  # noqa: F811
    """An editor stored the week's draft; returns its id."""
    auth.login("editor")
    response = client.post("/editions/drafts", data={"from": WEEK["from"], "to": WEEK["to"]})
    assert response.status_code == 302
    return int(re.search(r"/editions/drafts/(\d+)", response.headers["Location"])[1])


def test_new_draft_shows_the_proposal_without_storing_it(demo_db, client, auth):  # noqa: F811
    auth.login("editor")
    page = client.get("/editions/new", query_string=WEEK).get_data(as_text=True)
    assert "下雪啦" in page and "网友@" in page and "点赞 " in page
    assert "用这份草稿开始编辑" in page
    assert demo_db.table("drafts").count == 0
    assert client.get("/editions/new").status_code == 302  # no draft asked: the editions list


def test_bad_range_says_what_to_do(demo_db, client, auth):  # noqa: F811
    auth.login("editor")
    page = client.get(
        "/editions/new", query_string={"draft": 1, "from": "2024-01-25", "to": "2024-01-19"}
    ).get_data(as_text=True)
    assert "日期范围无效" in page


def test_moderators_cannot_draft(demo_db, client, auth):  # noqa: F811
    auth.login("moderator")
    assert client.get("/editions/new", query_string=WEEK).status_code == 403
    assert client.post("/editions/drafts", data=WEEK).status_code == 403


def test_swap_drop_add_accept_through_the_pages(demo_db, client, draft_id):  # noqa: F811
    body = store.get_draft(demo_db, draft_id)["body"]
    section = body["sections"][0]
    pick, alternate = section["picks"][0], section["alternates"][0]
    response = client.post(
        f"/editions/drafts/{draft_id}/swap",
        data={
            "story_id": section["story_id"],
            "pick_id": pick["id"],
            "alternate_id": alternate["id"],
        },
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "已替换：换下 网友@" in page
    assert decisions.history(demo_db, alternate["id"])[-1]["action"] == "draft_swap"
    last = body["sections"][-1]["story_id"]
    client.post(f"/editions/drafts/{draft_id}/drop", data={"story_id": last})
    client.post(f"/editions/drafts/{draft_id}/add", data={"story_id": last})
    assert store.get_draft(demo_db, draft_id)["body"]["sections"][-1]["story_id"] == last
    response = client.post(
        f"/editions/drafts/{draft_id}/accept", data={"date": "2024-01-26", "title": "融媒·观察"}
    )
    assert response.headers["Location"].endswith("/editions/2024-01-26")
    edition = editions.get_edition(demo_db, "2024-01-26")
    first = editions.sections(demo_db, edition)[0]["quotes"][0]
    assert first["comment_id"] == alternate["id"]


def snow_story(db):
    """The first-snow story's id."""
    return db.execute("SELECT id FROM stories WHERE title = '下雪啦'").fetchone()[0]


def test_errors_become_messages(demo_db, client, draft_id):  # noqa: F811
    response = client.post(
        f"/editions/drafts/{draft_id}/swap",
        data={"story_id": snow_story(demo_db), "pick_id": 99999, "alternate_id": 2},
        follow_redirects=True,
    )
    assert "不是该稿件的推荐评论" in response.get_data(as_text=True)
    bad = client.post(f"/editions/drafts/{draft_id}/accept", data={"date": "soon"})
    assert bad.status_code == 302 and "/drafts/" in bad.headers["Location"]
    assert client.get("/editions/drafts/999").status_code == 404
    assert client.post(f"/editions/drafts/{draft_id}/drop", data={}).status_code == 400
