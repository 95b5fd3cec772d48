"""The weekly 舆情 report on the demo data: what it holds, and the same bytes twice."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest

from moderation import pipeline
from moderation.export.report import (
    gather,
    keywords_for,
    period_for,
    report_docx,
    report_html,
)
from tests.seed import QUOTE, seed_quote_lines

FIRST, LAST = date(2024, 1, 19), date(2024, 1, 25)


@pytest.fixture
def weekly(seeded, settings):
    """The week of 2024-01-19..25 gathered from the seeded, scored demo data."""
    pipeline.score_pending(seeded, settings)
    return gather(seeded, "weekly", FIRST, LAST, keywords=keywords_for(settings.data_path))


def document_text(data: bytes) -> str:
    """Every paragraph and table cell of a DOCX, one per line."""
    document = docx.Document(io.BytesIO(data))
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        lines.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(lines)


def test_weekly_report_holds_stories_ranking_and_seed_quotes(weekly):
    text = document_text(report_docx(weekly))
    assert "株洲日报 评论舆情周报（2024-01-19 至 2024-01-25）" in text
    titles = [story["title"] for story in weekly.stories]
    assert any("雪" in title for title in titles)  # the first-snow story
    assert any("人才" in title or "青年" in title for title in titles)  # the young-talent visit
    assert weekly.ranking and weekly.ranking[0].title in text
    quoted = [line for line in seed_quote_lines() if QUOTE.match(line)["text"] in text]
    assert len(quoted) >= 3
    assert weekly.negative and weekly.negative[0]["share"] >= weekly.negative[-1]["share"]
    snow = next(story for story in weekly.stories if story["title"] == "下雪啦")
    assert "下雪" in snow["keywords"]  # words, not character pairs


def test_report_is_the_same_bytes_when_generated_twice(seeded, settings, weekly):
    again = gather(seeded, "weekly", FIRST, LAST, keywords=keywords_for(settings.data_path))
    assert report_docx(weekly) == report_docx(again)
    assert report_html(weekly) == report_html(again)


def test_html_report_escapes_reader_text(seeded, weekly):
    weekly.quotes.append({"author_name": "<b>x</b>", "text": "<script>alert(1)</script>"})
    html = report_html(weekly).decode("utf-8")
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "kind, day, period",
    [
        ("daily", date(2024, 1, 25), (date(2024, 1, 25),) * 2),
        ("weekly", date(2024, 1, 25), (date(2024, 1, 19), date(2024, 1, 25))),
    ],
)
def test_report_periods(kind, day, period):
    assert period_for(kind, day) == period
