"""Alert rules written, exported and imported by an admin; the bell and the alert list."""

from __future__ import annotations

import io

import pytest

from moderation.alerts.rules_toml import dump_rules, load_rules
from moderation.storage import alerts as store
from moderation.timeutil import now_iso


def test_admin_writes_a_rule_from_the_form(client, auth, db):
    auth.login("admin")
    response = client.post(
        "/admin/alerts",
        data={
            "name": "深夜负面",
            "kind": "negative_spike",
            "enabled": "1",
            "param_min_count": "12",
            "param_factor": "2.5",
        },
    )
    assert response.status_code == 302
    [rule] = store.list_rules(db)
    assert rule["params"] == {"min_count": 12, "factor": 2.5} and rule["enabled"] == 1
    assert "深夜负面" in client.get("/admin/alerts").get_data(as_text=True)


@pytest.mark.parametrize(
    "form, message",
    [
        ({"name": "x", "kind": "keyword"}, "至少需要一个词语"),
        ({"name": "x", "kind": "negative_spike", "param_min_count": "abc"}, "“最少条数” 应为数字"),
        ({"name": "x", "kind": "negative_spike", "param_min_rate": "3"}, "“最低占比” 应在"),
        (
            {"name": "x", "kind": "keyword", "param_words": "事故", "targets": "nowhere"},
            "未在配置中定义",
        ),
        ({"name": "", "kind": "queue_age"}, "名称"),
    ],
)
def test_bad_rules_are_refused_with_a_chinese_reason(client, auth, db, form, message):
    auth.login("admin")
    page = client.post("/admin/alerts", data=form, follow_redirects=True).get_data(as_text=True)
    assert "未保存" in page and message in page
    assert store.list_rules(db) == []


def test_rules_round_trip_through_toml(client, auth, db):
    auth.login("admin")
    store.save_rule(
        db,
        {
            "name": "事故",
            "kind": "keyword",
            "params": {"words": ["事故", "塌方"], "window_minutes": 90},
        },
        "admin",
    )
    store.save_rule(
        db,
        {"name": "积压", "kind": "queue_age", "enabled": False, "params": {"minutes": 120}},
        "admin",
    )
    exported = client.get("/admin/alerts/rules.toml").get_data(as_text=True)
    rules = load_rules(exported, known_targets=set())
    assert [(r["name"], r["enabled"], r["params"]) for r in rules] == [
        ("事故", True, {"window_minutes": 90, "words": ["事故", "塌方"]}),
        ("积压", False, {"minutes": 120}),
    ]
    assert dump_rules(rules) == exported


def test_import_creates_rules_all_or_none(client, auth, db):
    auth.login("admin")
    good = '[[rules]]\nname = "停水"\nkind = "keyword"\n[rules.params]\nwords = ["停水"]\n'
    bad = good + '\n[[rules]]\nname = "坏"\nkind = "negative_spike"\n[rules.params]\nfactor = 0\n'
    page = client.post(
        "/admin/alerts/import",
        data={"file": (io.BytesIO(bad.encode()), "rules.toml")},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "未导入" in page and "第 2 条规则" in page and store.list_rules(db) == []
    client.post("/admin/alerts/import", data={"file": (io.BytesIO(good.encode()), "rules.toml")})
    assert [rule["name"] for rule in store.list_rules(db)] == ["停水"]


def test_bell_counts_unread_alerts_until_the_list_is_opened(client, auth, db):
    auth.login("editor")
    rule_id = store.save_rule(db, {"name": "事故", "kind": "keyword"}, "admin")
    for n in range(2):
        store.fire_alert(
            db,
            {
                "rule_id": rule_id,
                "condition": f"story:{n}",
                "title": f"事故{n}",
                "detail": {"lines": ["1 条评论提到：事故"]},
            },
            [],
            now_iso(),
        )
    assert store.unread_count(db, "editor") == 2
    overview = client.get("/overview").get_data(as_text=True)
    assert 'aria-label="预警：2 条未读"' in overview
    page = client.get("/alerts").get_data(as_text=True)
    assert "事故0" in page and "事故1" in page and "仅在审核台显示" in page
    assert store.unread_count(db, "editor") == 0
    assert 'aria-label="预警：0 条未读"' in client.get("/overview").get_data(as_text=True)
    assert store.unread_count(db, "admin") == 2  # each person has their own bell


def test_failed_delivery_can_be_retried(client, auth, db):
    auth.login("editor")
    rule_id = store.save_rule(db, {"name": "事故", "kind": "keyword"}, "admin")
    store.fire_alert(
        db, {"rule_id": rule_id, "condition": "c", "title": "t", "detail": {}}, ["robot"], now_iso()
    )
    db.execute("UPDATE alert_deliveries SET state = 'failed', last_error = '310000 sign not match'")
    page = client.get("/alerts").get_data(as_text=True)
    assert "失败：认证失败（密钥、令牌或签名不对）（310000 sign not match）" in page
    client.post("/alerts/deliveries/1/retry")
    assert db.execute("SELECT state FROM alert_deliveries").fetchone()[0] == "pending"


def test_moderators_see_no_link_they_may_not_open(client, auth):
    auth.login("moderator")
    page = client.get("/overview").get_data(as_text=True)
    assert "/metrics" not in page and "/alerts" not in page and "/reports" not in page
