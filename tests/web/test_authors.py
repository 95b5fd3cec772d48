"""Commenter profiles: counts, rates and stories; levels set with reason and expiry; notes;
two keys linked as one person and unlinked again, the profile following."""

from __future__ import annotations

from moderation.storage import authors, profiles
from moderation.storage import comments as comment_store
from tests.test_scoring_pipeline import add


def test_profile_shows_every_comment_counts_and_rates(client, auth, db):
    first = add(db, "web", "1", "第一条评论", author="web:老王")
    second = add(db, "web", "2", "第二条评论", author="web:老王")
    add(db, "web", "3", "别人的评论", author="web:小李")
    comment_store.decide(db, first, "reject", "mod", "ad")
    comment_store.decide(db, second, "approve", "mod")
    db.execute(
        "UPDATE comments SET created_at = ? WHERE id IN (?, ?)", ["2099-01-01", first, second]
    )
    auth.login("moderator")
    page = client.get("/authors/web:老王").get_data(as_text=True)
    assert 'class="total">2<' in page and "第一条评论" in page and "别人的评论" not in page
    assert 'class="rate-30">50%<' in page and "广告 1" in page and "下雪啦" in page
    assert client.get("/authors/web:nobody").status_code == 404


def test_card_links_to_the_profile_and_shows_the_level(client, auth, db):
    add(db, "web", "1", "一条待审的评论", author="web:老王")
    authors.set_level(db, "web:老王", "watch", "mod", "常发无关内容")
    auth.login("moderator")
    page = client.get("/").get_data(as_text=True)
    assert 'href="/authors/web:%E8%80%81%E7%8E%8B"' in page or 'href="/authors/web:老王"' in page
    assert '<span class="author-level">观察</span>' in page


def test_moderator_sets_a_level_with_reason_and_expiry(client, auth, db):
    add(db, "web", "1", "评论", author="web:老王")
    auth.login("moderator", "王编辑")
    client.post(
        "/authors/web:老王/level",
        data={"level": "muted", "reason": "辱骂他人", "expires": "2099-01-01T08:00"},
    )
    change = authors.level_changes(db, "web:老王")[0]
    assert (change["to_level"], change["actor"], change["reason"]) == (
        "muted",
        "王编辑",
        "辱骂他人",
    )
    assert change["expires_at"] == "2099-01-01T00:00:00+00:00"  # 08:00 Beijing
    response = client.post("/authors/web:老王/level", data={"level": "trusted", "reason": ""})
    assert "请写明原因" in client.get(response.location).get_data(as_text=True)
    assert authors.explicit_levels(db, ["web:老王"]) == {"web:老王": "muted"}


def test_link_and_unlink_keys_and_the_profile_follows(client, auth, db):
    add(db, "web", "1", "网站上的评论", author="web:老王")
    add(db, "weibo", "2", "微博上的评论", author="weibo:9527")
    auth.login("moderator")
    assert client.post("/authors/web:老王/link", data={"other": "weibo:9527"}).status_code == 403
    auth.login("editor")
    client.post("/authors/web:老王/link", data={"other": "weibo:9527", "reason": "同一手机号"})
    page = client.get("/authors/web:老王").get_data(as_text=True)
    assert "微博上的评论" in page and 'class="total">2<' in page
    assert profiles.linked_keys(db, "weibo:9527") == ["web:老王", "weibo:9527"]
    client.post("/authors/weibo:9527/unlink", data={"other": "web:老王", "reason": "弄错了"})
    page = client.get("/authors/web:老王").get_data(as_text=True)
    assert "微博上的评论" not in page and 'class="total">1<' in page
    log = [(row["action"], row["reason"]) for row in profiles.profile(db, "web:老王")["link_log"]]
    assert log == [("unlink", "弄错了"), ("link", "同一手机号")]


def test_linking_an_unknown_key_says_what_to_check(client, auth, db):
    add(db, "web", "1", "评论", author="web:老王")
    auth.login("editor")
    response = client.post("/authors/web:老王/link", data={"other": "weibo:typo"})
    assert "请检查标识" in client.get(response.location).get_data(as_text=True)


def test_notes_are_kept(client, auth, db):
    add(db, "web", "1", "评论", author="web:老王")
    auth.login("moderator", "王编辑")
    client.post("/authors/web:老王/notes", data={"note": "热心读者，常报路况"})
    assert "王编辑：热心读者，常报路况" in client.get("/authors/web:老王").get_data(as_text=True)
