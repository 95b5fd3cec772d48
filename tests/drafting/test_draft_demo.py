"""The draft on the demo data for the seed's week, 2024-01-19..25."""

from datetime import date

import pytest

from moderation.drafting import select, terms
from moderation.drafting.draft import build_draft, utc_range
from moderation.drafting.topics import topics_of
from moderation.storage import drafts as store
from tests.drafting.conftest import WEEK
from tests.export.conftest import build_seed_edition
from tests.seed import seed_quote_lines

SNOW, TALENT = "下雪啦", "清华、北大……350名顶级青年人才今天和市委书记一起在忙啥？"
FIRST, LAST = (date.fromisoformat(day) for day in WEEK)


@pytest.fixture
def draft(demo_db, settings):
    """The draft of the seed's week."""
    return build_draft(demo_db, FIRST, LAST, settings.draft)


def stored(db, comment_id):
    """The stored comment and its scores, to check the draft against."""
    return db.execute(
        "SELECT c.author_key, s.flag_codes, s.dup_group, c.text FROM comments c "
        "JOIN scores s ON s.comment_id = c.id WHERE c.id = ?",
        [comment_id],
    ).fetchone()


def test_utc_range_is_the_newsroom_week():
    assert utc_range(FIRST, LAST) == ("2024-01-18T16:00:00+00:00", "2024-01-25T16:00:00+00:00")


def test_draft_covers_the_seed_column_stories(draft):
    titles = [section["title"] for section in draft["sections"]]
    assert {SNOW, TALENT} <= set(titles)
    assert titles[0] == SNOW  # most comments, well read
    assert all(section["reason"].startswith("评论 ") for section in draft["sections"])


def test_draft_holds_no_flagged_duplicate_or_same_author_pair(draft, demo_db):
    for section in draft["sections"]:
        rows = [stored(demo_db, quote["id"]) for quote in section["picks"] + section["alternates"]]
        assert all(not set(flags.split()) - {"negative"} for _, flags, _, _ in rows)
        assert all(terms.is_clean(flags, text) for _, flags, _, text in rows)
        assert len({author for author, *_ in rows}) == len(rows)
        groups = [group for _, _, group, _ in rows if group is not None]
        assert len(set(groups)) == len(groups)


def test_draft_picks_are_printable_and_sized(draft, settings):
    for section in draft["sections"]:
        assert settings.draft.min_quotes <= len(section["picks"]) <= settings.draft.max_quotes
        assert 2 <= len(section["alternates"]) <= settings.draft.alternates
        for quote in section["picks"]:
            printed = quote["trim"] or quote["text"]
            assert terms.PRINTABLE_MIN <= len(printed) <= terms.PRINTABLE_MAX
            assert not printed.startswith("@")


def test_draft_spreads_over_channels_and_topics_where_they_exist(draft, demo_db):
    span = utc_range(FIRST, LAST)
    for section in draft["sections"]:
        comments = store.story_candidates(demo_db, [section["story_id"]], *span)
        topics = topics_of(comments)
        eligible = select.prepare(comments, topics)
        for key, field in (("channel_label", "channel_label"), ("topic", "topic_label")):
            available = {c[key] for c in eligible if c[key]}
            shown = {quote[field] for quote in section["picks"] if quote[field]}
            assert len(shown) >= min(2, len(available)), (section["title"], key)


def test_each_proposal_says_why(draft):
    quote = draft["sections"][0]["picks"][0]
    assert quote["reason"].startswith(f"点赞 {quote['likes']} · ")
    assert quote["channel_label"] in quote["reason"]


def test_a_quote_printed_before_is_never_proposed(demo_db, settings):
    from moderation.export import review
    from moderation.storage import editions

    edition = build_seed_edition(demo_db, "2024-01-12")
    review.sign_off(demo_db, edition, "chief", review.thresholds_from(settings))
    editions.mark_printed(demo_db, edition, "chief")
    seed_texts = {line.split("：", 1)[1] for line in seed_quote_lines()}
    draft = build_draft(demo_db, FIRST, LAST, settings.draft)
    proposed = {q["text"] for s in draft["sections"] for q in s["picks"] + s["alternates"]}
    assert proposed and not proposed & seed_texts


def test_draft_counts_come_from_settings(demo_db, settings):
    from dataclasses import replace

    small = replace(settings.draft, stories=1, min_quotes=2, max_quotes=2, alternates=1)
    draft = build_draft(demo_db, FIRST, LAST, small)
    assert [len(s["picks"]) for s in draft["sections"]] == [2]
    assert [len(s["alternates"]) for s in draft["sections"]] == [1]


def test_a_duplicate_group_is_proposed_as_its_earliest_comment(draft, demo_db):
    """The report's snow pick was 雪落无声's copy (7 hours later, a typo, more likes) of
    株洲凯旋名门's comment; the original was not even an alternate. The original is proposed
    now, and the copy never."""
    original, copy = (
        demo_db.execute("SELECT id FROM comments WHERE author_name = ?", [name]).fetchone()[0]
        for name in ("株洲凯旋名门", "雪落无声")
    )
    assert stored(demo_db, original)[2] == stored(demo_db, copy)[2] is not None  # one group
    snow = next(section for section in draft["sections"] if section["title"] == SNOW)
    shown = {quote["id"]: quote for quote in snow["picks"] + snow["alternates"]}
    assert original in shown and copy not in shown
    assert shown[original]["copies"] >= 1 and "另有" in shown[original]["reason"]


def test_originals_keep_the_earliest_of_each_group_whatever_its_likes():
    rows = [
        {"id": 1, "dup_group": 7, "created_at": "2024-01-22T11:05:00+00:00", "likes": 3},
        {"id": 2, "dup_group": 7, "created_at": "2024-01-22T18:15:00+00:00", "likes": 227},
        {"id": 3, "dup_group": None, "created_at": "2024-01-22T09:00:00+00:00", "likes": 0},
    ]
    kept = select.originals(rows)
    assert [(row["id"], row.get("copies")) for row in kept] == [(1, 1), (3, None)]


def test_a_proposal_with_an_emoji_comes_with_a_print_excerpt_without_it():
    text = "雪夜里还在坚守的环卫工人和电力抢修师傅们辛苦啦，为你们点赞！🔥🔥👍"
    assert (
        select.print_excerpt(text) == "雪夜里还在坚守的环卫工人和电力抢修师傅们辛苦啦，为你们点赞！"
    )
    assert select.print_excerpt(text[:-3]) is None
