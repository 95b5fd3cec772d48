"""Search (trigram FTS + LIKE fallback), claims and sentiment corrections."""

import pytest

from moderation.storage import claims, corrections, search
from moderation.storage import stories as story_store
from tests.web.conftest import add_comment


@pytest.fixture
def texts(db):
    """A story and a few comments to search."""
    story_store.placeholder_story(db, "demo", "snow")
    db.execute("UPDATE stories SET title = '株洲迎来第一场雪' WHERE id = 1")
    for text in ["环卫工人辛苦了", "路面结冰注意安全", "100%好评_真的", '他说"你好" OR 再见']:
        add_comment(db, text)
    return db


@pytest.mark.parametrize(
    "query, expected",
    [
        ("环卫工人", ["环卫工人辛苦了"]),
        ("结冰", ["路面结冰注意安全"]),  # two characters: LIKE fallback
        ("冰", ["路面结冰注意安全"]),  # one character
        ("辛苦 环卫工", ["环卫工人辛苦了"]),  # every term must match
        ("100%", ["100%好评_真的"]),
        ("%", ["100%好评_真的"]),  # LIKE wildcards are escaped
        ("_", ["100%好评_真的"]),
        ('"你好" OR', ['他说"你好" OR 再见']),  # quotes and operators are text
        ("NEAR(", []),
        ("第一场雪", ["环卫工人辛苦了", "路面结冰注意安全", "100%好评_真的", '他说"你好" OR 再见']),
    ],
)
def test_search_finds_text_and_titles(texts, query, expected):
    found = [row["text"] for row in search.search(texts, query)]
    assert sorted(found) == sorted(expected)


def test_search_index_follows_edits(texts):
    texts.execute("UPDATE comments SET text = '公交晚点一小时' WHERE id = 1")
    assert search.search(texts, "环卫工人") == []
    assert [row["id"] for row in search.search(texts, "公交晚点")] == [1]
    texts.execute("DELETE FROM comments WHERE id = 2")
    assert search.search(texts, "路面结冰") == []


def test_claims_keep_others_out_until_they_expire(texts):
    assert claims.claim(texts, [1, 2], "王编辑") == {1, 2}
    assert claims.claim(texts, [2, 3], "李编辑") == {3}
    assert claims.active_claims(texts, [1, 2, 3]) == {1: "王编辑", 2: "王编辑", 3: "李编辑"}
    texts.execute("UPDATE claims SET until = '2000-01-01T00:00:00+00:00' WHERE comment_id = 2")
    assert claims.claim(texts, [2], "李编辑") == {2}
    claims.release(texts, [1], "王编辑")
    assert 1 not in claims.active_claims(texts, [1])


def test_corrections_round_trip(texts):
    corrections.add_correction(texts, 1, 0, "mod")
    corrections.add_correction(texts, 2, 1, "mod")
    corrections.add_correction(texts, 1, 1, "editor")  # the latest correction wins
    assert corrections.load_corrections(texts) == [(1, "路面结冰注意安全"), (1, "环卫工人辛苦了")]
    with pytest.raises(ValueError):
        corrections.add_correction(texts, 1, 2, "mod")
    with pytest.raises(ValueError):
        corrections.add_correction(texts, 999, 1, "mod")
