"""Comment switches: a story closed on every article in one action, 一键关闭 and its undo,
and the scheduled closings (23:00 / 07:00, N days after publication)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from moderation.push.actions import parse_clock
from moderation.sending import push_outbox
from moderation.storage import stories as story_store
from moderation.storage import switches
from tests.push.conftest import MSG_DATA_ID, setup_wechat


def story_ids(db) -> list[int]:
    """The stored WeChat articles, in id order."""
    return [row["id"] for row in db.query("SELECT id FROM stories ORDER BY id")]


def test_story_close_closes_every_article_of_the_story(wechat_setup, wechat):
    settings, db, _ids = wechat_setup
    first, second = story_ids(db)
    story_store.link_story(db, second, first, actor="编辑")  # two articles, one story
    assert switches.switch_story(db, first, switches.CLOSE, actor="编辑") == 2
    assert push_outbox.deliver(db, settings).total("done") == 2
    assert sorted(wechat.verbs(), key=lambda call: call[1]["index"]) == [
        ("close", {"msg_data_id": MSG_DATA_ID, "index": 0}),
        ("close", {"msg_data_id": MSG_DATA_ID, "index": 1}),
    ]
    assert not any(article["open"] for article in wechat.articles.values())
    assert switches.is_closed(db, second)
    switches.switch_story(db, second, switches.OPEN, actor="编辑")
    push_outbox.deliver(db, settings)
    assert all(article["open"] for article in wechat.articles.values())


def test_emergency_close_all_is_reversible(wechat_setup, wechat):
    settings, db, _ids = wechat_setup
    first, second = story_ids(db)
    switches.switch_story(db, second, switches.CLOSE, actor="编辑")  # closed before
    batch, closed = switches.close_all(db, actor="管理员")
    assert closed == 1 and switches.emergency_active(db)["stories"] == 1
    push_outbox.deliver(db, settings)
    assert not any(article["open"] for article in wechat.articles.values())
    assert switches.reopen_all(db, actor="管理员") == 1
    push_outbox.deliver(db, settings)
    assert wechat.articles[(MSG_DATA_ID, 0)]["open"]
    assert not wechat.articles[(MSG_DATA_ID, 1)]["open"]  # closed by hand: stays closed
    assert switches.emergency_active(db) is None and batch.startswith("emergency:")


@pytest.mark.parametrize(
    ("beijing", "inside", "night"),
    [
        ("2026-11-30 23:30", True, "2026-11-30"),
        ("2026-12-01 06:59", True, "2026-11-30"),
        ("2026-12-01 07:00", False, "2026-11-30"),
        ("2026-12-01 22:59", False, "2026-11-30"),
    ],
)
def test_night_window_spans_midnight(beijing, inside, night):
    from moderation.timeutil import BEIJING

    moment = datetime.strptime(beijing, "%Y-%m-%d %H:%M").replace(tzinfo=BEIJING)
    assert switches.night_window(moment, (23, 0), (7, 0)) == (inside, night)


def at(beijing: str) -> datetime:
    """A Beijing wall-clock time as an aware datetime."""
    from moderation.timeutil import BEIJING

    return datetime.strptime(beijing, "%Y-%m-%d %H:%M").replace(tzinfo=BEIJING).astimezone(UTC)


def test_scheduled_close_at_23_and_reopen_at_07_once_each(tmp_path, wechat):
    extra = 'close_at = "23:00"\nreopen_at = "07:00"\n'
    settings, db, _ids = setup_wechat(tmp_path, wechat.url, extra=extra)
    db.execute("UPDATE stories SET published_at = ?", ["2026-11-30T08:00:00+08:00"])
    assert switches.queue_scheduled(db, at("2026-11-30 22:59")) == 0
    assert switches.queue_scheduled(db, at("2026-11-30 23:00")) == 2
    assert switches.queue_scheduled(db, at("2026-11-30 23:01")) == 0  # nothing twice
    push_outbox.deliver(db, settings)
    assert not any(article["open"] for article in wechat.articles.values())
    assert switches.queue_scheduled(db, at("2026-12-01 07:00")) == 2
    assert switches.queue_scheduled(db, at("2026-12-01 07:05")) == 0
    push_outbox.deliver(db, settings)
    assert all(article["open"] for article in wechat.articles.values())


def test_close_n_days_after_publication(tmp_path, wechat):
    settings, db, _ids = setup_wechat(tmp_path, wechat.url, extra="close_after_days = 3")
    first, second = story_ids(db)
    db.execute(
        "UPDATE stories SET published_at = ? WHERE id = ?", ["2026-11-20T08:00:00+08:00", first]
    )
    db.execute(
        "UPDATE stories SET published_at = ? WHERE id = ?", ["2026-11-29T08:00:00+08:00", second]
    )
    assert switches.queue_scheduled(db, at("2026-11-30 12:00")) == 1
    assert switches.queue_scheduled(db, at("2026-11-30 12:01")) == 0
    push_outbox.deliver(db, settings)
    assert wechat.verbs() == [("close", {"msg_data_id": MSG_DATA_ID, "index": 0})]


@pytest.mark.parametrize("text", ["23:00", "7:05"])
def test_a_time_of_day_is_read(text):
    hours, minutes = text.split(":")
    assert parse_clock(text) == (int(hours), int(minutes))


@pytest.mark.parametrize("text", ["24:00", "23:60", "23:0", "²3:00", "２３:００", "23", "下午3点"])
def test_what_is_not_a_time_of_day_is_refused_not_raised(text):
    assert parse_clock(text) is None
