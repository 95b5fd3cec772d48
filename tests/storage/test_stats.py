"""The overview's figures: Beijing days everywhere, and the same moderation decisions as
/metrics (issue 27 item 8)."""

from __future__ import annotations

import pytest

from moderation.storage import metrics, stats
from tests.web.conftest import add_comment, add_score

# 07:00 in Beijing on 2024-01-23 is 23:00 UTC on 2024-01-22.
SEVEN_IN_BEIJING = "2024-01-22T23:00:00+00:00"


@pytest.fixture
def story(db):
    db.execute(
        "INSERT INTO stories (id, channel, native_id, title, collected_at) "
        "VALUES (1, 'demo', 's1', '株洲新闻', '2024-01-22T00:00:00+00:00')"
    )


def log(db, comment_id, actor, action, at, from_state="pending", to_state="approved"):
    """A decision-log row as it was written at `at`."""
    db.execute(
        "INSERT INTO decisions (comment_id, actor, action, from_state, to_state, at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [comment_id, actor, action, from_state, to_state, at],
    )


def test_a_comment_at_seven_in_beijing_counts_on_that_beijing_day(db, story):
    comment_id = add_comment(db, "早上七点的评论", created_at=SEVEN_IN_BEIJING)
    db.execute("UPDATE comments SET collected_at = ? WHERE id = ?", [SEVEN_IN_BEIJING, comment_id])
    add_score(db, comment_id, sentiment=0.1)
    log(db, comment_id, "王编辑", "approve", SEVEN_IN_BEIJING)
    assert [r["day"] for r in stats.comments_per_channel_day(db)] == ["2024-01-23"]
    assert [r["day"] for r in stats.sentiment_per_day(db)] == ["2024-01-23"]
    assert [r["day"] for r in stats.decisions_per_moderator_day(db)] == ["2024-01-23"]
    # collected and decided the same Beijing day: the queue is empty at its end
    assert stats.queue_size_per_day(db) == [{"day": "2024-01-23", "pending": 0}]


def test_a_correction_at_seven_in_beijing_counts_in_that_beijing_week(db, story):
    comment_id = add_comment(db, "周一早上的评论")
    # Monday 2024-01-22 07:00 Beijing is Sunday 23:00 UTC: the week starting that Monday.
    db.execute(
        "INSERT INTO sentiment_corrections (comment_id, label, actor, at) VALUES (?, 1, 'mod', ?)",
        [comment_id, "2024-01-21T23:00:00+00:00"],
    )
    assert [r["week"] for r in stats.corrections_per_week(db)] == ["2024-01-22"]


def test_overview_and_metrics_count_the_same_moderation_decisions(db, story):
    ids = [add_comment(db, f"评论{n}") for n in range(4)]
    at = "2024-01-23T02:00:00+00:00"
    log(db, ids[0], "王编辑", "approve", at)
    log(db, ids[1], "王编辑", "reject", at, to_state="rejected")
    log(db, ids[1], "王编辑", "reopen", at, from_state="rejected", to_state="pending")
    log(db, ids[2], "rule:1", "reject", at, to_state="rejected")
    log(db, ids[3], "mode:post", "approve", at)
    for action in ("select", "draft_accept", "sign_off", "print"):  # editors' column work
        log(db, ids[0], "李主编", action, at, from_state="approved")
    overview = {r["actor"]: r["decisions"] for r in stats.decisions_per_moderator_day(db)}
    measured = metrics.decisions_by_moderator(db, "2024-01-23", "2024-01-24")
    assert overview == {"王编辑": 2}
    assert overview == {r["actor"]: r["total"] for r in measured}
