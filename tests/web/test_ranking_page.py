"""The click ranking page and its downloads."""

import pytest

from moderation import pipeline
from tests.seed import seed_ranking_block

RANGE = "from=2024-01-19&to=2024-01-25"


@pytest.fixture
def collected(db, settings, auth):
    """The demo stories collected; the client logged in as editor."""
    pipeline.collect_channel(db, settings, settings.channel("demo"))
    auth.login("editor")
    return db


def test_ranking_page_draws_an_svg_bar_per_story(client, collected):
    page = client.get(f"/ranking/?{RANGE}").get_data(as_text=True)
    assert page.count('<rect class="bar"') == 10
    assert "297.6万次" in page and "全体天元区中小學生再放假一天！" in page
    assert "<script" not in page[page.index("<main") :]


def test_ranking_txt_download_is_the_printed_block(client, collected):
    response = client.get(f"/ranking/export.txt?{RANGE}")
    assert response.get_data() == seed_ranking_block().encode("utf-8")
    docx = client.get(f"/ranking/export.docx?{RANGE}")
    assert docx.get_data().startswith(b"PK")


@pytest.mark.parametrize("query", ["from=2024-01-25&to=2024-01-19", "from=bad"])
def test_bad_range_is_refused(client, collected, query):
    assert client.get(f"/ranking/?{query}").status_code == 400


def test_default_range_ends_at_the_newest_story_when_this_week_is_empty(client, collected):
    page = client.get("/ranking/").get_data(as_text=True)
    assert "新闻点击排行榜(1月19日-1月25日)" in page
    assert page.count('<rect class="bar"') == 10


def test_default_range_is_this_week_when_stories_are_recent(client, collected, db):
    from datetime import date

    db.execute(
        "UPDATE stories SET published_at = ?", [date.today().isoformat() + "T08:00:00+08:00"]
    )
    today = date.today()
    page = client.get("/ranking/").get_data(as_text=True)
    assert f"{today.month}月{today.day}日)" in page
