"""Reasons as data: no reason preselected on a card unless a fired flag points to one; the
list is managed by admins and read by the pickers, the queue and the rules."""

from __future__ import annotations

import re

import pytest

from moderation import pipeline
from moderation.rules.model import Rule
from moderation.storage import decisions, reasons
from moderation.storage import rules as rule_store
from tests.test_scoring_pipeline import add


def preselected(page: str, comment_id: int) -> str:
    """The reason option selected on a card's reject form ("" for the placeholder)."""
    card = page.split(f'id="comment-{comment_id}"', 1)[1].split("</article>", 1)[0]
    select = re.search(r'<select name="reason".*?</select>', card, re.S).group(0)
    return re.search(r'<option value="([^"]*)" selected>', select).group(1)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("株洲的雪景真美，大家出行注意安全", ""),  # today 辱骂 was preselected here
        ("详情见 www.example.com 吧", "ad"),
        ("有事打我电话13912345678", "personal_data"),
    ],
)
def test_card_preselects_only_what_a_flag_points_to(client, auth, db, settings, text, reason):
    comment_id = add(db, "web", "1", text)
    pipeline.score_pending(db, settings)
    auth.login("moderator")
    assert preselected(client.get("/").get_data(as_text=True), comment_id) == reason


def test_duplicate_group_preselects_duplicate(client, auth, db, settings):
    text = "雪夜里还在坚守的你们辛苦啦，为你们点赞！"
    first, second = add(db, "web", "1", text, author="a"), add(db, "app", "2", text, author="b")
    pipeline.score_pending(db, settings)
    auth.login("moderator")
    page = client.get("/").get_data(as_text=True)
    assert preselected(page, first) == preselected(page, second) == "duplicate"


@pytest.mark.parametrize(
    "path, data",
    [
        ("/comments/{id}/reject", {"reason": ""}),
        ("/comments/{id}/reject", {}),
        ("/comments/bulk", {"action": "reject", "ids": "{id}", "reason": ""}),
    ],
)
def test_reject_without_a_reason_is_refused_in_chinese(client, auth, db, path, data):
    comment_id = add(db, "web", "1", "株洲的雪景真美")
    auth.login("moderator")
    data = {key: value.format(id=comment_id) for key, value in data.items()}
    response = client.post(path.format(id=comment_id), data=data)
    assert response.status_code == 400
    assert "拒绝需要选择原因" in response.get_data(as_text=True)
    assert decisions.history(db, comment_id) == []  # nothing recorded
    assert db.execute("SELECT status FROM comments WHERE id = ?", [comment_id]).fetchone()[0] == (
        "pending"
    )


def test_admin_manages_reasons_and_everything_reads_them(client, auth, db):
    auth.login("admin")
    client.post(
        "/admin/reasons",
        data={"code": "rumor", "label": "谣言", "explanation": "传播未经证实的消息"},
    )
    assert reasons.labels(db)["rumor"] == "谣言"
    comment_id = add(db, "web", "1", "听说明天全市停水")
    assert "谣言" in client.get("/").get_data(as_text=True)
    assert (
        client.post(
            f"/comments/{comment_id}/reject", data={"force": "1", "reason": "rumor"}
        ).status_code
        == 302
    )
    assert decisions.history(db, comment_id)[-1]["reason"] == "rumor"
    rule_store.add_rule(db, Rule("谣言词", "reject", {"length_below": 3}, reason="rumor"), "admin")
    client.post("/admin/reasons/rumor/retire")
    assert "rumor" not in reasons.labels(db) and "谣言" not in client.get("/").get_data(
        as_text=True
    )
    response = client.post("/admin/reasons", data={"code": "Bad Code", "label": "x"})
    assert "代码须为小写字母开头" in client.get(response.location).get_data(as_text=True)


def test_unknown_reason_is_refused(client, auth, db):
    comment_id = add(db, "web", "1", "评论")
    auth.login("moderator")
    assert (
        client.post(
            f"/comments/{comment_id}/reject", data={"force": "1", "reason": "nope"}
        ).status_code
        == 400
    )
