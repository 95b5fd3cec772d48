"""Issue 24 item 6: bulk, group and undo decisions never silently override a colleague.

Each reproduces the report first: mod1 rejects X as 个人信息, mod2's bulk approve of the page
(opened before) must not approve it; a group decision likewise; undo after a colleague's
later decision must not reopen; a request that says nothing of what it saw (a script) is
refused unless it sends ``force=1``.
"""

from __future__ import annotations

import re

import pytest

from moderation.storage import decisions
from tests.helpers import Auth
from tests.web.conftest import add_comment, add_score


@pytest.fixture
def story(db):
    db.execute(
        "INSERT INTO stories (id, channel, native_id, title, collected_at) "
        "VALUES (1, 'demo', 's1', '株洲新闻', '2024-01-22T00:00:00+00:00')"
    )


@pytest.fixture
def mods(app, db):
    """Two logged-in moderators, 小王 (mod1) and 小李 (mod2)."""
    first, second = app.test_client(), app.test_client()
    Auth(first, db).login("moderator", name="小王")
    Auth(second, db).login("moderator", name="小李")
    return first, second


def status(db, comment_id: int) -> str:
    return decisions.statuses(db, [comment_id])[comment_id]


def bulk_seen(page: str, ids) -> list[str]:
    """The bulk form's `seen` values the page carries for `ids` (``<id>:<state>``)."""
    found = dict(re.findall(r'form="bulk" name="seen" value="((\d+):\w+)"', page))
    return [value for value, comment_id in found.items() if int(comment_id) in ids]


def undo_fields(page: str, comment_id: int) -> dict:
    """The hidden fields of the toast's 撤销 form for `comment_id`."""
    form = re.search(rf'action="/comments/{comment_id}/undo"(.*?)</form>', page, re.S).group(1)
    return dict(re.findall(r'name="(state|seen|seen_decision)" value="([^"]+)"', form))


def test_bulk_approve_of_a_page_does_not_approve_what_a_colleague_rejected(db, story, mods):
    first, second = mods
    x, y = add_comment(db, "手机号13812345678找我"), add_comment(db, "神农城的灯会真漂亮")
    page = second.get("/").get_data(as_text=True)  # mod2 opens the queue: both pending
    seen = bulk_seen(page, {x, y})
    assert sorted(seen) == sorted([f"{x}:pending", f"{y}:pending"])
    rejected = first.post(
        f"/comments/{x}/reject", data={"seen": "pending", "reason": "personal_data"}
    )
    assert rejected.status_code == 302
    form = {"action": "approve", "ids": [str(x), str(y)], "seen": seen}
    late = second.post("/comments/bulk", data=form)
    body = late.get_data(as_text=True)
    assert late.status_code == 409
    assert f"评论 #{x}已由 小王" in body and "拒绝" in body and "一条也未处理" in body
    assert (status(db, x), status(db, y)) == ("rejected", "pending")
    # The page offers to approve the others only: that leaves X as mod1 decided it.
    others = re.search(r'<form[^>]*class="inline others">(.*?)</form>', body, re.S).group(1)
    fields = re.findall(r'name="(ids|seen)" value="([^"]+)"', others)
    assert fields == [("ids", str(y)), ("seen", f"{y}:pending")]
    rest = second.post(
        "/comments/bulk", data={"action": "approve", "ids": [str(y)], "seen": [f"{y}:pending"]}
    )
    assert rest.status_code == 302
    assert (status(db, x), status(db, y)) == ("rejected", "approved")
    assert decisions.history(db, x)[-1]["actor"] == "小王"


def flood_group(db) -> list[int]:
    """Three copies of one flood, scored as one duplicate group led by the first."""
    ids = [add_comment(db, "同一条刷屏内容，加微信领红包") for _ in range(3)]
    for comment_id in ids:
        add_score(db, comment_id, dup_group=ids[0])
    return ids


def test_group_approve_stops_at_a_member_a_colleague_rejected_after_the_page(db, story, mods):
    first, second = mods
    ids = flood_group(db)
    page = second.get(f"/groups/{ids[0]}").get_data(as_text=True)
    seen_decision = re.search(r'name="seen_decision" value="(\d+)"', page).group(1)
    first.post(f"/comments/{ids[1]}/reject", data={"seen": "pending", "reason": "personal_data"})
    late = second.post(f"/groups/{ids[0]}/approve", data={"seen_decision": seen_decision})
    assert late.status_code == 409
    assert f"评论 #{ids[1]}已由 小王" in late.get_data(as_text=True)
    assert [status(db, i) for i in ids] == ["pending", "rejected", "pending"]
    # Reloaded, the page knows of mod1's decision: the group decision applies knowingly.
    page = second.get(f"/groups/{ids[0]}").get_data(as_text=True)
    seen_decision = re.search(r'name="seen_decision" value="(\d+)"', page).group(1)
    done = second.post(f"/groups/{ids[0]}/approve", data={"seen_decision": seen_decision})
    assert done.status_code == 302
    assert [status(db, i) for i in ids] == ["approved"] * 3


def test_undo_after_a_colleagues_later_decision_does_not_reopen(db, story, mods):
    first, second = mods
    x = add_comment(db, "这条先通过")
    approved = first.post(f"/comments/{x}/approve", data={"seen": "pending"}, follow_redirects=True)
    fields = undo_fields(approved.get_data(as_text=True), x)
    assert fields["state"] == "pending" and fields["seen"] == "approved"
    second.post(f"/comments/{x}/reject", data={"seen": "approved", "reason": "personal_data"})
    late = first.post(f"/comments/{x}/undo", data=fields)
    assert late.status_code == 409
    assert "已由 小李" in late.get_data(as_text=True)
    assert status(db, x) == "rejected"
    # Without a colleague in between, the same undo reopens.
    y = add_comment(db, "这条再撤销")
    page = first.post(f"/comments/{y}/approve", data={"seen": "pending"}, follow_redirects=True)
    fields = undo_fields(page.get_data(as_text=True), y)
    assert first.post(f"/comments/{y}/undo", data=fields).status_code == 302
    assert status(db, y) == "pending"


@pytest.mark.parametrize(
    "path, form",
    [
        ("/comments/{x}/approve", {}),
        ("/comments/bulk", {"action": "approve", "ids": "{x}"}),
        ("/groups/{x}/approve", {}),
        ("/comments/{x}/undo", {"state": "pending"}),
    ],
)
def test_a_script_must_say_what_it_saw_or_force(db, story, mods, path, form):
    first, second = mods
    x = add_comment(db, "脚本批量处理")
    add_score(db, x, dup_group=x)
    second.post(f"/comments/{x}/reject", data={"seen": "pending", "reason": "ad"})
    path = path.format(x=x)
    form = {key: value.format(x=x) for key, value in form.items()}
    refused = first.post(path, data=form)
    assert refused.status_code == 400
    assert "force=1" in refused.get_data(as_text=True)
    assert status(db, x) == "rejected"
    forced = first.post(path, data={**form, "force": "1"})
    assert forced.status_code == 302
    assert status(db, x) != "rejected"
    assert decisions.history(db, x)[-1]["actor"] == "小王"


def test_keep_earliest_from_a_stale_group_page_applies_nothing(db, story, mods):
    first, second = mods
    ids = flood_group(db)
    page = second.get(f"/groups/{ids[0]}").get_data(as_text=True)
    form = re.search(r'class="inline keep-earliest">(.*?)</form>', page, re.S).group(1)
    seen_decision = re.search(r'name="seen_decision" value="(\d+)"', form).group(1)
    first.post(f"/comments/{ids[0]}/reject", data={"seen": "pending", "reason": "ad"})
    late = second.post(f"/groups/{ids[0]}/keep_earliest", data={"seen_decision": seen_decision})
    assert late.status_code == 409
    assert [status(db, i) for i in ids] == ["rejected", "pending", "pending"]


def test_batch_undo_leaves_a_comment_a_colleague_decided_since_even_in_the_same_state(
    db, story, mods
):
    first, second = mods
    x, y = add_comment(db, "批量通过甲"), add_comment(db, "批量通过乙")
    form = {"action": "approve", "ids": [str(x), str(y)], "seen": [f"{x}:pending", f"{y}:pending"]}
    page = first.post("/comments/bulk", data=form, follow_redirects=True).get_data(as_text=True)
    undo = re.search(r'action="/batches/undo"(.*?)</form>', page, re.S).group(1)
    fields = dict(re.findall(r'name="(after|upto)" value="(\d+)"', undo))
    # mod2 rejects X, then approves it again: the state is what mod1's batch left, but the
    # last word on X is mod2's
    second.post(f"/comments/{x}/reject", data={"seen": "approved", "reason": "ad"})
    second.post(f"/comments/{x}/approve", data={"seen": "rejected"})
    first.post("/batches/undo", data=fields)
    assert (status(db, x), status(db, y)) == ("approved", "pending")
    assert decisions.history(db, x)[-1]["actor"] == "小李"
