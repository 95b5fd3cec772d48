"""The scheduler's push job really fires: a decision reaches WeChat without anyone
running `moderation push`."""

from __future__ import annotations

from moderation.scheduling import service as scheduler_module
from moderation.storage import comments as comment_store
from tests.push.conftest import MSG_DATA_ID, setup_wechat
from tests.scheduling_helpers import running_scheduler, wait_for


def test_scheduler_push_job_delivers_a_decision(tmp_path, wechat, monkeypatch):
    monkeypatch.setattr(scheduler_module, "PUSH_EVERY_SECONDS", 0.2)
    extra = 'schedule = "0 3 1 1 *"\n'  # push only: no collection runs in this test
    settings, db, ids = setup_wechat(tmp_path, wechat.url, extra=extra)
    comment_store.decide(db, ids[(MSG_DATA_ID, 0, 8)], "approve", actor="mod")
    with running_scheduler(settings):
        wait_for(lambda: wechat.comment(MSG_DATA_ID, 0, 8).elected, timeout=60)
        wait_for(lambda: db.execute("SELECT state FROM outbox").fetchone()[0] == "done")
    assert [verb for verb, _ in wechat.verbs()] == ["markelect"]
