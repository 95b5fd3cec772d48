"""Dashboard features over HTTP: cards, decisions, groups, claims, corrections, admin."""

import pytest
from markupsafe import escape

from moderation.storage import claims, corrections, decisions
from moderation.storage import comments as comment_store
from moderation.storage import queue as queue_store
from tests.web.conftest import XSS, add_comment, add_score, duplicate_groups, span_flag

PHONE = "联系我13912345678<b>急</b>"


def test_card_highlights_flagged_span_and_escapes_the_rest(client, collected, login):
    comment_id = add_comment(collected, PHONE, created_at="2030-01-01T00:00:00+00:00")
    add_score(collected, comment_id, 0.2, [span_flag(PHONE, "13912345678", reason="含<手机号>")])
    login()
    html = client.get("/").get_data(as_text=True)
    assert (
        '联系我<mark class="flag flag-personal_data" title="含&lt;手机号&gt;">13912345678</mark>'
        "&lt;b&gt;急&lt;/b&gt;"
    ) in html
    assert "<b>急</b>" not in html


def test_script_text_is_escaped(client, collected, login):
    add_comment(collected, XSS, created_at="2030-01-01T00:00:00+00:00")
    login()
    html = client.get("/").get_data(as_text=True)
    assert str(escape(XSS)) in html
    assert "<script>alert" not in html and "<img src=x" not in html


def test_nav_counts_and_flagged_queue(client, collected, login):
    comment_id = add_comment(collected, PHONE)
    add_score(collected, comment_id, 0.2, [span_flag(PHONE, "13912345678")])
    login()
    html = client.get("/?queue=flagged").get_data(as_text=True)
    assert f"#comment-{comment_id}" not in html and f'id="comment-{comment_id}"' in html
    assert '机器标记 <span class="count">1</span>' in html
    assert "个人信息 1" in html


def test_next_page_link_continues_after_the_last_comment(client, collected, login):
    login()
    first = client.get("/?order=oldest").get_data(as_text=True)
    assert 'class="button next-page"' in first
    ids = [int(part.split('"')[0]) for part in first.split('data-comment-id="')[1:]]
    rows, after = queue_store.list_queue(collected, queue_store.QueueFilter(), "oldest", limit=20)
    assert ids == [row["id"] for row in rows]
    second = client.get(f"/?order=oldest&after={after}").get_data(as_text=True)
    more = [int(part.split('"')[0]) for part in second.split('data-comment-id="')[1:]]
    assert more and not set(more) & set(ids)


def test_bulk_decisions_record_each_comment(client, collected, login):
    login("moderator", name="王编辑")
    response = client.post(
        "/comments/bulk",
        data={
            "action": "reject",
            "reason": "ad",
            "ids": ["3", "4", "5"],
            "seen": ["3:pending", "4:pending", "5:pending"],
            "next": "/?queue=all",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/?queue=all"
    for comment_id in (3, 4, 5):
        assert [
            (d["actor"], d["action"], d["reason"]) for d in decisions.history(collected, comment_id)
        ] == [("王编辑", "reject", "ad")]


def test_bulk_refuses_unknown_ids_all_or_nothing(client, collected, login):
    login()
    response = client.post(
        "/comments/bulk", data={"force": "1", "action": "approve", "ids": ["1", "99999"]}
    )
    assert response.status_code == 404
    assert comment_store.get_status(collected, 1) == "pending"


def test_group_page_and_group_approve(client, collected, login):
    group_id, members = max(duplicate_groups(collected).items(), key=lambda item: len(item[1]))
    login()
    page = client.get(f"/groups/{group_id}").get_data(as_text=True)
    assert page.count('class="comment ') == len(members)
    assert f"重复 {len(members)} 条" in page
    client.post(f"/groups/{group_id}/approve", data={"force": "1"})
    assert {comment_store.get_status(collected, i) for i in members} == {"approved"}
    assert client.get("/groups/99999").status_code == 404


def test_flag_for_editor_fills_the_editor_queue(client, collected, login):
    login()
    client.post("/comments/7/flag_editor", data={"note": "涉及领导姓名"})
    html = client.get("/?queue=editor").get_data(as_text=True)
    assert 'id="comment-7"' in html and "提请编辑关注" in html
    assert decisions.history(collected, 7)[-1]["action"] == "flag_editor"


def test_history_drawer_lists_decisions_and_earlier_texts(client, collected, login):
    collected.table("comment_edits").insert(
        {
            "comment_id": 9,
            "old_text": "旧的<文本>",
            "new_text": "x",
            "detected_at": "2024-01-01T00:00:00+00:00",
        }
    )
    login("moderator", name="李编辑")
    client.post("/comments/9/reject", data={"force": "1", "reason": "abuse"})
    html = client.get("/?queue=rejected").get_data(as_text=True)
    card = html[html.index('id="comment-9"') :]
    assert "李编辑" in card and "拒绝" in card and "辱骂" in card
    assert "旧的&lt;文本&gt;" in card


def test_claims_show_the_other_moderator(client, collected, login):
    claims.claim(collected, [1], "王编辑")
    login("moderator", name="李编辑")
    answer = client.post("/comments/1/claim").get_json()
    assert answer == {"comment_id": 1, "held_by": "王编辑", "mine": False}
    html = client.get(f"/search?q={collected.table('comments').get(1)['text'][:6]}").get_data(
        as_text=True
    )
    assert "王编辑正在审核" in html
    client.post("/comments/2/claim")
    assert claims.active_claims(collected, [2]) == {2: "李编辑"}


def test_deciding_releases_the_claim(client, collected, login):
    login("moderator", name="王编辑")
    client.get("/")
    assert claims.active_claims(collected, range(1, 300)) == {}  # opening a queue claims nothing
    client.post("/comments/3/claim")
    assert claims.active_claims(collected, [3]) == {3: "王编辑"}
    client.post("/comments/3/approve", data={"force": "1"})
    assert 3 not in claims.active_claims(collected, [3])


@pytest.mark.parametrize("role", ["editor", "admin"])
def test_browsing_editors_and_admins_claim_nothing(client, collected, login, role):
    login(role)
    client.get("/")
    client.post("/comments/3/claim")
    client.get("/comments/3/panel")
    assert claims.active_claims(collected, range(1, 300)) == {}


def test_panel_claims_for_a_moderator_and_lists_the_author(client, collected, login):
    login("moderator", name="王编辑")
    author = collected.table("comments").get(3)["author_name"]
    html = client.get("/comments/3/panel").get_data(as_text=True)
    assert f"{author} 的近期评论" in html
    assert claims.active_claims(collected, [3]) == {3: "王编辑"}


def test_sentiment_correction(client, collected, login):
    login()
    client.post("/comments/4/sentiment", data={"label": "0"})
    assert corrections.load_corrections(collected) == [
        (0, collected.table("comments").get(4)["text"])
    ]
    assert client.post("/comments/4/sentiment", data={"label": "5"}).status_code == 400


def test_author_and_story_links_filter_the_queue(client, collected, login):
    login()
    author = collected.table("comments").get(1)["author_key"]
    html = client.get(f"/?queue=all&author={author}").get_data(as_text=True)
    expected = collected.execute(
        "SELECT COUNT(*) FROM comments WHERE author_key = ?", [author]
    ).fetchone()[0]
    assert html.count('class="comment ') == min(expected, 20)
    story = client.get("/stories/2").get_data(as_text=True)
    assert "情感分布" in story and "高频关键词" in story


def test_admin_adds_changes_and_disables_users(client, collected, login):
    login("admin", name="boss")
    client.post(
        "/admin/users", data={"name": "新审核员", "role": "moderator", "password": "long enough pw"}
    )
    from moderation.storage import users

    user = users.get_user(collected, "新审核员")
    assert user["role"] == "moderator"
    client.post(f"/admin/users/{user['id']}/role", data={"role": "editor"})
    client.post(f"/admin/users/{user['id']}/disable")
    user = users.get_user(collected, "新审核员")
    assert (user["role"], user["disabled"]) == ("editor", 1)
    page = client.get("/admin/users").get_data(as_text=True)
    assert "新审核员" in page and "已停用" in page
    me = users.get_user(collected, "boss")["id"]
    assert client.post(f"/admin/users/{me}/disable").status_code == 400
    assert client.post("/admin/users/999/role", data={"role": "editor"}).status_code == 404


def test_nav_counts_are_capped_and_cached(client, collected, login, monkeypatch):
    from moderation.web import queue as queue_view

    monkeypatch.setattr(queue_store, "COUNT_CAP", 50)
    login()
    assert '待审 <span class="count">50+</span>' in client.get("/").get_data(as_text=True)
    collected.execute("UPDATE comments SET status = 'approved' WHERE id <= 150")
    cached = client.get("/").get_data(as_text=True)
    assert '已通过 <span class="count">0</span>' in cached  # still the cached count
    monkeypatch.setattr(queue_view, "COUNTS_TTL", -1)
    fresh = client.get("/").get_data(as_text=True)
    assert '已通过 <span class="count">50+</span>' in fresh


def test_stories_list_counts_the_places_readers_commented(client, collected, login):
    login()
    html = client.get("/stories").get_data(as_text=True)
    row = html[html.index(">下雪啦</a>") :]
    origins = collected.execute(
        "SELECT COUNT(DISTINCT c.origin) FROM comments c JOIN stories s ON s.id = c.story_id "
        "WHERE s.title = '下雪啦'"
    ).fetchone()[0]
    assert origins > 1  # one demo channel, several platforms
    assert f'<td class="num channels">{origins}</td>' in row.split("</tr>")[0]


def test_a_late_background_answer_keeps_the_decision_toast(app, client, collected, login):
    """A claim sent when a card took focus, or the favicon the browser asked for late, can
    answer after the decision posted meanwhile; its cookie, read before the decision, must
    not replace the one carrying the toast."""
    login("moderator", name="王编辑")
    client.get("/")
    before = client.get_cookie("session").value  # what the claim in flight carried
    client.post("/comments/3/approve", data={"force": "1"})
    late = app.test_client()
    late.set_cookie("session", before)
    quiet = late.post("/comments/4/claim", headers={"X-Desk-Background": "1"})
    assert quiet.status_code == 200 and "Set-Cookie" not in quiet.headers
    for path in ("/static/favicon.svg", "/static/dashboard.css"):
        static = late.get(path)
        assert static.status_code == 200 and "Set-Cookie" not in static.headers
    assert "Set-Cookie" in late.post("/comments/5/claim").headers  # a page's own answer does
    assert "已通过评论 #3" in client.get("/").get_data(as_text=True)
