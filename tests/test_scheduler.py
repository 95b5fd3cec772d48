"""Scheduled collection: backoff, the lease, the job runner, and the real scheduler against a
local channel server."""

from __future__ import annotations

from contextlib import closing
from datetime import UTC, datetime, timedelta

import pytest

from moderation.db import connect
from moderation.scheduling import backoff
from moderation.scheduling.runner import Runner
from moderation.scheduling.service import trigger_for
from moderation.storage import channels as channel_store
from moderation.storage import leases
from moderation.timeutil import iso, local_time
from tests.scheduling_channel import ChannelServer, register
from tests.scheduling_helpers import (
    assert_no_overlap,
    fast_settings,
    query,
    running_scheduler,
    runs,
    wait_for,
)


@pytest.fixture
def testhttp(monkeypatch):
    """Register the test-only `testhttp` channel type for this test."""
    from moderation import collectors

    monkeypatch.setattr(collectors, "REGISTRY", dict(collectors.REGISTRY))
    register(collectors.REGISTRY)


def feeds(server: ChannelServer, schedules: dict[str, str], **keys) -> dict[str, dict]:
    """testhttp channel tables for feeds of `server`, by name and schedule."""
    return {
        name: {"type": "testhttp", "schedule": schedule, "url": server.url(name), **keys}
        for name, schedule in schedules.items()
    }


def comment_count(settings, channel: str) -> int:
    """How many comments of a channel are stored."""
    return query(settings, "SELECT COUNT(*) AS n FROM comments WHERE channel = ?", [channel])[0][
        "n"
    ]


def channel_state(settings, name: str) -> dict:
    """A channel's state row."""
    with closing(connect(settings.database_path, migrate=False)) as db:
        return channel_store.get_channel(db, name)


@pytest.mark.parametrize("failures, expected", [(0, 0), (1, 2), (2, 4), (3, 8), (6, 50), (100, 50)])
def test_backoff_delay_doubles_and_is_capped(failures, expected):
    assert backoff.delay_seconds(failures, base=2, cap=50) == expected


@pytest.mark.parametrize("schedule", ["1s", "5m", "*/10 6-23 * * *"])
def test_trigger_for_interval_and_cron(schedule):
    trigger = trigger_for(schedule, jitter=3)
    assert trigger.jitter == 3
    now = datetime.now(UTC)
    assert trigger.get_next_fire_time(None, now) >= now - timedelta(seconds=3)


def in_the_past(seconds: float) -> str:
    """An ISO-8601 UTC time `seconds` ago, as the scheduler's tables store times."""
    return iso(datetime.now(UTC) - timedelta(seconds=seconds), "milliseconds")


def lease_runs_out(db, name: str) -> None:
    """Turn the lease's clock forward: taken a while ago, expired since (no sleeping)."""
    db.execute(
        "UPDATE scheduler_lease SET acquired_at = ?, expires_at = ? WHERE name = ?",
        [in_the_past(60), in_the_past(1), name],
    )


def backoff_ends(settings, name: str) -> None:
    """Turn a channel's backoff clock forward: its wait is over (no sleeping)."""
    with closing(connect(settings.database_path, migrate=False)) as db:
        db.execute("UPDATE channels SET backoff_until = ? WHERE name = ?", [in_the_past(1), name])


def test_lease_is_exclusive_renewable_and_expires(db):
    assert leases.acquire(db, "scheduler", "a", 30)
    assert not leases.acquire(db, "scheduler", "b", 30)
    assert leases.acquire(db, "scheduler", "a", 30)  # renewal
    lease_runs_out(db, "scheduler")  # a never renews again: as if it crashed
    acquired = leases.get(db, "scheduler")["acquired_at"]
    assert not leases.get(db, "scheduler")["active"]
    assert leases.acquire(db, "scheduler", "b", 30)
    lease = leases.get(db, "scheduler")
    assert lease["holder"] == "b" and lease["active"] and lease["acquired_at"] > acquired
    assert not leases.acquire(db, "scheduler", "a", 30)
    assert not leases.release(db, "scheduler", "a")  # only the holder may release
    assert leases.release(db, "scheduler", "b")
    assert leases.acquire(db, "scheduler", "a", 30)  # released: taken at once


def test_runner_without_lease_collects_nothing(tmp_path, channel_server, testhttp):
    channel_server.feed("a", comments=3)
    settings = fast_settings(tmp_path, feeds(channel_server, {"a": "1h"}), lease=30)
    with closing(connect(settings.database_path)) as db:
        leases.acquire(db, "scheduler", "someone-else", 30)
    runner = Runner(settings)
    assert runner.collect("a") is None
    assert runs(settings, "a") == [] and channel_server.feeds["a"].requests == []


def test_runner_scores_one_batch_per_collection(tmp_path, channel_server, testhttp):
    channel_server.feed("a", comments=12)
    settings = fast_settings(tmp_path, feeds(channel_server, {"a": "1h"}))  # batch_size 5
    runner = Runner(settings)
    summary = runner.collect("a")
    assert summary.status == "ok" and summary.new == 12
    assert query(settings, "SELECT COUNT(*) AS n FROM scores")[0]["n"] == 5
    assert runner.score_backlog() == 7
    assert query(settings, "SELECT COUNT(*) AS n FROM scores")[0]["n"] == 12


def test_scoring_job_rescores_pending_comments_after_a_word_is_added(
    tmp_path, channel_server, testhttp
):
    from moderation.storage import wordlists

    channel_server.feed("a", comments=12)
    settings = fast_settings(tmp_path, feeds(channel_server, {"a": "1h"}))  # batch_size 5
    runner = Runner(settings)
    runner.collect("a")
    runner.score_backlog()
    flagged = "SELECT COUNT(*) AS n FROM scores WHERE flag_codes LIKE '%suspect%'"
    assert query(settings, flagged)[0]["n"] == 0
    with closing(connect(settings.database_path)) as db:
        wordlists.add_word(db, "suspect", "评论", "admin")  # every fake comment has it
    counts = []
    for _ in range(3):
        runner.score_backlog()  # one batch of pending comments a pass, newest first
        counts.append(query(settings, flagged)[0]["n"])
    assert counts == [5, 10, 12]


def test_unscored_comment_shows_in_queue_as_unscored(tmp_path, channel_server, testhttp):
    from moderation import create_app

    channel_server.feed("a", comments=7)
    settings = fast_settings(tmp_path, feeds(channel_server, {"a": "1h"}))
    Runner(settings).collect("a")  # scores one batch of 5, leaves 2
    app = create_app(settings, TESTING=True, WTF_CSRF_ENABLED=False, SECRET_KEY="test")
    client = app.test_client()
    _login(client, settings, "moderator")
    page = client.get("/").get_data(as_text=True)
    assert page.count('<span class="unscored">未评分</span>') == 2  # sentiment not yet scored
    assert page.count("冒犯未评分") == 2  # nor the offensive score
    assert "第6条评论" in page  # listed all the same


def test_runner_backs_off_exponentially_and_recovers(tmp_path, channel_server, testhttp):
    feed = channel_server.feed("a", comments=3, fail=True)
    settings = fast_settings(tmp_path, feeds(channel_server, {"a": "1h"}), backoff=20)
    runner = Runner(settings)
    assert runner.collect("a").status == "failed"
    first = channel_state(settings, "a")
    assert first["failures"] == 1 and "HTTP 500" in first["last_error"]
    assert runner.collect("a") is None  # still backing off: not run at all
    assert len(runs(settings, "a")) == 1
    backoff_ends(settings, "a")
    assert runner.collect("a").status == "failed"
    second = channel_state(settings, "a")
    assert second["failures"] == 2
    delay = datetime.fromisoformat(second["backoff_until"]) - datetime.now(UTC)
    assert timedelta(seconds=20) < delay <= timedelta(seconds=40)  # doubled: 40 s
    assert runner.collect("a") is None
    feed.fail = False
    backoff_ends(settings, "a")
    assert runner.collect("a").status == "ok"
    recovered = channel_state(settings, "a")
    assert (recovered["failures"], recovered["backoff_until"], recovered["last_error"]) == (
        0,
        None,
        None,
    )


def test_paused_channel_is_skipped_but_run_now_runs_it(tmp_path, channel_server, testhttp):
    channel_server.feed("a", comments=3)
    settings = fast_settings(tmp_path, feeds(channel_server, {"a": "1h"}))
    with closing(connect(settings.database_path)) as db:
        channel_store.ensure_channel(db, "a", "testhttp")
        channel_store.set_paused(db, "a", True)
    runner = Runner(settings)
    assert runner.collect("a") is None
    assert runs(settings, "a") == []
    with closing(connect(settings.database_path)) as db:
        channel_store.request_run(db, "a")
    summary = runner.collect("a")
    assert summary.status == "ok"
    assert [run["trigger"] for run in runs(settings, "a")] == ["request"]
    assert channel_state(settings, "a")["paused"] == 1  # still paused for the schedule


def test_scheduler_collects_on_schedule(tmp_path, channel_server, testhttp):
    channel_server.feed("a", comments=12)
    channel_server.feed("b", comments=4)
    settings = fast_settings(tmp_path, feeds(channel_server, {"a": "1s", "b": "1s"}))
    with running_scheduler(settings) as service:
        wait_for(lambda: len(runs(settings, "a", "ok")) >= 2 and len(runs(settings, "b", "ok")))
        channel_server.feeds["a"].add(5, prefix="late-")  # new comments between runs
        wait_for(lambda: comment_count(settings, "a") == 17)
        wait_for(lambda: len(runs(settings, "b", "ok")) >= 3)
        holder = service.runner.holder
    assert comment_count(settings, "b") == 4
    assert {run["holder"] for run in runs(settings, "a") + runs(settings, "b")} == {holder}
    assert channel_state(settings, "a")["next_run_at"] is not None
    with closing(connect(settings.database_path, migrate=False)) as db:
        lease = leases.get(db, "scheduler")
    assert lease["holder"] == holder and not lease["active"]  # released on shutdown


def test_slow_channel_runs_never_overlap(tmp_path, channel_server, testhttp):
    slow = channel_server.feed("slow", comments=3, delay=1.5)  # slower than its 1s interval
    settings = fast_settings(tmp_path, feeds(channel_server, {"slow": "1s"}))
    with running_scheduler(settings):
        wait_for(lambda: len(slow.requests) >= 4)
    assert slow.max_active == 1
    served = sorted(slow.requests)
    for before, after in zip(served, served[1:], strict=False):
        assert after[0] >= before[1]  # each request began after the previous one ended
    assert_no_overlap(runs(settings, "slow"))
    assert comment_count(settings, "slow") == 3


def test_failing_channel_backs_off_while_other_keeps_collecting(tmp_path, channel_server, testhttp):
    from moderation import create_app

    channel_server.feed("good", comments=4)
    bad = channel_server.feed("bad", fail=True)
    # a long first backoff, so the page below still sees it however slow this machine is
    settings = fast_settings(
        tmp_path, feeds(channel_server, {"good": "1s", "bad": "1s"}), backoff=120
    )
    with running_scheduler(settings):
        wait_for(lambda: len(runs(settings, "good", "ok")) >= 5 and bad.requests)
        app = create_app(settings, TESTING=True, WTF_CSRF_ENABLED=False, SECRET_KEY="test")
        client = app.test_client()
        _login(client, settings, "moderator")
        page = client.get("/channels").get_data(as_text=True)
        # Judged while the scheduler still runs: a run in flight at the shutdown below is
        # stopped after its page and ends `partial` (resumed next time), which is no fault.
        good_runs = [run for run in runs(settings, "good") if run["status"] != "running"]
    bad_runs = runs(settings, "bad")
    assert [run["status"] for run in bad_runs] == ["failed"]  # not retried while backing off
    assert all(run["status"] == "ok" for run in good_runs) and len(good_runs) >= 5
    state = channel_state(settings, "bad")
    assert state["failures"] == 1
    until = local_time(state["backoff_until"])  # the one Beijing format of every page
    assert f"退避至 {until}（第1次失败）" in page
    assert "HTTP 500" in page


def test_run_now_button_reaches_the_scheduler(tmp_path, channel_server, testhttp):
    from moderation import create_app

    channel_server.feed("a", comments=3)
    settings = fast_settings(tmp_path, feeds(channel_server, {"a": "1h"}))
    app = create_app(settings, TESTING=True, WTF_CSRF_ENABLED=False, SECRET_KEY="test")
    client = app.test_client()
    _login(client, settings, "admin")
    with running_scheduler(settings):
        wait_for(lambda: runs(settings, "a", "ok"))  # the run at start
        channel_server.feeds["a"].add(2, prefix="more-")
        response = client.post("/channels/a/run")
        assert response.status_code == 302
        wait_for(lambda: [r for r in runs(settings, "a", "ok") if r["trigger"] == "request"])
    assert comment_count(settings, "a") == 5
    assert channel_state(settings, "a")["run_requested_at"] is None


def _login(client, settings, role: str) -> None:
    from tests.helpers import Auth

    with closing(connect(settings.database_path)) as db:
        Auth(client, db).login(role)


def test_retention_job_purges_old_raw_payloads(settings, db):
    from moderation.scheduling.runner import Runner
    from tests.test_operations import one_old_one_new_payload

    one_old_one_new_payload(db)
    runner = Runner(settings)
    assert runner.purge_raw_payloads() == 0  # no lease, no work
    assert runner.renew_lease()
    assert runner.purge_raw_payloads() == 1
    assert db.table("raw_payloads").count == 1
    runner.release_lease()


def test_cron_schedules_follow_beijing_time():
    trigger = trigger_for("0 6 * * *", jitter=0)
    fire = trigger.get_next_fire_time(None, datetime(2024, 1, 22, 0, 0, tzinfo=UTC))
    assert fire.astimezone(UTC).hour == 22  # 06:00 in Zhuzhou is 22:00 UTC the day before
