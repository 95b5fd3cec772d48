"""Alert evaluation over a real database: spikes fire once, clear, and fire again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from moderation.sending.alert_evaluation import evaluate
from moderation.storage import alerts as store
from moderation.storage import stories
from moderation.timeutil import iso
from tests.web.conftest import add_comment, add_score

START = datetime(2024, 1, 23, 15, 0, tzinfo=UTC)  # 23:00 Beijing time


@pytest.fixture
def newsroom(db):
    """Two stories with a calm week of comments behind them, and a negative-spike rule."""
    loud = stories.placeholder_story(db, "demo", "story-loud")
    quiet = stories.placeholder_story(db, "demo", "story-quiet")
    for day in range(1, 8):
        for n in range(10):  # one in ten negative, as usual
            moment = START - timedelta(days=day, minutes=n * 7)
            for story in (loud, quiet):
                comment = add_comment(
                    db, f"平常的评论{day}-{n}", story_id=story, created_at=iso(moment)
                )
                add_score(db, comment, sentiment=0.1 if n == 0 else 0.8)
    store.save_rule(
        db,
        {
            "name": "负面激增",
            "kind": "negative_spike",
            "targets": ["desk"],
            "params": {"window_minutes": 30, "min_count": 8},
        },
        "admin",
    )
    return db, loud, quiet


def flood(db, story_id, at, count, negative=True):
    """`count` comments on a story in the ten minutes before `at`."""
    for n in range(count):
        moment = at - timedelta(minutes=10) + timedelta(seconds=n * 5)
        comment = add_comment(
            db, f"太气人了{n}", story_id=story_id, author=f"读者{n}", created_at=iso(moment)
        )
        add_score(db, comment, sentiment=0.05 if negative else 0.9)


def test_flood_fires_one_alert_clears_and_fires_again(newsroom):
    db, loud, quiet = newsroom
    flood(db, loud, START, 15)
    for n in range(3):  # the quiet story: three negative comments, under the minimum
        comment = add_comment(
            db, f"不满意{n}", story_id=quiet, created_at=iso(START - timedelta(minutes=n))
        )
        add_score(db, comment, sentiment=0.05)

    first = evaluate(db, START)
    assert len(first.fired) == 1
    [alert] = store.recent_alerts(db)
    assert alert["story_id"] == loud and alert["cleared_at"] is None
    assert alert["link"] == f"/stories/{loud}"
    assert alert["detail"]["count"] == 15
    assert [d["target"] for d in alert["deliveries"]] == ["desk"]

    again = evaluate(db, START + timedelta(minutes=5))  # still flooding: no new alert
    assert again.fired == [] and again.kept == 1

    calm = evaluate(db, START + timedelta(minutes=45))  # the window has moved past it
    assert calm.cleared == 0 and calm.fired == [] and calm.kept == 1  # quiet, not yet over
    ended = evaluate(db, START + timedelta(minutes=105))  # an hour quiet: one 解除
    assert ended.cleared == 1 and ended.fired == []

    flood(db, loud, START + timedelta(hours=2), 12)
    second = evaluate(db, START + timedelta(hours=2))
    assert len(second.fired) == 1
    alerts = store.recent_alerts(db)
    assert [a["story_id"] for a in alerts] == [loud, loud]
    assert alerts[1]["cleared_at"] is not None and alerts[0]["cleared_at"] is None


def test_quiet_story_with_three_negative_comments_fires_nothing(newsroom):
    db, _, quiet = newsroom
    for n in range(3):
        comment = add_comment(
            db, f"不满意{n}", story_id=quiet, created_at=iso(START - timedelta(minutes=n))
        )
        add_score(db, comment, sentiment=0.05)
    assert evaluate(db, START).fired == []


def test_a_story_always_this_negative_is_no_spike(db):
    story = stories.placeholder_story(db, "demo", "always-angry")
    for day in range(0, 8):  # every day, half the comments are negative
        for n in range(20):
            moment = START - timedelta(days=day, minutes=n)
            comment = add_comment(db, f"评论{day}-{n}", story_id=story, created_at=iso(moment))
            add_score(db, comment, sentiment=0.05 if n % 2 else 0.8)
    store.save_rule(
        db, {"name": "负面", "kind": "negative_spike", "params": {"min_rate": 0.3}}, "a"
    )
    assert evaluate(db, START + timedelta(seconds=1)).fired == []


def test_keyword_subscription_sees_through_separators(db):
    story = stories.placeholder_story(db, "demo", "bridge")
    comment = add_comment(
        db,
        "桥下昨晚出了事-故，有人受伤",
        story_id=story,
        created_at=iso(START - timedelta(minutes=3)),
    )
    add_score(db, comment)
    add_comment(db, "没事，一切正常", story_id=story, created_at=iso(START - timedelta(minutes=2)))
    store.save_rule(db, {"name": "事故", "kind": "keyword", "params": {"words": ["事故"]}}, "a")
    result = evaluate(db, START)
    [alert] = store.recent_alerts(db)
    assert result.fired == [alert["id"]]
    [found] = alert["detail"]["conditions"]
    assert found["comment_ids"] == [comment] and "事故" in alert["title"]


def test_queue_age_fires_only_during_desk_hours(db):
    stories.placeholder_story(db, "demo", "s")
    waiting = add_comment(db, "等了很久的评论", created_at=iso(START - timedelta(days=300)))
    collected = iso(START - timedelta(hours=5))  # posted long ago, collected five hours ago
    db.execute("UPDATE comments SET collected_at = ? WHERE id = ?", [collected, waiting])
    store.save_rule(
        db,
        {
            "name": "积压",
            "kind": "queue_age",
            "params": {"minutes": 180, "from_hour": 8, "to_hour": 22},
        },
        "a",
    )
    assert evaluate(db, START).fired == []  # 23:00 Beijing: outside the desk's hours
    assert len(evaluate(db, START + timedelta(hours=10)).fired) == 1  # 09:00 next morning
    [alert] = store.recent_alerts(db)
    assert alert["title"] == "待审评论已等待 15 小时 0 分钟"  # since collection, not posting
    assert "采集于 01-23 18:00" in alert["detail"]["lines"][0]  # the year only when not this one


def test_rule_fires_at_most_its_hourly_budget(db):
    for n in range(5):
        story = stories.placeholder_story(db, "demo", f"s{n}")
        add_comment(db, "出事故了", story_id=story, created_at=iso(START - timedelta(minutes=1)))
    rule = {"name": "事故", "kind": "keyword", "params": {"words": ["事故"], "window_minutes": 180}}
    store.save_rule(db, rule, "a")
    assert len(evaluate(db, START, max_per_hour=3).fired) == 3
    assert len(evaluate(db, START + timedelta(minutes=1), max_per_hour=3).fired) == 0
    # an hour later the budget is back: the two stories held back fire now, the three
    # already open stay open
    later = evaluate(db, START + timedelta(minutes=61), max_per_hour=3)
    assert len(later.fired) == 2 and later.kept == 3


def outbox_row(db, key: str, state: str, created: datetime, finished: datetime | None = None):
    """One outbox row of the wechat channel, as the sender leaves it."""
    db.table("outbox").insert(
        {
            "key": key,
            "channel": "wechat-zzrb",
            "action": "feature",
            "mode": "on",
            "state": state,
            "next_at": iso(created),
            "created_at": iso(created),
            "finished_at": iso(finished) if finished else None,
            "note": "88000 没有留言权限",
        }
    )


def test_outbox_failing_fires_on_failures_and_on_a_stuck_backlog(db):
    store.save_rule(db, {"name": "推送", "kind": "outbox_failing"}, "a")
    outbox_row(db, "ok", "done", START - timedelta(minutes=5), START - timedelta(minutes=4))
    outbox_row(db, "new", "pending", START - timedelta(minutes=5))
    assert evaluate(db, START).fired == []  # a fresh backlog is no trouble
    outbox_row(db, "bad", "failed", START - timedelta(minutes=3), START - timedelta(minutes=2))
    [alert_id] = evaluate(db, START).fired
    [alert] = store.recent_alerts(db)
    assert alert["id"] == alert_id and "88000" in alert["detail"]["lines"][0]
    # an hour later the failure is old news, but the pending row has waited too long
    later = evaluate(db, START + timedelta(minutes=61))
    assert later.fired == [] and later.kept == 1
    db.execute("UPDATE outbox SET state = 'done' WHERE key = 'new'")
    assert evaluate(db, START + timedelta(minutes=62)).cleared == 0  # quiet from now
    assert evaluate(db, START + timedelta(minutes=123)).cleared == 1
