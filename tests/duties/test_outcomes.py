"""The 举报 queue's outcomes and appeal decisions: recorded, closing every report, refused
for the first decider, and delivered to a local site server speaking the moderation
endpoint's protocol (signature checked there)."""

from __future__ import annotations

import re

import pytest

from moderation.sending import push_outbox as sender
from moderation.storage import appeals, authors, decisions, reader_reports
from moderation.storage import comments as comment_store
from tests.browser_support import live_server
from tests.duties.conftest import SECRET, Site, make_desk, site_channel
from tests.helpers import Auth
from tests.push.servers import FakeSite, serving


@pytest.fixture
def pushing_desk(tmp_path, site_env):
    """A desk whose site channel pushes to a local FakeSite; (settings, db, ids, app, poster,
    fake site)."""
    with serving(FakeSite(SECRET, {"c-1", "c-2", "c-3", "c-4"})) as fake:
        settings, db, ids, app = make_desk(tmp_path, site_channel(fake.url, push="on"))
        with live_server(app) as base_url:
            yield settings, db, ids, app, Site(base_url), fake
        db.close()


def login(app, db, name: str):
    """A test client of the app logged in as moderator `name`."""
    client = app.test_client()
    Auth(client, db).login("moderator", name)
    return client


def test_upheld_report_rejects_closes_all_and_reaches_the_site(pushing_desk):
    settings, db, ids, app, site, fake = pushing_desk
    site.report("c-1", "reader-1", "广告", report_id="r-1")
    site.report("c-1", "reader-2", "谣言", report_id="r-2")
    client = login(app, db, "王审核")
    page = client.get("/reader-reports").get_data(as_text=True)
    assert "广告 ×1" in page and "谣言 ×1" in page and "reader-1" not in page
    answer = client.post(
        f"/reader-reports/{ids['c-1']}/outcome",
        data={"outcome": "upheld", "reason": "广告", "seen": "pending"},
    )
    assert answer.status_code == 302
    assert comment_store.get_status(db, ids["c-1"]) == "rejected"
    last = decisions.last(db, ids["c-1"])
    assert (last["actor"], last["action"], last["reason"]) == ("王审核", "reject", "ad")
    states = {row["state"] for row in db.query("SELECT state FROM reader_reports")}
    assert states == {"upheld"}
    assert reader_reports.queue(db) == []
    assert sender.deliver(db, settings).total("done") == 2
    sent = [call.json() for call in fake.calls]
    assert [body["action"] for body in sent] == ["delete", "report_outcome"]
    outcome = sent[1]
    assert outcome["comment_id"] == "c-1" and outcome["decision_id"] == last["id"]
    assert outcome["outcome"] == {
        "outcome": "upheld",
        "reason": "广告",
        "report_ids": ["r-1", "r-2"],
    }


def test_dismissed_report_keeps_the_comment_and_tells_the_site(pushing_desk):
    settings, db, ids, app, site, fake = pushing_desk
    site.report("c-2", "reader-1", "辱骂攻击", report_id=7)
    client = login(app, db, "王审核")
    client.post(f"/reader-reports/{ids['c-2']}/outcome", data={"outcome": "dismissed"})
    assert comment_store.get_status(db, ids["c-2"]) == "pending"
    last = decisions.last(db, ids["c-2"])
    assert (last["action"], last["actor"]) == ("report_dismissed", "王审核")
    sender.deliver(db, settings)
    [body] = [call.json() for call in fake.calls]
    assert body["action"] == "report_outcome"
    assert body["outcome"] == {"outcome": "dismissed", "reason": None, "report_ids": ["7"]}
    again = client.post(f"/reader-reports/{ids['c-2']}/outcome", data={"outcome": "dismissed"})
    assert "没有待处理的举报" in client.get(again.location).get_data(as_text=True)


def test_queue_orders_by_count_then_age(pushing_desk):
    _settings, db, ids, _app, site, _fake = pushing_desk
    site.report("c-3", "r1")
    site.report("c-2", "r1")
    site.report("c-2", "r2")
    site.report("c-4", "r3")
    assert [row["id"] for row in reader_reports.queue(db)] == [ids["c-2"], ids["c-3"], ids["c-4"]]


def test_appeal_is_refused_for_the_first_decider_and_upheld_by_another(pushing_desk):
    settings, db, ids, app, site, fake = pushing_desk
    comment_store.decide(db, ids["c-3"], "reject", "王审核", "abuse")
    authors.set_level(db, "site:u-c-3", "muted", "王审核", "辱骂")
    filed = site.post(
        {
            "type": "appeal",
            "kind": "comment",
            "comment_id": "c-3",
            "appellant": "t",
            "appeal_id": "ap-9",
            "text": "请复核",
        }  # fmt: skip
    )
    appeal_id = filed.json()["id"]
    first = login(app, db, "王审核")
    assert "须由他人复核" in first.get("/appeals").get_data(as_text=True)
    refused = first.post(f"/appeals/{appeal_id}/decide", data={"outcome": "upheld"})
    assert "首次处理人以外" in first.get(refused.location).get_data(as_text=True)
    assert comment_store.get_status(db, ids["c-3"]) == "rejected"
    second = login(app, db, "李审核")
    second.post(f"/appeals/{appeal_id}/decide", data={"outcome": "upheld", "lift": "1"})
    assert comment_store.get_status(db, ids["c-3"]) == "approved"
    last = decisions.last(db, ids["c-3"])
    assert (last["actor"], last["action"]) == ("李审核", "approve")
    assert authors.explicit_levels(db, ["site:u-c-3"]) == {}
    [row] = db.query("SELECT state, decided_by, lifted, decision_id FROM appeals")
    assert row == {
        "state": "upheld",
        "decided_by": "李审核",
        "lifted": 1,
        "decision_id": last["id"],
    }
    sender.deliver(db, settings)
    bodies = [call.json() for call in fake.calls]
    assert [body["action"] for body in bodies] == ["delete", "appeal_outcome"]
    assert bodies[1]["outcome"] == {
        "outcome": "upheld",
        "kind": "comment",
        "appeal_id": "ap-9",
        "author_id": "u-c-3",
        "note": None,
    }


def test_mute_appeal_denied_keeps_the_mute(pushing_desk):
    _settings, db, _ids, _app, site, _fake = pushing_desk
    authors.set_level(db, "site:u-c-4", "muted", "王审核", "广告刷屏")
    filed = site.post({"type": "appeal", "kind": "mute", "author_id": "u-c-4", "appellant": "t"})
    with pytest.raises(appeals.AppealError):
        appeals.decide(db, filed.json()["id"], "denied", "王审核")
    result = appeals.decide(db, filed.json()["id"], "denied", "李审核", "确有刷屏")
    assert result["lifted"] is False
    assert authors.explicit_levels(db, ["site:u-c-4"]) == {"site:u-c-4": "muted"}
    with pytest.raises(appeals.AppealError, match="已处理"):
        appeals.decide(db, filed.json()["id"], "upheld", "赵审核")


def page_fields(client, path: str, marker: str) -> dict:
    """The hidden seen* fields of the row at `marker` on a page, as the browser would send
    them (what the moderator saw)."""
    page = client.get(path).get_data(as_text=True)
    form = page[page.index(marker) :]
    form = form[: form.index("</tr>")]
    return dict(re.findall(r'<input type="hidden" name="(seen[a-z_]*)" value="([^"]*)"', form))


def test_upheld_report_on_a_page_out_of_date_is_refused(pushing_desk):
    _settings, db, ids, app, site, _fake = pushing_desk
    site.report("c-1", "reader-1", "广告")
    client = login(app, db, "王审核")
    seen = page_fields(client, "/reader-reports", f'data-comment="{ids["c-1"]}"')
    assert seen["seen"] == "pending" and seen["seen_decision"].isdigit()
    decisions.decide_one(db, ids["c-1"], "approve", "李审核")  # decided meanwhile
    answer = client.post(
        f"/reader-reports/{ids['c-1']}/outcome",
        data={"outcome": "upheld", "reason": "广告", **seen},
    )
    assert answer.status_code == 409
    text = answer.get_data(as_text=True)
    assert "已由 李审核" in text and "“举报成立”没有生效" in text and "举报仍待处理" in text
    assert comment_store.get_status(db, ids["c-1"]) == "approved"
    assert [row["state"] for row in db.query("SELECT state FROM reader_reports")] == ["open"]
    # Fields a browser never sends (non-ASCII digits, a huge number) check nothing, and
    # break nothing: the outcome applies as to a script.
    odd = client.post(
        f"/reader-reports/{ids['c-1']}/outcome",
        data={"outcome": "dismissed", "seen_decision": "²", "seen_report": "9" * 40},
    )
    assert odd.status_code == 302
    assert [row["state"] for row in db.query("SELECT state FROM reader_reports")] == ["dismissed"]


def test_dismissal_is_refused_when_the_comment_changed_and_came_back(pushing_desk):
    """Rejected and reopened meanwhile: the state is what the page showed, yet it changed
    since; the newest decision the page knew of tells."""
    _settings, db, ids, app, site, _fake = pushing_desk
    site.report("c-2", "reader-1", "谣言")
    client = login(app, db, "王审核")
    seen = page_fields(client, "/reader-reports", f'data-comment="{ids["c-2"]}"')
    decisions.decide_one(db, ids["c-2"], "reject", "李审核", "rumor")
    decisions.decide_one(db, ids["c-2"], "reopen", "李审核")
    answer = client.post(
        f"/reader-reports/{ids['c-2']}/outcome", data={"outcome": "dismissed", **seen}
    )
    assert answer.status_code == 409 and "“举报不成立”没有生效" in answer.get_data(as_text=True)
    assert reader_reports.queue(db)[0]["id"] == ids["c-2"]
    # In the storage layer the same check, with a plain state too.
    with pytest.raises(decisions.DecisionConflict):
        reader_reports.close_reports(db, ids["c-2"], "dismissed", "王审核", seen="approved")
    # Seen afresh, the dismissal goes through.
    fresh = page_fields(client, "/reader-reports", f'data-comment="{ids["c-2"]}"')
    answer = client.post(
        f"/reader-reports/{ids['c-2']}/outcome", data={"outcome": "dismissed", **fresh}
    )
    assert answer.status_code == 302 and reader_reports.queue(db) == []


def test_appeal_decided_on_a_page_out_of_date_is_refused(pushing_desk):
    _settings, db, ids, app, site, _fake = pushing_desk
    decisions.decide_one(db, ids["c-3"], "reject", "王审核", "abuse")
    filed = site.post({"type": "appeal", "kind": "comment", "comment_id": "c-3", "appellant": "t"})
    appeal_id = filed.json()["id"]
    second = login(app, db, "李审核")
    seen = page_fields(second, "/appeals", f'data-appeal="{appeal_id}"')
    assert seen["seen"] == "rejected"
    decisions.decide_one(db, ids["c-3"], "approve", "赵主任")  # restored on the desk meanwhile
    for outcome, label in (("upheld", "申诉成立"), ("denied", "申诉驳回")):
        answer = second.post(f"/appeals/{appeal_id}/decide", data={"outcome": outcome, **seen})
        text = answer.get_data(as_text=True)
        assert answer.status_code == 409
        assert "已由 赵主任" in text and f"“{label}”没有生效" in text and "申诉仍待复核" in text
    [row] = db.query("SELECT state, decided_by FROM appeals")
    assert row == {"state": "open", "decided_by": None}
    assert decisions.last(db, ids["c-3"])["actor"] == "赵主任"
    with pytest.raises(decisions.DecisionConflict):
        appeals.decide(db, appeal_id, "denied", "李审核", seen="rejected")


def test_dismissal_with_reports_newer_than_the_page_is_refused_upheld_closes_them(pushing_desk):
    """Dismissing answers every reporter 'not upheld': a report that arrived after the page
    was drawn, its reason unseen, must not be dismissed with it. Upholding closes it too."""
    _settings, db, ids, app, site, _fake = pushing_desk
    site.report("c-1", "reader-1", "广告")
    site.report("c-2", "reader-1", "广告")
    client = login(app, db, "王审核")
    seen_1 = page_fields(client, "/reader-reports", f'data-comment="{ids["c-1"]}"')
    seen_2 = page_fields(client, "/reader-reports", f'data-comment="{ids["c-2"]}"')
    assert seen_1["seen_report"].isdigit()
    site.report("c-1", "reader-2", "违法违规", text="涉嫌违法")
    site.report("c-2", "reader-2", "违法违规")
    answer = client.post(
        f"/reader-reports/{ids['c-1']}/outcome", data={"outcome": "dismissed", **seen_1}
    )
    text = answer.get_data(as_text=True)
    assert answer.status_code == 409 and "又收到 1 条举报" in text and "举报仍待处理" in text
    assert db.execute(
        "SELECT COUNT(*) FROM reader_reports WHERE comment_id = ? AND state = 'open'",
        [ids["c-1"]],
    ).fetchone() == (2,)
    upheld = client.post(
        f"/reader-reports/{ids['c-2']}/outcome",
        data={"outcome": "upheld", "reason": "违法违规", **seen_2},
    )
    assert upheld.status_code == 302
    assert comment_store.get_status(db, ids["c-2"]) == "rejected"
    states = [row[0] for row in db.execute(
        "SELECT state FROM reader_reports WHERE comment_id = ?", [ids["c-2"]]
    )]  # fmt: skip
    assert states == ["upheld", "upheld"]


def test_report_upheld_on_a_comment_rejected_before_the_page_is_recorded_beside_it(
    pushing_desk,
):
    _settings, db, ids, app, site, _fake = pushing_desk
    decisions.decide_one(db, ids["c-3"], "reject", "李审核", "abuse")
    site.report("c-3", "reader-1", "辱骂攻击")
    client = login(app, db, "王审核")
    seen = page_fields(client, "/reader-reports", f'data-comment="{ids["c-3"]}"')
    assert seen["seen"] == "rejected"
    answer = client.post(
        f"/reader-reports/{ids['c-3']}/outcome",
        data={"outcome": "upheld", "reason": "辱骂攻击", **seen},
    )
    assert answer.status_code == 302
    last = decisions.last(db, ids["c-3"])
    assert (last["action"], last["actor"], last["from_state"], last["to_state"]) == (
        "report_upheld",
        "王审核",
        "rejected",
        "rejected",
    )
    [report] = db.query("SELECT state, decision_id FROM reader_reports")
    assert report == {"state": "upheld", "decision_id": last["id"]}


def test_mute_appeal_on_a_page_out_of_date_is_refused(pushing_desk):
    _settings, db, _ids, app, site, _fake = pushing_desk
    authors.set_level(db, "site:u-c-4", "muted", "王审核", "广告刷屏")
    filed = site.post({"type": "appeal", "kind": "mute", "author_id": "u-c-4", "appellant": "t"})
    appeal_id = filed.json()["id"]
    second = login(app, db, "李审核")
    seen = page_fields(second, "/appeals", f'data-appeal="{appeal_id}"')
    assert seen["seen_level"].isdigit() and "seen" not in seen
    authors.set_level(db, "site:u-c-4", None, "赵主任", "误判，解除")  # lifted meanwhile
    answer = second.post(f"/appeals/{appeal_id}/decide", data={"outcome": "denied", **seen})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "已由 赵主任 解除" in text and "“申诉驳回”没有生效" in text
    assert db.execute("SELECT state FROM appeals").fetchone() == ("open",)
    fresh = page_fields(second, "/appeals", f'data-appeal="{appeal_id}"')
    answer = second.post(f"/appeals/{appeal_id}/decide", data={"outcome": "upheld", **fresh})
    assert answer.status_code == 302
    assert db.execute("SELECT state, lifted FROM appeals").fetchone() == ("upheld", 0)
