"""Duplicate groups stored a batch at a time: any batch size groups like the in-memory rule."""

import random
from pathlib import Path

import pytest

from moderation import pipeline
from moderation.collectors.base import CollectedComment
from moderation.collectors.demo import load_sample
from moderation.db import connect
from moderation.scoring.duplicates import (
    MIN_NEAR_CHARS,
    DupKeys,
    duplicate_groups,
    edit_entries,
    edit_probes,
    exact_int,
    one_edit_apart,
)
from moderation.storage import comments as comment_store
from moderation.storage import duplicate_index, duplicates
from moderation.storage.duplicate_index import index_for
from moderation.storage.migrations import MIGRATION_SETS, apply_migrations


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
    for text in texts[80:120]:  # edits in the first and last thirds, either side stored first
        variants.append(text[1:])  # first character deleted
        variants.append(text[:-1] + "哦")  # last character replaced
        variants.append("嗯" + text)  # inserted at the start
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


@pytest.mark.parametrize("held", ["sorted often", "reloaded every batch"])
def test_the_index_groups_alike_from_sorted_arrays_and_recent_keys(
    tmp_path, settings, monkeypatch, held
):
    """Keys move from the recent dicts into the sorted arrays (or come from a reload)."""
    if held == "sorted often":
        monkeypatch.setattr(duplicate_index, "MERGE_AT", 5)
    else:
        monkeypatch.setattr(duplicates, "index_for", reloaded_index)
    db = connect(tmp_path / "groups.db")
    items = store(db, corpus())
    pipeline.score_pending(db, settings, batch_size=7)
    expected = duplicate_groups(items, settings.scoring.duplicate_distance)
    assert stored_groups(db) == expected
    assert len(set(expected.values())) < len(items) - 100  # the variants really grouped


def reloaded_index(db):
    """The index read afresh from the database, as a new process would."""
    duplicate_index._HELD.clear()
    return duplicate_index.index_for(db)


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
    items = store(db, corpus())
    pipeline.score_pending(db, settings)
    before = stored_groups(db)
    pipeline.rescore(db, settings, since="2024-01-15")
    assert stored_groups(db) == before
    pipeline.rescore(db, settings)
    assert stored_groups(db) == before
    assert db.execute("SELECT COUNT(*) FROM dup_keys").fetchone()[0] == len(items)
    index = index_for(db)
    alive = [index.ids[slot] for slot, live in enumerate(index.alive) if live]
    assert sorted(alive) == [comment_id for comment_id, _ in items]


def test_keys_written_by_another_process_are_seen(tmp_path, settings):
    """The in-memory index reloads when dup_keys changed behind its back."""
    path = tmp_path / "shared.db"
    db = connect(path)
    store(db, ["雪夜里还在坚守的环卫工人们辛苦啦"], prefix="a")
    pipeline.score_pending(db, settings)  # this process now holds an index
    other = connect(path)  # as another process would: its own keys, then its own scores
    text = "株洲今年的第一场雪下得真大啊大家注意出行安全"
    added = store(other, [text], prefix="b")[-1][0]
    keys = DupKeys.of(added, text)
    with other.atomic():
        other.conn.execute(
            "INSERT INTO dup_keys (comment_id, exact_key, norm, simhash, short, edit) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            duplicates.key_row(keys),
        )
        other.conn.execute(
            "INSERT INTO scores (comment_id, sentiment, label, model_version, dup_group, "
            "scored_at) VALUES (?, 0.5, 'neutral', 'm', ?, '2024-01-01')",
            [added, added],
        )
    copy = store(db, [text[:5] + "也" + text[6:]], prefix="c")[-1][0]  # one edit from it
    pipeline.score_pending(db, settings)
    assert stored_groups(db)[copy] == added


@pytest.mark.parametrize(
    "failing", [(pipeline.score_store, "save_scores"), (duplicates, "current_token")]
)
def test_a_rolled_back_batch_leaves_nothing_in_the_index(db, settings, monkeypatch, failing):
    """Whether the batch fails after grouping or halfway through storing its keys."""
    text = "株洲今年的第一场雪下得真大啊大家注意出行安全"
    comment_id = store(db, [text])[-1][0]
    pipeline.score_pending(db, settings)  # an index is held, and will be stale after the failure
    comment_id = store(db, [text[:-1] + "哦"], prefix="b")[-1][0]  # one edit away

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(*failing, fail)
    with pytest.raises(RuntimeError):
        pipeline.score_pending(db, settings)
    monkeypatch.undo()
    exact = exact_int(DupKeys.of(comment_id, text[:-1] + "哦").exact_key)
    assert index_for(db).twins([exact]) == {}  # reloaded: the failed batch's keys are gone
    pipeline.score_pending(db, settings)
    assert index_for(db).twins([exact]) == {0: comment_id}
    assert stored_groups(db) == {comment_id - 1: comment_id - 1, comment_id: comment_id - 1}


def one_edit_variants(text: str, alphabet: str) -> set[str]:
    """Every text one insertion, deletion or replacement from `text`."""
    found = {text[:i] + text[i + 1 :] for i in range(len(text))}
    for i in range(len(text) + 1):
        found |= {text[:i] + char + text[i:] for char in alphabet}
    for i in range(len(text)):
        found |= {text[:i] + char + text[i + 1 :] for char in alphabet if char != text[i]}
    return found


def confirmed_by_keys(new: str, stored: str) -> bool:
    """What the look-up decides: a shared key whose rest bitmaps differ in at most two bits,
    and (as the texts then differ only there) rests one edit apart."""
    probes = edit_probes(new)
    probe_bits = dict(DupKeys.of(1, new).probes)
    stored_bits = dict(DupKeys.of(2, stored).edit_keys)
    return any(
        key in probes
        and (probe_bits[key] ^ stored_bits[key]).bit_count() <= 2
        and one_edit_apart(probes[key], rest)
        for key, rest in edit_entries(stored)
    )


@pytest.mark.parametrize(
    "base", ["雪下得真大", "今天的雪下得真大孩子们都很开心", "株洲" * 11 + "好"]
)
def test_every_one_edit_text_is_found_under_a_stored_key(base):
    """Each single edit, at every position, either text stored first."""
    for variant in one_edit_variants(base, "雪株啊"):
        if len(variant) >= MIN_NEAR_CHARS:
            assert confirmed_by_keys(variant, base), variant
            assert confirmed_by_keys(base, variant), variant


def test_two_edits_are_not_confirmed():
    base = "今天的雪下得真大孩子们都很开心"
    rng = random.Random(3)
    checked = 0
    for _ in range(300):
        first = rng.choice(sorted(one_edit_variants(base, "雪啊")))
        second = rng.choice(sorted(one_edit_variants(first, "雪啊")))
        if second != base and not one_edit_apart(second, base):
            checked += 1
            assert not confirmed_by_keys(second, base), second
            assert not confirmed_by_keys(base, second), second
    assert checked > 200


def test_only_a_texts_own_three_keys_are_stored():
    base = "今天的雪下得真大孩子们都很开心"
    entries = edit_entries(base)
    assert len({key for key, _ in entries}) == 3
    assert sorted(rest for _, rest in entries) == sorted([base[:5], base[5:10], base[10:]])


def test_upgrading_moves_the_keys_to_the_in_memory_index(tmp_path, settings):
    """A database keyed before m010 (band columns and indexes, dup_edit_keys) upgrades."""
    db = connect(tmp_path / "old.db", migrate=False)
    for migrations in MIGRATION_SETS:
        migrations.apply(db, stop_before="m010_duplicate_keys_in_memory")
    items = store(db, corpus()[:60])
    expected = duplicate_groups(items, settings.scoring.duplicate_distance)
    for comment_id, text in items:
        keys = DupKeys.of(comment_id, text)
        db.conn.execute(
            "INSERT INTO dup_keys (comment_id, exact_key, norm, simhash, band0, band1, band2, "
            "band3, short) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                *duplicates.key_row(keys)[:4],
                *((keys.simhash >> shift) & 0xFFFF for shift in (0, 16, 32, 48)),
            ]
            + [int(keys.short)],
        )
        db.conn.execute(
            "INSERT INTO scores (comment_id, sentiment, label, model_version, dup_group, "
            "scored_at) VALUES (?, 0.5, 'neutral', 'm', ?, '2024-01-01')",
            [comment_id, expected[comment_id]],
        )
    apply_migrations(db)
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert "dup_edit_keys" not in tables and "dup_keys_band0" not in tables
    for comment_id, text in items:
        stored = db.execute("SELECT edit FROM dup_keys WHERE comment_id = ?", [comment_id])
        assert stored.fetchone()[0] == duplicates.edit_blob(DupKeys.of(comment_id, text))
    long_text = max((text for _, text in items), key=len)
    twin_id = store(db, [long_text[:-2] + "啊" + long_text[-1:]], prefix="new")[-1][0]
    pipeline.score_pending(db, settings)
    original = next(i for i, text in items if text == long_text)
    assert stored_groups(db)[twin_id] == expected[original]


def test_warming_loads_the_index_the_next_batch_then_uses(db, settings):
    items = store(db, corpus()[:40])
    pipeline.score_pending(db, settings)
    duplicate_index._HELD.clear()  # as in a freshly started process
    duplicate_index.warm(db)
    assert not db.conn.in_transaction
    (warmed,) = duplicate_index._HELD.values()
    assert sorted(warmed.ids) == [comment_id for comment_id, _ in items]
    store(db, ["株洲今年的第一场雪下得真大啊大家注意出行安全"], prefix="new")
    pipeline.score_pending(db, settings)
    assert index_for(db) is warmed and len(warmed.ids) == len(items) + 1


def test_a_process_keeps_the_indexes_of_a_few_files_only(tmp_path, settings):
    for number in range(duplicate_index.HELD_FILES + 2):
        db = connect(tmp_path / f"{number}.db")
        store(db, ["株洲今年的第一场雪下得真大啊大家注意出行安全"])
        pipeline.score_pending(db, settings)
    held = [Path(file).name for file in duplicate_index._HELD]
    assert held == [f"{number}.db" for number in range(2, duplicate_index.HELD_FILES + 2)]
