"""Desk metrics against a fixed, hand-counted set of decisions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pytest

from moderation.desk_metrics import desk_metrics, percentiles
from moderation.storage import stories
from moderation.storage.metrics import period_of
from tests.web.conftest import add_comment

# Beijing 2024-01-22 is Monday (ISO week 4); 2024-01-29 starts week 5.
DECISIONS = [
    # (comment, actor, action, from, to, at UTC)
    (1, "王编辑", "approve", "pending", "approved", "2024-01-22T02:00:00+00:00"),  # Mon 10:00
    (2, "王编辑", "reject", "pending", "rejected", "2024-01-22T03:00:00+00:00"),
    (3, "李审核", "approve", "pending", "approved", "2024-01-22T17:00:00+00:00"),  # Tue 01:00
    (4, "system", "reject", "pending", "rejected", "2024-01-22T04:00:00+00:00"),
    (5, "rule:3", "approve", "pending", "approved", "2024-01-23T04:00:00+00:00"),
    (1, "李审核", "reject", "approved", "rejected", "2024-01-23T05:00:00+00:00"),  # a reversal
    (6, "王编辑", "approve", "pending", "approved", "2024-01-29T02:00:00+00:00"),  # week 5
    (6, "王编辑", "flag_editor", "approved", "approved", "2024-01-29T03:00:00+00:00"),
]


@pytest.fixture
def decided(db):
    """Six comments collected at 09:00 Beijing on 2024-01-22, decided as DECISIONS says."""
    stories.placeholder_story(db, "demo", "s")
    for n in range(1, 8):
        comment = add_comment(db, f"评论{n}")
        db.execute(
            "UPDATE comments SET collected_at = '2024-01-22T01:00:00+00:00' WHERE id = ?",
            [comment],
        )
    for comment, actor, action, before, after, at in DECISIONS:
        db.execute(
            "INSERT INTO decisions (comment_id, actor, action, from_state, to_state, at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [comment, actor, action, before, after, at],
        )
    db.execute("UPDATE comments SET status = 'approved' WHERE id IN (3, 5, 6)")
    db.execute("UPDATE comments SET status = 'rejected' WHERE id IN (1, 2, 4)")
    return db


def test_decisions_per_moderator_per_day_and_week(decided):
    days = desk_metrics(decided, date(2024, 1, 22), date(2024, 1, 29), "day").by_moderator
    assert [(r["period"], r["actor"], r["approve"], r["reject"]) for r in days] == [
        ("2024-01-22", "王编辑", 1, 1),
        ("2024-01-23", "李审核", 1, 1),  # 01:00 and 13:00 Beijing on Tuesday
        ("2024-01-29", "王编辑", 1, 0),  # flag_editor is not a decision
    ]
    weeks = desk_metrics(decided, date(2024, 1, 22), date(2024, 1, 29), "week").by_moderator
    assert [(r["period"], r["actor"], r["total"]) for r in weeks] == [
        ("2024-W04", "李审核", 2),
        ("2024-W04", "王编辑", 2),
        ("2024-W05", "王编辑", 1),
    ]


def test_rules_versus_people_and_corrections(decided):
    figures = desk_metrics(decided, date(2024, 1, 22), date(2024, 1, 29))
    assert figures.automatic == [
        {"period": "2024-W04", "automatic": 2, "people": 4, "share": round(2 / 6, 4)},
        {"period": "2024-W05", "automatic": 0, "people": 1, "share": 0.0},
    ]
    assert figures.corrections == [{"period": "2024-W04", "reversals": 1, "labels": 0}]


def test_decision_delay_counts_each_comment_once_from_collection(decided):
    delay = desk_metrics(decided, date(2024, 1, 22), date(2024, 1, 29)).decision_delay
    by_day = {row["day"]: row for row in delay}
    # Monday: comments 1, 2 and 4 first decided 1 h, 2 h and 3 h after collection
    assert by_day["2024-01-22"]["count"] == 3
    assert by_day["2024-01-22"]["p50_minutes"] == 120.0
    # comment 1's reversal on Tuesday is not a first decision
    assert by_day["2024-01-23"]["count"] == 2


def test_queue_age_reads_the_waiting_comments_each_hour(decided):
    now = datetime(2024, 1, 22, 16, 0, tzinfo=UTC)  # Tuesday 00:00 Beijing
    [monday] = desk_metrics(decided, date(2024, 1, 22), date(2024, 1, 22), now=now).queue_age
    # read on the hour: at 09:00 seven comments had just arrived; 10:00 six had waited an
    # hour (comment 1 decided at 10:00), 11:00 five two hours, 12:00 four three hours, and
    # from 13:00 to 23:00 four comments (3, 5, 6, 7) waited on
    ages = [0] * 7 + [60] * 6 + [120] * 5 + [180] * 4
    ages += [minutes for hour in range(13, 24) for minutes in [(hour - 9) * 60] * 4]
    assert [monday["p50_minutes"], monday["p95_minutes"]] == [
        round(value, 1) for value in np.percentile(ages, [50, 95])
    ]


def test_backlog_per_channel(decided):
    assert desk_metrics(decided, date(2024, 1, 22), date(2024, 1, 22)).backlog == [
        {"channel": "demo", "pending": 1, "oldest": "2024-01-22T01:00:00+00:00"}
    ]


@pytest.mark.parametrize(
    "day, period, label",
    [
        ("2024-01-22", "week", "2024-W04"),
        ("2024-12-30", "week", "2025-W01"),
        ("2024-01-22", "month", "2024-01"),
        ("2024-01-22", "day", "2024-01-22"),
    ],
)
def test_period_labels(day, period, label):
    assert period_of(day, period) == label


def test_percentiles_of_nothing_are_zero():
    assert percentiles([]) == [0.0, 0.0]
