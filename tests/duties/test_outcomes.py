"""The 举报 queue's outcomes and appeal decisions: recorded, closing every report, refused
for the first decider, and delivered to a local site server speaking the moderation
endpoint's protocol (signature checked there)."""

from __future__ import annotations

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
