"""The click ranking page and its downloads."""

from datetime import UTC, datetime

import pytest

from moderation import pipeline, timeutil
from tests.helpers import stopped_clock, write_config
from tests.seed import seed_ranking_block

RANGE = "from=2024-01-19&to=2024-01-25"
NIGHT = datetime(2026, 12, 8, 16, 30, tzinfo=UTC)  # 00:30 Beijing time, 12-09


@pytest.fixture
def config_file(tmp_path):
    """The demo channel with a label, as a newsroom names it."""
    channels = '[[channels]]\nname = "demo"\ntype = "demo"\nlabel = "演示频道"\n'
    return write_config(tmp_path, channels=channels)


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


def test_default_range_is_this_week_when_stories_are_recent(client, collected, db, monkeypatch):
    """At 00:30 Beijing time (16:30 UTC the day before) the week ends today in Beijing: a
    story published ten minutes ago is in it (the server's UTC date said yesterday)."""
    monkeypatch.setattr(timeutil, "datetime", stopped_clock(NIGHT))  # the app's one clock
    db.execute("UPDATE stories SET published_at = '2026-12-09T00:20:00+08:00'")
    page = client.get("/ranking/").get_data(as_text=True)
    assert "新闻点击排行榜(12月3日-12月9日)" in page
    assert page.count('<rect class="bar"') == 10


def test_ranking_names_channels_by_their_labels(client, collected):
    page = client.get(f"/ranking/?{RANGE}").get_data(as_text=True)
    assert "<td>演示频道</td>" in page and "<td>demo</td>" not in page


@pytest.mark.parametrize(
    "query, said",
    [
        ("from=bad", "日期格式应为 2024-01-25"),
        ("from=2024-01-25&to=2024-01-19", "截止日期不能早于"),
    ],
)
def test_bad_range_says_what_to_do_in_chinese(client, collected, query, said):
    page = client.get(f"/ranking/?{query}").get_data(as_text=True)
    assert said in page and "expected" not in page
