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
