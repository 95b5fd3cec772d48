"""The 舆情 report on the demo data: a briefing (overview with 环比, chart, sentiment, top
stories, typical quotes by viewpoint, incidents), an A4 DOCX for the 总编室, the same bytes
twice."""

from __future__ import annotations

import io
import struct
from datetime import date

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm

from moderation import pipeline
from moderation.export import chart as charts
from moderation.export.report import (
    gather,
    keywords_for,
    period_for,
    quotable,
    report_docx,
    report_html,
    viewpoint,
)
from moderation.export.report_docx import column_widths
from moderation.storage import alerts as alert_store
from moderation.storage import stories
from tests.web.conftest import add_comment, add_score

FIRST, LAST = date(2024, 1, 19), date(2024, 1, 25)
LABELS = {"demo": "掌上株洲"}
SNOW = "下雪啦"


def story_id(db, title: str) -> int:
    """The id of the story with `title`."""
    return db.execute("SELECT id FROM stories WHERE title = ?", [title]).fetchone()[0]


@pytest.fixture
def scored(seeded, settings):
    """The demo week collected and scored."""
    pipeline.score_pending(seeded, settings)
    return seeded


def weekly_of(db, settings, **options):
    """The week of 2024-01-19..25 gathered, channels by label."""
    return gather(
        db,
        "weekly",
        FIRST,
        LAST,
        keywords=keywords_for(settings.data_path),
        labels=LABELS,
        **options,
    )


@pytest.fixture
def weekly(scored, settings):
    """The demo week's weekly report."""
    return weekly_of(scored, settings)


def document_text(data: bytes) -> str:
    """Every paragraph and table cell of a DOCX, one per line."""
    document = docx.Document(io.BytesIO(data))
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        lines.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(lines)


def test_weekly_report_reads_as_a_briefing(weekly):
    overview = "".join(weekly.overview)
    total = weekly.sentiment["total"]
    assert f"共收到网友评论 {total} 条" in overview
    assert "上期无评论可比" in overview  # nothing collected the week before
    assert f"《{SNOW}》" in overview and "情感倾向上，正面" in overview
    assert "评论全部来自掌上株洲" in overview  # the label, never `demo`
    assert "demo" not in overview
    assert weekly.sentiment["negative"] + weekly.sentiment["positive"] <= total
    assert [day["label"] for day in weekly.trend][0] == "01-19" and len(weekly.trend) == 7
    assert sum(day["total"] for day in weekly.trend) >= total


def test_daily_report_compares_with_the_day_before(scored, settings):
    monday = gather(scored, "daily", date(2024, 1, 22), date(2024, 1, 22), labels=LABELS)
    tuesday = gather(scored, "daily", date(2024, 1, 23), date(2024, 1, 23), labels=LABELS)
    before, now = monday.sentiment["total"], tuesday.sentiment["total"]
    assert now < before
    change = round((before - now) / before * 100)
    assert f"较上期（{before} 条）减少 {change}%" in tuesday.overview[0]
    assert tuesday.issue == "2024年第23期" and tuesday.dated == "2024年1月24日"


def test_top_stories_count_copies_once_and_leave_spam_and_small_stories_out(scored, settings):
    snow = story_id(scored, SNOW)
    before = next(s for s in weekly_of(scored, settings).stories if s["story_id"] == snow)
    for n in range(6):  # one text pasted six times: one duplicate group
        copy = add_comment(
            scored, "雪天路滑注意安全", snow, f"复制{n}", "2024-01-22T02:00:00+00:00"
        )
        add_score(scored, copy, sentiment=0.1, dup_group=900)
    advert = add_comment(scored, "加QQ 12345678 领红包", snow, "广告", "2024-01-22T02:00:00+00:00")
    add_score(scored, advert, flags=[{"code": "spam_solicit"}])
    lonely = add_comment(scored, "这篇写得很差", None, "甲", "2024-01-22T02:00:00+00:00")
    report = weekly_of(scored, settings)
    after = next(s for s in report.stories if s["story_id"] == snow)
    assert after["comments"] == before["comments"] + 1  # six copies, one comment; no advert
    assert after["negative"] == before["negative"] + 1
    assert all(story["comments"] >= 3 for story in report.stories)
    assert all(story["comments"] >= 10 for story in report.negative)
    assert lonely  # a comment without a story is counted in the total only


def test_negative_ranking_needs_enough_comments(scored, settings):
    tiny = stories.placeholder_story(scored, "demo", "tiny-story")
    for n in range(2):
        comment = add_comment(scored, f"太差了{n}", tiny, f"甲{n}", "2024-01-22T02:00:00+00:00")
        add_score(scored, comment, sentiment=0.01)
    report = weekly_of(scored, settings)
    assert tiny not in [story["story_id"] for story in report.negative]  # 2/2 is not a trend
    shares = [(s["negative"], s["share"]) for s in report.negative]
    assert shares == sorted(shares, reverse=True)


def test_typical_quotes_are_per_story_by_viewpoint_and_chosen_for_quality(scored, settings):
    snow = story_id(scored, SNOW)
    bad = {
        "顶顶顶顶顶顶顶顶顶顶顶顶": (),
        "@理性路人 你说得对，下雪天就该在家待着，出门太危险了": (),
        "加微信领取免费雪地轮胎防滑链，名额有限先到先得哦哦": ({"code": "spam_solicit"},),
        "我家停电了快来人帮忙，电话13787654321，住在建宁驿站旁边": ({"code": "personal_data"},),
    }
    for n, (text, flags) in enumerate(bad.items()):
        comment = add_comment(scored, text, snow, f"坏{n}", "2024-01-22T02:00:00+00:00")
        add_score(scored, comment, sentiment=0.05, flags=list(flags))
        scored.execute("UPDATE comments SET likes = 9999 WHERE id = ?", [comment])
    report = weekly_of(scored, settings)
    story = next(s for s in report.stories if s["story_id"] == snow)
    views = {view["view"]: view["quotes"] for view in story["views"]}
    assert "批评与质疑" in views and "肯定与支持" in views
    quoted = [quote["text"] for quotes in views.values() for quote in quotes]
    assert 2 <= len(quoted) <= 6
    for text in bad:
        assert text[:10] not in "".join(quoted)  # most liked, but spam, reply, ad, phone
    assert all(quote["outlet"] == "掌上株洲" for q in views.values() for quote in q)
    assert not quotable({"text": "期待期待期待！！！好好好好", "flag_codes": ""})


def test_quotes_and_titles_are_masked(scored, settings):
    snow = story_id(scored, SNOW)
    text = "株洲大道上的冰一直冇人铲，我打了市长热线0731-28888888也冇用，希望相关部门重视起来"
    comment = add_comment(scored, text, snow, "司机", "2024-01-22T02:00:00+00:00")
    add_score(scored, comment, sentiment=0.05)
    scored.execute("UPDATE comments SET likes = 5000 WHERE id = ?", [comment])
    scored.execute("UPDATE stories SET title = '下雪啦 联系13787654321' WHERE id = ?", [snow])
    report = weekly_of(scored, settings)
    for data in (report_docx(report), report_html(report)):
        rendered = document_text(data) if data[:2] == b"PK" else data.decode("utf-8")
        assert "13787654321" not in rendered and "28888888" not in rendered
        assert "137****4321" in rendered


def test_incidents_are_one_line_per_event(scored, settings, db):
    snow = story_id(scored, SNOW)
    rule = alert_store.save_rule(scored, {"name": "负面激增", "kind": "negative_spike"}, "t")
    other = alert_store.save_rule(scored, {"name": "关键词", "kind": "keyword"}, "t")
    for rule_id, fired, cleared in (
        (rule, "2024-01-22T02:00:00+00:00", "2024-01-22T03:00:00+00:00"),
        (other, "2024-01-22T02:10:00+00:00", "2024-01-22T03:30:00+00:00"),
        (rule, "2024-01-24T02:00:00+00:00", None),
    ):
        alert_id = alert_store.fire_alert(
            scored,
            {"rule_id": rule_id, "condition": f"story:{snow}", "title": f"《{SNOW}》负面评论激增",
             "story_id": snow, "detail": {"count": 20}},
            [],
            fired,
        )  # fmt: skip
        if cleared:
            alert_store.clear_alerts(scored, [alert_id], cleared)
    report = weekly_of(scored, settings)
    assert len(report.incidents) == 2
    first, second = report.incidents
    assert first["rules"] == ["负面激增", "关键词"] and first["when"] == "01-22 10:00–11:30"
    assert second["when"].endswith("仍在持续")
    assert "预警事件 2 起，其中 1 起仍在持续" in "".join(report.overview)


def test_report_is_the_same_bytes_when_generated_twice(scored, settings, weekly):
    again = weekly_of(scored, settings)
    assert report_docx(weekly) == report_docx(again)
    assert report_html(weekly) == report_html(again)


def test_html_report_escapes_reader_text_and_has_a_chart(weekly):
    weekly.stories[0]["views"] = [
        {"view": "批评与质疑",
         "quotes": [{"author": "<b>x</b>", "text": "<script>alert(1)</script>",
                     "outlet": "掌上株洲", "likes": 0}]},
    ]  # fmt: skip
    html = report_html(weekly).decode("utf-8")
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    assert html.count("<rect ") >= 7 and "每日评论数走势图" in html
    assert "掌上株洲" in html and ">demo<" not in html
    assert "评论舆情周报" in html and "2024年第4期" in html


def test_docx_is_a4_with_east_asian_fonts_page_numbers_masthead_and_chart(weekly):
    document = docx.Document(io.BytesIO(report_docx(weekly)))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    fonts = {
        run.element.rPr.rFonts.get(qn("w:eastAsia"))
        for paragraph in document.paragraphs
        for run in paragraph.runs
        if run.text
    }
    assert fonts <= {"宋体", "黑体"} and fonts == {"宋体", "黑体"}  # every run names one
    footer = section.footer.paragraphs[0]._p.xml
    assert 'w:instr="PAGE"' in footer
    masthead = document.paragraphs[:2]
    assert masthead[0].text == "评论舆情周报"
    assert masthead[0].style.font.color.rgb == docx.shared.RGBColor.from_string("C00000")
    assert "2024年第4期" in masthead[1].text and "2024年1月26日" in masthead[1].text
    assert 'w:color="C00000"' in masthead[1]._p.xml  # the red rule
    assert len(document.inline_shapes) == 1  # the chart
    assert "Heading 1" not in {paragraph.style.name for paragraph in document.paragraphs}
    for paragraph in document.paragraphs:  # no theme-blue headings: black, grey or red
        rgb = paragraph.style.font.color.rgb
        assert rgb is None or rgb[0] >= rgb[2], (paragraph.style.name, rgb)
    text = document_text(report_docx(weekly))
    assert "掌上株洲" in text and "一、舆情概述" in text and "典型言论" in text


def test_table_columns_fit_their_content():
    widths = column_widths(
        ["稿件", "渠道", "评论"], [("一个很长很长的稿件标题" * 3, "掌上株洲", 37)], 156
    )
    assert abs(sum(widths) - 156) < 0.01
    assert widths[0] > widths[1] > widths[2] >= 2 * 2 + 4  # the number column stays narrow
    assert widths[1] >= 8 * 2  # 掌上株洲 never wraps
    small = column_widths(["倾向", "评论"], [("正面", 64)], 156)
    assert sum(small) < 156  # a small table keeps its natural width
    assert Mm(widths[0])


def test_chart_png_is_a_valid_image_of_the_data():
    chart = charts.layout(["01-19", "01-20"], [("掌上株洲", [3, 10]), ("株洲新闻网", [2, 0])])
    assert chart.top == 10 and len(chart.bars) == 3
    tallest = max(chart.bars, key=lambda bar: bar.height)
    assert tallest.count == 10 and tallest.channel == "掌上株洲"
    image = charts.png(chart)
    assert image[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", image[16:24]) == (charts.WIDTH, charts.HEIGHT)


@pytest.mark.parametrize(
    "kind, day, period",
    [
        ("daily", date(2024, 1, 25), (date(2024, 1, 25),) * 2),
        ("weekly", date(2024, 1, 25), (date(2024, 1, 19), date(2024, 1, 25))),
    ],
)
def test_report_periods(kind, day, period):
    assert period_for(kind, day) == period


def test_the_chart_counts_a_day_as_the_overview_does(scored, settings):
    """As found: the 走势图 showed 53 for a day whose 舆情概述 said 10 (copies and spam
    counted in the chart only)."""
    for day in (date(2024, 1, 22), date(2024, 1, 23)):
        report = gather(scored, "daily", day, day, labels=LABELS)
        assert report.trend[-1]["day"] == day.isoformat()
        assert report.trend[-1]["total"] == report.sentiment["total"]


@pytest.mark.parametrize(
    "text, sentiment, corrected, expected",
    [
        ("请问京港澳高速株洲段什么时候恢复通行？", 0.2, False, "neutral"),
        ("建议在湘江边多设几个除冰点，方便早上出门的人。", 0.25, False, "neutral"),
        ("路面结冰一个星期了，为什么还没有人来处理？", 0.2, False, "negative"),  # rhetorical
        ("什么时候通车？等得人都要疯了，太差劲了！", 0.03, False, "negative"),  # strongly negative
        ("请问什么时候恢复供水？", 0.2, True, "negative"),  # a moderator said negative
        ("物业一个月都不修电梯，太不像话了。", 0.2, False, "negative"),  # no question
    ],
)
def test_a_plain_question_or_suggestion_is_not_filed_as_criticism(
    text, sentiment, corrected, expected
):
    candidate = {"text": text, "label": "negative", "sentiment": sentiment, "corrected": corrected}
    assert viewpoint(candidate) == expected
    assert viewpoint({**candidate, "label": "positive"}) == "positive"
