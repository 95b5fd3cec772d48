"""Linking and unlinking stories across channels by hand."""

from moderation.collectors.base import CollectedStory
from moderation.storage import stories


def add(db, channel: str, native_id: str, title: str) -> int:
    """A story published on 2024-01-22 in a channel."""
    return stories.upsert_story(
        db,
        channel,
        CollectedStory(native_id=native_id, title=title, published_at="2024-01-22T09:00:00+08:00"),
    )


def test_same_title_and_day_link_automatically_and_unlink_by_hand(client, auth, db):
    web = add(db, "website", "w1", "下雪啦")
    wechat = add(db, "wechat", "m1", "下雪啦！")
    assert stories.get_story(db, wechat)["canonical_id"] == web
    auth.login("editor")
    response = client.post(f"/stories/{wechat}/unlink")
    assert response.status_code == 302
    assert stories.get_story(db, wechat)["canonical_id"] == wechat
    assert stories.get_story(db, wechat)["linked_by"] == "editor"
    add(db, "wechat", "m1", "下雪啦！")  # collected again: the editor's choice stays
    assert stories.get_story(db, wechat)["canonical_id"] == wechat


def test_link_by_hand_moves_the_whole_group(client, auth, db):
    first = add(db, "website", "w1", "城区又将迎来一座新的湿地公园")
    other = add(db, "app", "a1", "新湿地公园来了")  # a different title: not linked
    assert stories.get_story(db, other)["canonical_id"] == other
    auth.login("editor")
    response = client.post(f"/stories/{other}/link", data={"target": str(first)})
    assert response.status_code == 302
    assert stories.get_story(db, other)["canonical_id"] == first
    page = client.get(f"/stories/{first}").get_data(as_text=True)
    assert "新湿地公园来了" in page


def test_link_refuses_bad_targets(client, auth, db):
    story = add(db, "website", "w1", "下雪啦")
    auth.login("editor")
    assert client.post(f"/stories/{story}/link", data={"target": str(story)}).status_code == 400
    assert client.post(f"/stories/{story}/link", data={"target": "99999"}).status_code == 400
    assert client.post(f"/stories/{story}/link", data={}).status_code == 400
    auth.logout()
    auth.login("moderator")
    assert client.post(f"/stories/{story}/unlink").status_code == 403


def test_link_target_beyond_sqlite_integers_is_a_400_not_a_500(client, auth, db):
    """Issue 20: a target of 2**63 raised OverflowError binding it (HTTP 500)."""
    story = add(db, "website", "w1", "下雪啦")
    auth.login("editor")
    for target in (str(2**63), str(-(2**64)), "9" * 40):
        response = client.post(f"/stories/{story}/link", data={"target": target})
        assert response.status_code == 400, target
