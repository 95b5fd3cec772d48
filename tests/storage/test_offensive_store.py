"""Offensive corrections and the weekly correction counts of the overview."""

import pytest

from moderation.storage import corrections, stats, stories
from moderation.storage import offensive as offensive_store
from tests.web.conftest import add_comment


@pytest.fixture
def two_comments(db):
    """Two stored comments."""
    stories.placeholder_story(db, "demo", "story-1")
    return [add_comment(db, "城管都是土匪"), add_comment(db, "希望尽快整改")]


def test_correction_needs_a_comment_and_a_label(db, two_comments):
    with pytest.raises(ValueError, match="label must be 0 or 1"):
        offensive_store.add_correction(db, two_comments[0], 2, "mod")
    with pytest.raises(ValueError, match="no comment"):
        offensive_store.add_correction(db, 9999, 1, "mod")
    offensive_store.add_correction(db, two_comments[0], 1, "mod")
    assert [row["label"] for row in offensive_store.corrections_for(db, two_comments[0])] == [1]


def test_corrections_are_counted_per_beijing_week(db, two_comments):
    first, second = two_comments
    offensive_store.add_correction(db, first, 1, "mod")
    offensive_store.add_correction(db, second, 0, "mod")
    corrections.add_correction(db, first, 0, "mod")
    # Sunday 2024-01-21 17:00 UTC is Monday 01:00 in Beijing: the week of 2024-01-22.
    db.execute("UPDATE offensive_corrections SET at = '2024-01-21T17:00:00+00:00' WHERE id = 1")
    db.execute("UPDATE offensive_corrections SET at = '2024-01-21T15:00:00+00:00' WHERE id = 2")
    db.execute("UPDATE sentiment_corrections SET at = '2024-01-24T09:00:00+00:00'")
    assert stats.corrections_per_week(db) == [
        {"week": "2024-01-15", "kind": "offensive", "corrections": 1},
        {"week": "2024-01-22", "kind": "offensive", "corrections": 1},
        {"week": "2024-01-22", "kind": "sentiment", "corrections": 1},
    ]
    assert [row["week"] for row in stats.corrections_per_week(db, weeks=1)] == [
        "2024-01-22",
        "2024-01-22",
    ]
