"""The streaming search returns exactly what the plain SQL scan returns, page by page."""

import pytest

from moderation import pipeline
from moderation.storage import search


@pytest.fixture
def collected(db, settings):
    """The demo channel, stored."""
    pipeline.collect_channel(db, settings, settings.channel("demo"))
    return db


@pytest.mark.parametrize(
    "query",
    [
        "下雪了",
        "株洲 雪",
        "下雪啦",
        "天元区 放假",
        "龙地名",
        "清华、北大",
        "不存在的词语",
        "雪 株洲人",
        "下雪",  # two characters: the trigrams starting with them drive the search
        "株洲",
        "点赞",
        "加油",
        "辛苦 株洲",
        "雪",
    ],
)
@pytest.mark.parametrize("limit", [1, 3, 50])
def test_streaming_search_equals_scan(collected, query, limit):
    words = search.terms(query)
    expected = search._scan(collected, words, limit, None)
    assert [c["id"] for c in search.search(collected, query, limit)] == [c["id"] for c in expected]


def test_streaming_search_pages_with_before_id(collected):
    first = search.search(collected, "下雪", limit=3)
    all_hits = search._scan(collected, ["下雪"], 1000, None)
    long_first = search.search(collected, "下雪了", limit=2)
    assert long_first == search._scan(collected, ["下雪了"], 2, None)
    if len(all_hits) > 3:
        second = search.search(collected, "下雪", limit=3, before_id=first[-1]["id"])
        assert [c["id"] for c in first + second] == [c["id"] for c in all_hits[:6]]
    story_hits = search.search(collected, "龙地名", limit=100)
    assert story_hits and all("龙地名" in (c["story_title"] or c["text"]) for c in story_hits)


@pytest.mark.parametrize("pair", ["下雪", "点赞", "加油", "放假", "辛苦", "公交", "没有的"[:2]])
def test_two_character_search_reads_the_index_not_the_table(collected, pair):
    statements = []
    collected.conn.set_trace_callback(statements.append)
    try:
        found = search.search(collected, pair, limit=1000)
    finally:
        collected.conn.set_trace_callback(None)
    scanned = search._scan(collected, [pair], 1000, None)
    assert [c["id"] for c in found] == [c["id"] for c in scanned]
    assert not [sql for sql in statements if "c.text LIKE" in sql]  # no scan of every comment
    assert any("comments_fts MATCH" in sql for sql in statements) == bool(
        search.trigrams_starting_with(collected, pair)
    )


def test_a_two_character_word_ending_a_comment_is_found(db):
    from moderation.storage import stories
    from tests.web.conftest import add_comment

    stories.placeholder_story(db, "demo", "snow")
    ids = [add_comment(db, text) for text in ["为环卫工人点赞", "点赞", "OK", "说声ok吧", "点"]]
    assert [c["id"] for c in search.search(db, "点赞")] == [ids[1], ids[0]]
    assert [c["id"] for c in search.search(db, "Ok")] == [ids[3], ids[2]]
    db.execute("UPDATE comments SET text = '不再点赞了' WHERE id = ?", [ids[1]])
    db.execute("UPDATE comments SET text = '环卫工人' WHERE id = ?", [ids[0]])
    assert [c["id"] for c in search.search(db, "点赞")] == [ids[1]]


def test_a_very_common_pair_falls_back_to_the_scan(collected, monkeypatch):
    monkeypatch.setattr(search, "MAX_PREFIX_TRIGRAMS", 0)
    assert search._driver(collected, ["下雪"]) == (None, "")
    found = search.search(collected, "下雪", limit=5)
    assert found == search._scan(collected, ["下雪"], 5, None)


def test_unfiltered_search_ranks_the_newest_matches_a_filtered_one_every_match(db, monkeypatch):
    from moderation.storage import search as search_store
    from moderation.storage import stories
    from tests.web.conftest import add_comment

    monkeypatch.setattr(search_store, "RANKED_CANDIDATES", 3)
    old_story = stories.placeholder_story(db, "demo", "old-story")
    new_story = stories.placeholder_story(db, "demo", "new-story")
    add_comment(
        db, "去年也下雪了，记得吗", story_id=old_story, created_at="2023-01-01T00:00:00+00:00"
    )
    for n in range(5):
        add_comment(
            db, f"今天下雪了{n}", story_id=new_story, created_at=f"2024-01-2{n}T00:00:00+00:00"
        )
    rows, total = search_store.search_comments(db, "下雪了")
    assert total == 3 and all(row["story_id"] == new_story for row in rows)
    rows, total = search_store.search_comments(db, "下雪了", filters={"story_id": old_story})
    assert total == 1 and rows[0]["text"] == "去年也下雪了，记得吗"
