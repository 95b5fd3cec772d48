"""Deliveries from the outbox to real local robots: retried, recorded, never sent twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from moderation.alerts.targets import RobotTarget
from moderation.sending.alert_delivery import MAX_ATTEMPTS, dispatch
from moderation.storage import alerts as store
from moderation.timeutil import iso
from tests.alerts.robot_servers import KEY, SECRET, TOKEN, fast_robots, robot_server

NOW = datetime(2024, 1, 23, 15, 0, tzinfo=UTC)


@pytest.fixture
def fired(db, monkeypatch):
    """One alert fired for the 'desk' target (a 钉钉 robot), due now."""
    monkeypatch.setenv("T_DING_TOKEN", TOKEN)
    monkeypatch.setenv("T_SECRET", SECRET)
    monkeypatch.setenv("T_WECOM_KEY", KEY)
    fast_robots(monkeypatch, call_timeout=2, max_attempts=2)
    rule_id = store.save_rule(db, {"name": "事故", "kind": "keyword"}, "admin")
    alert = {
        "rule_id": rule_id,
        "condition": "story:1",
        "title": "关键词「事故」出现在《大桥》下",
        "detail": {"lines": ["2 条评论提到：事故"]},
        "link": "/stories/1",
    }
    store.fire_alert(db, alert, ["desk"], iso(NOW))
    return db


def ding(url: str) -> dict:
    """The configured targets: 'desk' is a signed 钉钉 robot at `url`."""
    target = RobotTarget(
        name="desk",
        kind="dingtalk",
        url=url + "/robot/send",
        key_env="T_DING_TOKEN",
        secret_env="T_SECRET",
    )
    return {"desk": target}


def states(db) -> list[tuple]:
    """(state, attempts) of every delivery."""
    return [
        (row["state"], row["attempts"])
        for row in db.query("SELECT state, attempts FROM alert_deliveries ORDER BY id")
    ]


def test_alert_reaches_the_robot_once_with_a_link(fired):
    with robot_server("dingtalk") as robot:
        first = dispatch(fired, ding(robot.url), NOW, base_url="http://desk.example")
        second = dispatch(fired, ding(robot.url), NOW + timedelta(minutes=10))
    assert first.delivered == 1 and second.delivered == 0
    assert len(robot.received) == 1
    text = robot.received[0]["markdown"]["text"]
    assert "【评论预警】关键词「事故」" in text and "http://desk.example/stories/1" in text
    assert states(fired) == [("delivered", 1)]


def test_server_errors_are_retried_later_then_delivered_once(fired):
    with robot_server("dingtalk") as robot:
        robot.faults.extend([("status", 502), ("status", 503)])  # both tries of one call
        first = dispatch(fired, ding(robot.url), NOW)
        too_soon = dispatch(fired, ding(robot.url), NOW + timedelta(seconds=30))
        later = dispatch(fired, ding(robot.url), NOW + timedelta(minutes=2))
    assert (first.retrying, too_soon.delivered, later.delivered) == (1, 0, 1)
    assert len(robot.received) == 1
    assert states(fired) == [("delivered", 2)]


def test_rate_limit_answer_waits_at_least_a_minute(fired):
    with robot_server("dingtalk") as robot:
        robot.faults.append(("code", None))
        dispatch(fired, ding(robot.url), NOW)
        [row] = fired.query("SELECT * FROM alert_deliveries")
        assert row["next_attempt_at"] >= iso(NOW + timedelta(seconds=60))
        assert "130101" in row["last_error"]
        dispatch(fired, ding(robot.url), NOW + timedelta(minutes=2))
    assert len(robot.received) == 1


def test_wrong_secret_fails_for_good_and_can_be_retried_by_hand(fired, monkeypatch):
    monkeypatch.setenv("T_SECRET", "SECwrong")
    with robot_server("dingtalk") as robot:
        tally = dispatch(fired, ding(robot.url), NOW)
        assert tally.failed == 1 and states(fired) == [("failed", 1)]
        assert dispatch(fired, ding(robot.url), NOW + timedelta(hours=1)).failed == 0  # not retried
        monkeypatch.setenv("T_SECRET", SECRET)
        [row] = fired.query("SELECT id FROM alert_deliveries")
        store.retry_delivery(fired, row["id"], iso(NOW + timedelta(hours=1)))
        assert dispatch(fired, ding(robot.url), NOW + timedelta(hours=1)).delivered == 1
    assert len(robot.received) == 1


def test_a_robot_down_for_hours_gives_up_after_the_last_attempt(fired):
    nowhere = ding("http://127.0.0.1:9")  # nothing listens there
    moment = NOW
    for _ in range(MAX_ATTEMPTS):
        dispatch(fired, nowhere, moment)
        moment += timedelta(hours=2)
    [(state, attempts)] = states(fired)
    assert (state, attempts) == ("failed", MAX_ATTEMPTS)


def test_hourly_cap_postpones_without_losing(fired):
    for n in range(3):
        store.fire_alert(
            fired,
            {"rule_id": 1, "condition": f"story:{n + 2}", "title": f"t{n}", "detail": {}},
            ["desk"],
            iso(NOW),
        )
    with robot_server("dingtalk") as robot:
        tally = dispatch(fired, ding(robot.url), NOW, max_per_hour=2)
        assert (tally.delivered, tally.postponed) == (2, 2)
        dispatch(fired, ding(robot.url), NOW + timedelta(minutes=61), max_per_hour=2)
    assert len(robot.received) == 4
    assert {state for state, _ in states(fired)} == {"delivered"}


def test_unknown_target_is_failed_with_its_name(fired):
    tally = dispatch(fired, {}, NOW)
    [row] = fired.query("SELECT state, last_error FROM alert_deliveries")
    assert tally.failed == 1 and row["state"] == "failed" and "desk" in row["last_error"]
