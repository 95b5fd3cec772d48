"""Queue queries: keyset pages, filters, capped counts, and plans that walk an index."""

import pytest

from moderation.storage import comments as comment_store
from moderation.storage import queue as queue_store
from moderation.storage.queue import QueueFilter
from tests.web.conftest import add_comment, add_score, span_flag


@pytest.fixture
def filled(db):
    """45 pending comments on one placeholder story, scored, every third flagged."""
    from moderation.storage import stories

    stories.placeholder_story(db, "demo", "story-1")
    for n in range(45):
        text = f"第{n}条评论，电话13800000000" if n % 3 == 0 else f"第{n}条评论"
        comment_id = add_comment(
            db,
            text,
            author=f"读者{n % 4}",
            created_at=f"2024-01-{10 + n % 20:02d}T0{n % 10}:00:00+00:00",
        )
        db.execute("UPDATE comments SET likes = ? WHERE id = ?", [n % 7, comment_id])
        flags = [span_flag(text, "13800000000")] if n % 3 == 0 else []
        add_score(db, comment_id, sentiment=(n % 10) / 10, flags=flags, offensive=(n * 7 % 10) / 10)
    return db


@pytest.mark.parametrize("order", list(queue_store.ORDERS))
def test_keyset_pages_cover_the_queue_once_in_order(filled, order):
    seen, after = [], None
    while True:
        rows, after = queue_store.list_queue(filled, QueueFilter(), order, after, limit=7)
        seen.extend(rows)
        if after is None:
            break
    assert sorted(row["id"] for row in seen) == list(range(1, 46))
    keys = {
        "newest": lambda r: (r["created_at"], r["id"]),
        "oldest": lambda r: (r["created_at"], r["id"]),
        "liked": lambda r: (r["likes"], r["id"]),
        "negative": lambda r: (r["sentiment"], r["id"]),
        "offensive": lambda r: (r["offensive"], r["id"]),
    }[order]
    assert [keys(r) for r in seen] == sorted(
        (keys(r) for r in seen), reverse=order in ("newest", "liked", "offensive")
    )


def test_offensive_order_leaves_out_comments_without_the_score(filled):
    filled.execute("UPDATE scores SET offensive = NULL WHERE comment_id <= 5")
    rows, _ = queue_store.list_queue(filled, QueueFilter(), "offensive", None, limit=100)
    assert sorted(row["id"] for row in rows) == list(range(6, 46))


@pytest.mark.parametrize(
    "queue_filter, expected",
    [
        (QueueFilter(queue="flagged"), 15),
        (QueueFilter(queue="flagged", flag="personal_data"), 15),
        (QueueFilter(queue="flagged", flag="personal"), 0),  # whole codes only
        (QueueFilter(queue="flagged", flag="personal%"), 0),  # no wildcards
        (QueueFilter(queue="flagged", flag="_ersonal_data"), 0),  # _ is not "any character"
        (QueueFilter(queue="flagged", flag="personal%data"), 0),
        (QueueFilter(sentiment_min=0.8), 8),
        (QueueFilter(offensive_min=0.8), 9),
        (QueueFilter(offensive_min=0.3, offensive_max=0.4), 9),
        (QueueFilter(sentiment_max=0.1), 10),
        (QueueFilter(author_key="demo:读者1"), 11),
        (QueueFilter(since="2024-01-28T00:00:00+00:00"), 4),
        (QueueFilter(until="2024-01-11T00:00:00+00:00"), 3),
        (QueueFilter(channel="elsewhere"), 0),
        (QueueFilter(story_id=1), 45),
        (QueueFilter(queue="approved"), 0),
        (QueueFilter(queue="all"), 45),
    ],
)
def test_filters(filled, queue_filter, expected):
    rows, _ = queue_store.list_queue(filled, queue_filter, limit=100)
    assert len(rows) == expected
    assert queue_store.count(filled, queue_filter) == expected


def test_counts_stop_at_the_cap(filled):
    assert queue_store.count(filled, QueueFilter(), cap=10) == 10
    assert queue_store.queue_counts(filled)["pending"] == 45


def test_bad_cursor_starts_from_the_top(filled):
    first, _ = queue_store.list_queue(filled, QueueFilter(), after="not-a-cursor", limit=3)
    again, _ = queue_store.list_queue(filled, QueueFilter(), limit=3)
    assert first == again


def test_editor_queue_holds_flagged_comments_until_decided(filled):
    queue_store.flag_for_editor(filled, 5, "mod", "请编辑判断")
    editor = QueueFilter(queue="editor")
    assert [row["id"] for row in queue_store.list_queue(filled, editor)[0]] == [5]
    assert comment_store.get_status(filled, 5) == "pending"
    comment_store.decide(filled, 5, "approve", actor="editor")
    assert queue_store.list_queue(filled, editor)[0] == []


@pytest.mark.parametrize(
    "queue_filter, order, index",
    [
        (QueueFilter(), "newest", "comments_status_created"),
        (QueueFilter(), "oldest", "comments_status_created"),
        (QueueFilter(), "liked", "comments_status_likes"),
        (QueueFilter(), "negative", "scores_sentiment"),
        (QueueFilter(), "offensive", "scores_offensive"),
        (QueueFilter(queue="all"), "newest", "comments_created"),
        (QueueFilter(channel="demo"), "newest", "comments_channel_status_created"),
        (QueueFilter(author_key="demo:x", queue="all"), "newest", "comments_author_created"),
    ],
)
def test_queue_pages_walk_an_index_without_sorting(filled, queue_filter, order, index):
    rows, after = queue_store.list_queue(filled, queue_filter, order, limit=2)
    plan = " | ".join(queue_store.explain(filled, queue_filter, order, after))
    assert index in plan
    assert "TEMP B-TREE" not in plan
    assert "SCAN c " not in plan.replace("SCAN c USING INDEX", "")


def facet(code):
    return {"code": code, "reason": code, "action": "review", "spans": []}


def test_flagged_queue_holds_only_reasons_to_act(db):
    """机器标记: act-on flags count; negative, low information and campaigns alone do not."""
    from moderation.storage import stories

    stories.placeholder_story(db, "demo", "story-1")
    cases = {
        "negative only": ([facet("negative")], False),
        "low information only": ([facet("low_information")], False),
        "campaign only": ([facet("mass_posting")], False),
        "all three facets": (
            [facet(c) for c in ("negative", "low_information", "mass_posting")],
            False,
        ),
        "personal data": ([facet("personal_data")], True),
        "campaign + link": ([facet("mass_posting"), facet("spam_link")], True),
        "offensive": ([facet("offensive")], True),
        "suspect + low information": ([facet("suspect"), facet("low_information")], True),
        "nothing": ([], False),
    }
    ids = {}
    for name, (flags, _) in cases.items():
        ids[name] = add_comment(db, name)
        add_score(db, ids[name], sentiment=0.05, flags=flags)
    rows, _ = queue_store.list_queue(db, QueueFilter(queue="flagged"), limit=50)
    assert {row["text"] for row in rows} == {name for name, (_, act) in cases.items() if act}
    assert queue_store.count(db, QueueFilter(queue="flagged")) == 4
    # the facets still filter the pending queue
    low = queue_store.count(db, QueueFilter(queue="pending", flag="low_information"))
    assert low == 3


def test_a_rule_can_hold_a_comment_in_the_flagged_queue(db):
    from moderation.storage import stories

    stories.placeholder_story(db, "demo", "story-1")
    comment_id = add_comment(db, "湿地公园夏天蚊子多得要命")
    add_score(db, comment_id, sentiment=0.02, flags=[])
    assert queue_store.count(db, QueueFilter(queue="flagged")) == 0
    db.execute(
        "INSERT INTO rule_holds (comment_id, queue, rule_id, at) VALUES (?, ?, 1, ?)",
        [comment_id, queue_store.FLAGGED_QUEUE_NAME, "2024-01-01T00:00:00+00:00"],
    )
    assert queue_store.count(db, QueueFilter(queue="flagged")) == 1


def test_stored_act_follows_the_facet_codes(db):
    """The signals migration's triggers and scoring.flags.FACET_CODES say the same thing."""
    from moderation.scoring.flags import CODES, FACET_CODES
    from moderation.storage import stories

    stories.placeholder_story(db, "demo", "story-1")
    for code in (*CODES, "offensive", "some_future_code"):
        comment_id = add_comment(db, code)
        add_score(db, comment_id, flags=[facet(code)])
        act = db.execute("SELECT act FROM scores WHERE comment_id = ?", [comment_id]).fetchone()
        assert act[0] == (code not in FACET_CODES), code
        db.execute(  # a campaign flag appended later (a facet) leaves it as it was
            "UPDATE scores SET flag_codes = trim(flag_codes || ' mass_posting') "
            "WHERE comment_id = ? AND instr(flag_codes, 'mass_posting') = 0",  # as flag_campaign
            [comment_id],
        )
        again = db.execute("SELECT act FROM scores WHERE comment_id = ?", [comment_id]).fetchone()
        assert again[0] == act[0], code
