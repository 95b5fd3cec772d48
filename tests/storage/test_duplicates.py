"""Duplicate groups stored a batch at a time: any batch size groups like the in-memory rule."""

import random

import pytest

from moderation import pipeline
from moderation.collectors.base import CollectedComment
from moderation.collectors.demo import load_sample
from moderation.db import connect
from moderation.migrations import apply_migrations
from moderation.scoring.groups import duplicate_groups
from moderation.storage import comments as comment_store
from moderation.storage import duplicates


def corpus() -> list[str]:
    """The demo's comments plus one-character edits, reworded twins and short repeats."""
    texts = [comment["text"] for comment in load_sample()["comments"]]
    rng = random.Random(7)
    variants = []
    for text in texts[:80]:
        middle = len(text) // 2
        variants.append(text[:middle] + "啊" + text[middle + 1 :])  # replaced
        variants.append(text[:middle] + "呀" + text[middle:])  # inserted
        variants.append(text + "！！")  # punctuation only: the same normalised text
    variants += ["点赞", "点赞", "支持", "好"]
    texts += variants
    rng.shuffle(texts)
    return texts


def store(db, texts: list[str], prefix: str = "") -> list[tuple[int, str]]:
    """Store the texts as comments of one story; return (id, text) of all, in id order."""
    comment_store.save_comments(
        db,
        "web",
        [
            CollectedComment(
                native_id=f"{prefix}{number}",
                story_native_id="s1",
                text=text,
                created_at=f"2024-01-{1 + number % 28:02d}T08:00:00+08:00",
                author_key=f"a{number % 5}",
            )
            for number, text in enumerate(texts)
        ],
        {},
    )
    return [(row[0], row[1]) for row in db.execute("SELECT id, text FROM comments ORDER BY id")]


def stored_groups(db) -> dict[int, int]:
    return dict(db.execute("SELECT comment_id, dup_group FROM scores").fetchall())


@pytest.mark.parametrize("batch_size", [1, 7, 10_000])
def test_any_batch_size_groups_like_the_in_memory_grouping(tmp_path, settings, batch_size):
    db = connect(tmp_path / "groups.db")
    items = store(db, corpus())
    pipeline.score_pending(db, settings, batch_size=batch_size)
    expected = duplicate_groups(items, settings.scoring.duplicate_distance)
    assert stored_groups(db) == expected
    assert len(set(expected.values())) < len(items) - 100  # the variants really grouped


def test_a_later_comment_one_edit_from_two_groups_merges_them(db, settings):
    base = "雪夜里还在坚守的环卫工人们辛苦啦大家"
    left = base[:3] + "也" + base[4:]  # base with the 4th character replaced
    right = left[:14] + "都" + left[15:]  # and the 15th: two edits from base's twin
    items = store(db, [left[:3] + "冬" + left[4:], right], prefix="a")
    pipeline.score_pending(db, settings)
    first, second = (comment_id for comment_id, _ in items)
    assert stored_groups(db) == {first: first, second: second}  # two edits apart: not grouped
    bridge = store(db, [left], prefix="b")[-1][0]  # one edit from each
    pipeline.score_pending(db, settings)
    assert stored_groups(db) == {first: first, second: first, bridge: first}


def test_rescoring_keeps_groups_and_leaves_no_stale_keys(db, settings):
    store(db, corpus())
    pipeline.score_pending(db, settings)
    before = stored_groups(db)
    keys = db.execute("SELECT COUNT(*) FROM dup_edit_keys").fetchone()[0]
    pipeline.rescore(db, settings, since="2024-01-15")
    assert stored_groups(db) == before
    assert db.execute("SELECT COUNT(*) FROM dup_edit_keys").fetchone()[0] == keys
    pipeline.rescore(db, settings)
    assert stored_groups(db) == before
    assert db.execute("SELECT COUNT(*) FROM dup_edit_keys").fetchone()[0] == keys


def test_edit_keys_are_shared_by_one_edit_and_not_by_two():
    base = "今天的雪下得真大孩子们都很开心"
    one_edit = base[:7] + "好" + base[8:]
    two_edits = base[:1] + "雨" + base[2:7] + "好" + base[8:]  # in two different thirds
    assert set(duplicates.edit_keys(base)) & set(duplicates.edit_keys(one_edit))
    assert set(duplicates.edit_keys(base[:-1])) & set(duplicates.edit_keys(base))
    assert not set(duplicates.edit_keys(base)) & set(duplicates.edit_keys(two_edits))


def test_upgrading_rebuilds_text_edit_keys_as_integers(tmp_path, settings):
    """A database from before m006 (hex text one-edit keys) is upgraded in place."""
    db = connect(tmp_path / "old.db")
    items = store(db, corpus()[:60])
    pipeline.score_pending(db, settings)
    expected_keys = db.execute("SELECT COUNT(*) FROM dup_edit_keys").fetchone()[0]
    for statement in (
        "DROP TABLE dup_edit_keys",
        "CREATE TABLE dup_edit_keys (key TEXT NOT NULL, comment_id INTEGER NOT NULL, "
        "PRIMARY KEY (key, comment_id)) WITHOUT ROWID",
        "INSERT INTO dup_edit_keys VALUES ('0f0f0f0f0f0f0f0f0f0f', 1)",
        "DROP INDEX dup_keys_band0",
        "CREATE INDEX dup_keys_band0 ON dup_keys(band0)",
        "CREATE INDEX comments_author ON comments(author_key)",
        "DELETE FROM _sqlite_migrations WHERE name = 'm006_faster_duplicate_keys'",
    ):
        db.execute(statement)
    apply_migrations(db)
    types = db.execute("SELECT DISTINCT typeof(key) FROM dup_edit_keys").fetchall()
    assert types == [("integer",)]
    assert db.execute("SELECT COUNT(*) FROM dup_edit_keys").fetchone()[0] == expected_keys
    plan = db.execute(
        "EXPLAIN QUERY PLAN SELECT comment_id, simhash FROM dup_keys WHERE band0 = 1 AND short = 0"
    ).fetchall()
    assert "COVERING INDEX dup_keys_band0" in plan[0][-1]
    long_text = max((text for _, text in items), key=len)
    twin_id = store(db, [long_text[:-2] + "啊" + long_text[-1:]], prefix="new")[-1][0]
    pipeline.score_pending(db, settings)
    original = next(i for i, text in items if text == long_text)
    assert stored_groups(db)[twin_id] == stored_groups(db)[original]
