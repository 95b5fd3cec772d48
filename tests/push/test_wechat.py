"""WeChat: decisions become comment management calls on a local server speaking the
documented API, with its documented errors ending as documented."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from moderation.sending import push_outbox
from moderation.storage import comments as comment_store
from moderation.storage import outbox
from tests.push.conftest import MSG_DATA_ID, setup_wechat


def rows(db, state=None):
    """Outbox rows, oldest first (of one state)."""
    if state:
        return list(db.query("SELECT * FROM outbox WHERE state = ? ORDER BY id", [state]))
    return list(db.query("SELECT * FROM outbox ORDER BY id"))


def test_approve_sends_markelect_with_the_comment_ids(wechat_setup, wechat):
    settings, db, ids = wechat_setup
    comment_store.decide(db, ids[(MSG_DATA_ID, 1, 2)], "approve", actor="mod")
    report = push_outbox.deliver(db, settings)
    assert report.total("done") == 1
    assert wechat.verbs() == [
        ("markelect", {"msg_data_id": MSG_DATA_ID, "index": 1, "user_comment_id": 2})
    ]
    assert wechat.comment(MSG_DATA_ID, 1, 2).elected
    [row] = rows(db, outbox.DONE)
    token, markelect, ending = outbox.sends(db, row["id"])
    assert (token["path"], token["status"], token["errcode"]) == ("/cgi-bin/stable_token", 200, 0)
    assert (markelect["path"], markelect["status"]) == ("/cgi-bin/comment/markelect", 200)
    assert markelect["outcome"] == outbox.ATTEMPT and markelect["duration_ms"] >= 0
    assert '"user_comment_id": 2' in ending["request"] and ending["answer"] == "errcode 0: ok"
    assert ending["outcome"] == outbox.DONE


def test_first_article_of_a_send_is_index_0_though_the_datacube_calls_it_1(wechat_setup, wechat):
    """The story of the send's first article is stored as the datacube names it,
    "<msg_data_id>_1"; the comment API counts index from 0, so its 精选 goes to index 0."""
    settings, db, ids = wechat_setup
    comment = ids[(MSG_DATA_ID, 0, 5)]
    story = db.execute(
        "SELECT s.native_id FROM comments c JOIN stories s ON s.id = c.story_id WHERE c.id = ?",
        [comment],
    ).fetchone()[0]
    assert story == f"{MSG_DATA_ID}_1"
    comment_store.decide(db, comment, "approve", actor="mod")
    assert push_outbox.deliver(db, settings).total("done") == 1
    assert wechat.verbs() == [
        ("markelect", {"msg_data_id": MSG_DATA_ID, "index": 0, "user_comment_id": 5})
    ]
    assert wechat.comment(MSG_DATA_ID, 0, 5).elected
    assert not wechat.comment(MSG_DATA_ID, 1, 2).elected


def test_reject_unfeatures_by_default_and_deletes_when_configured(tmp_path, wechat):
    settings, db, ids = setup_wechat(tmp_path, wechat.url)
    comment = ids[(MSG_DATA_ID, 0, 5)]
    comment_store.decide(db, comment, "approve", actor="mod")
    push_outbox.deliver(db, settings)
    comment_store.decide(db, comment, "reject", actor="mod")  # an undo: 精选 taken back
    push_outbox.deliver(db, settings)
    assert [verb for verb, _ in wechat.verbs()] == ["markelect", "unmarkelect"]
    assert not wechat.comment(MSG_DATA_ID, 0, 5).elected

    folder = tmp_path / "delete"
    folder.mkdir()
    settings, db, ids = setup_wechat(folder, wechat.url, extra='on_reject = "delete"')
    comment_store.decide(db, ids[(MSG_DATA_ID, 0, 6)], "reject", actor="mod")
    push_outbox.deliver(db, settings)
    assert wechat.verbs()[-1] == (
        "delete",
        {"msg_data_id": MSG_DATA_ID, "index": 0, "user_comment_id": 6},
    )
    assert wechat.comment(MSG_DATA_ID, 0, 6).deleted


def test_reopen_before_sending_cancels_the_feature(wechat_setup, wechat):
    settings, db, ids = wechat_setup
    comment = ids[(MSG_DATA_ID, 0, 7)]
    comment_store.decide(db, comment, "approve", actor="mod")
    comment_store.decide(db, comment, "reopen", actor="mod")
    assert push_outbox.deliver(db, settings).total("done") == 0
    assert wechat.verbs() == []
    assert [row["state"] for row in rows(db)] == [outbox.SUPERSEDED]


def test_push_off_queues_nothing(tmp_path, wechat):
    settings, db, ids = setup_wechat(tmp_path, wechat.url, push="off")
    comment_store.decide(db, ids[(MSG_DATA_ID, 0, 1)], "approve", actor="mod")
    assert rows(db) == []


def test_dry_run_sends_nothing_and_records_every_request(tmp_path, wechat):
    settings, db, ids = setup_wechat(tmp_path, wechat.url, push="dry_run")
    chosen = [ids[(MSG_DATA_ID, 0, n)] for n in (1, 2, 3)]
    comment_store.decide_many(db, chosen, "approve", actor="mod")
    first = push_outbox.deliver(db, settings)
    comment_store.decide(db, chosen[0], "reject", actor="mod")  # undo: the inverse is owed
    second = push_outbox.deliver(db, settings)
    assert wechat.calls == []
    assert first.total("dry_run") + second.total("dry_run") == 4
    recorded = [outbox.sends(db, row["id"])[0]["request"] for row in rows(db, outbox.DRY_RUN)]
    assert sum("comment/markelect" in request for request in recorded) == 3
    assert sum("comment/unmarkelect" in request for request in recorded) == 1


def test_timeout_after_the_server_applied_is_resent_harmlessly(wechat_setup, wechat):
    settings, db, ids = wechat_setup
    # Every try of the first pass is applied, then answered too late (read timeout).
    wechat.hang_after_apply = 3
    comment_store.decide(db, ids[(MSG_DATA_ID, 0, 9)], "approve", actor="mod")
    report = push_outbox.deliver(db, settings)
    assert report.total("deferred") == 1 and report.stopped == {}  # one row: the channel goes on
    [row] = rows(db, outbox.WAITING)
    assert "timed out" in row["note"] and "其他推送照常" in row["note"]
    later = datetime.now(UTC) + timedelta(hours=2)
    assert push_outbox.deliver(db, settings, now=later).total("done") == 1
    markelects = [verb for verb, _ in wechat.verbs() if verb == "markelect"]
    assert len(markelects) >= 2  # sent again...
    assert wechat.effects[("markelect", MSG_DATA_ID, 0, 9)] == 1  # ...applied once


def test_5xx_then_success(wechat_setup, wechat):
    settings, db, ids = wechat_setup
    wechat.fail_next = [502, 503]  # the HTTP layer retries within the call
    comment_store.decide(db, ids[(MSG_DATA_ID, 0, 10)], "approve", actor="mod")
    assert push_outbox.deliver(db, settings).total("done") == 1
    assert wechat.comment(MSG_DATA_ID, 0, 10).elected


def test_token_expiry_mid_batch_refreshes_and_goes_on(wechat_setup, wechat):
    settings, db, ids = wechat_setup
    wechat.expire_token_after = 3
    chosen = [ids[(MSG_DATA_ID, 0, n)] for n in range(11, 19)]
    comment_store.decide_many(db, chosen, "approve", actor="mod")
    assert push_outbox.deliver(db, settings).total("done") == 8
    assert wechat.token_calls == 2
    assert sum(wechat.effects.values()) == 8


def test_quota_stops_the_batch_and_it_resumes_later(wechat_setup, wechat):
    settings, db, ids = wechat_setup
    wechat.quota_after = 3
    chosen = [ids[(MSG_DATA_ID, 0, n)] for n in range(20, 30)]
    comment_store.decide_many(db, chosen, "approve", actor="mod")
    report = push_outbox.deliver(db, settings)
    assert report.total("done") == 3 and "45009" in report.stopped["wx"]
    calls_when_stopped = len(wechat.calls)
    assert push_outbox.deliver(db, settings).total("done") == 0  # not before the pause ends
    assert len(wechat.calls) == calls_when_stopped
    wechat.quota_after = None  # the next day
    later = datetime.now(UTC) + push_outbox.QUOTA_PAUSE + timedelta(minutes=1)
    assert push_outbox.deliver(db, settings, now=later).total("done") == 7
    assert all(wechat.comment(MSG_DATA_ID, 0, n).elected for n in range(20, 30))


@pytest.mark.parametrize(
    ("setup", "decision", "done", "note"),
    [
        ("limit", "approve", False, "上限"),  # 88003
        ("deleted_by_user", "approve", False, "读者已删除"),  # 88004: cannot feature
        ("deleted_by_user", "reject", True, "已不在渠道上"),  # 88004: removal done
        ("gone", "reject", True, "已不在渠道上"),  # 88008: removal done
        ("gone", "approve", False, "评论不存在"),  # 88008
    ],
)
def test_documented_errors_end_as_documented(tmp_path, wechat, setup, decision, done, note):
    settings, db, ids = setup_wechat(tmp_path, wechat.url, extra='on_reject = "delete"')
    target = wechat.comment(MSG_DATA_ID, 0, 40)
    if setup == "limit":
        wechat.elect_limit = 0
    elif setup == "deleted_by_user":
        target.deleted_by_user = True
    else:
        target.deleted = True
    comment_store.decide(db, ids[(MSG_DATA_ID, 0, 40)], decision, actor="mod")
    report = push_outbox.deliver(db, settings)
    assert report.stopped == {}
    [row] = rows(db)
    assert row["state"] == (outbox.DONE if done else outbox.FAILED)
    assert note in row["note"]
    assert push_outbox.deliver(db, settings, now=datetime.now(UTC) + timedelta(days=1)).counts == {}
    assert len(wechat.verbs()) == 1  # never retried


def test_bulk_approve_of_a_40_comment_group_sends_40_actions_none_twice(wechat_setup, wechat):
    settings, db, ids = wechat_setup
    group = [ids[(MSG_DATA_ID, 0, n)] for n in range(1, 41)]
    comment_store.decide_many(db, group, "approve", actor="mod")
    comment_store.decide_many(db, group, "approve", actor="mod")  # a double click
    assert push_outbox.deliver(db, settings).total("done") == 40
    sent = [body["user_comment_id"] for verb, body in wechat.verbs() if verb == "markelect"]
    assert sorted(sent) == list(range(1, 41))
    assert push_outbox.deliver(db, settings).counts == {}


def test_reopen_after_the_feature_was_sent_takes_it_back(wechat_setup, wechat):
    settings, db, ids = wechat_setup
    comment = ids[(MSG_DATA_ID, 0, 50)]
    comment_store.decide(db, comment, "approve", actor="mod")
    push_outbox.deliver(db, settings)
    comment_store.decide(db, comment, "reopen", actor="mod")
    comment_store.decide(db, comment, "reopen", actor="mod")  # twice: nothing more
    push_outbox.deliver(db, settings)
    assert [verb for verb, _ in wechat.verbs()] == ["markelect", "unmarkelect"]
    assert not wechat.comment(MSG_DATA_ID, 0, 50).elected
