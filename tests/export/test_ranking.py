"""The click ranking: the seed page's block byte for byte, channels added up."""

from datetime import date

import pytest

from moderation import pipeline
from moderation.export import ranking
from moderation.storage import stories
from tests.seed import seed_ranking_block

START, END = date(2024, 1, 19), date(2024, 1, 25)


@pytest.fixture
def collected(db, settings):
    """The demo stories: the seed's ten ranked ones with their printed read counts."""
    pipeline.collect_channel(db, settings, settings.channel("demo"))
    return db


def test_ranking_block_equals_the_printed_page_byte_for_byte(collected):
    text = ranking.ranking_text(START, END, ranking.rank_stories(collected, START, END))
    assert text.encode("utf-8") == seed_ranking_block().encode("utf-8")


@pytest.mark.parametrize(
    "reads, printed",
    [(2976312, "297.6万次"), (10000, "1.0万次"), (99950, "10.0万次"), (9999, "9999次"), (0, "0次")],
)
def test_format_count(reads, printed):
    assert ranking.format_count(reads) == printed


def test_wechat_daily_reads_add_to_the_same_story_elsewhere(collected):
    from moderation.collectors.base import CollectedStory

    copy = CollectedStory(
        native_id="wx-snow",
        title="下雪啦！",  # same story: punctuation is ignored when linking
        published_at="2024-01-22T09:00:00+08:00",
        daily_reads=(("2024-01-22", 200000, 10), ("2024-01-23", 50000, 1), ("2024-01-30", 9, 0)),
    )
    stories.upsert_story(collected, "wechat", copy)
    ranked = ranking.rank_stories(collected, START, END)
    snow = next(story for story in ranked if story.title == "下雪啦")
    assert snow.reads == 1778000 + 250000
    assert snow.channels == ("demo", "wechat")
    assert ranking.entry_lines(snow)[1] == "访问量:202.8万次,发布时间:1月22日 记者:王娜"


def test_story_published_late_evening_utc_counts_on_its_beijing_date():
    assert ranking.local_date("2024-01-18T17:30:00+00:00") == date(2024, 1, 19)
