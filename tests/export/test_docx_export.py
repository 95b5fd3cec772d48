"""The DOCX exports opened with python-docx: headings, order, bold prefix, masked data."""

import io

import docx

from moderation.export import formats, ranking
from moderation.storage import editions as store
from tests.export.conftest import build_seed_edition, signed_seed_edition
from tests.seed import seed_quote_lines


def test_column_docx_is_a4_with_east_asian_fonts_and_named_styles(seeded):
    from docx.oxml.ns import qn

    edition = signed_seed_edition(seeded)
    document = docx.Document(io.BytesIO(formats.export_edition(seeded, edition, "docx").content))
    for section in document.sections:
        size = (round(section.page_width.mm), round(section.page_height.mm))
        assert size == (210, 297)  # A4, not US Letter
        assert round(section.left_margin.mm) == round(section.right_margin.mm) == 55
    styles = [p.style.name for p in document.paragraphs]
    assert styles[:3] == ["栏目标题", "编者导语", "网友评论"]
    assert set(styles) == {"栏目标题", "编者导语", "网友评论"}  # story titles are not printed
    runs = [run for p in document.paragraphs for run in p.runs]
    assert runs
    for paragraph in document.paragraphs:
        expected = "黑体" if paragraph.style.name == "栏目标题" else "宋体"
        for run in paragraph.runs:
            assert run._element.rPr.rFonts.get(qn("w:eastAsia")) == expected, run.text
    for name, font in (("栏目标题", "黑体"), ("编者导语", "宋体"), ("网友评论", "宋体")):
        assert document.styles[name].element.rPr.rFonts.get(qn("w:eastAsia")) == font


def test_column_docx_headings_order_bold_prefix_and_masking(seeded):
    edition = build_seed_edition(seeded)
    quote = store.sections(seeded, edition)[0]["quotes"][1]
    masked_text = quote["excerpt"] + "联系我13912345678"
    store.update_quote(seeded, edition, quote["id"], masked_text, "株洲凯旋名门", False, "ed")
    document = docx.Document(io.BytesIO(formats.export_edition(seeded, edition, "docx").content))
    assert [p.text for p in document.paragraphs if p.style.name == "栏目标题"] == ["融媒·观察"]
    quotes = [p for p in document.paragraphs if p.text.startswith("网友@")]
    expected = seed_quote_lines()
    expected[1] = expected[1] + "联系我139****5678"
    assert [p.text for p in quotes] == expected
    for paragraph in quotes:
        prefix, text = paragraph.runs
        assert prefix.bold and prefix.text.startswith("网友@") and prefix.text.endswith("：")
        assert not text.bold
    assert "13912345678" not in "\n".join(p.text for p in document.paragraphs)
    intro = next(p.text for p in document.paragraphs if p.style.name == "编者导语")
    assert intro.startswith("1月22日，2024年的第一场雪")
    assert document.core_properties.created.year == 2024


def test_ranking_docx_has_the_printed_lines(db, settings):
    from datetime import date

    from moderation import pipeline

    pipeline.collect_channel(db, settings, settings.channel("demo"))
    start, end = date(2024, 1, 19), date(2024, 1, 25)
    stories = ranking.rank_stories(db, start, end)
    body = ranking.ranking_docx(start, end, stories)
    assert ranking.ranking_docx(start, end, stories) == body
    lines = [p.text for p in docx.Document(io.BytesIO(body)).paragraphs]
    text = ranking.ranking_text(start, end, stories)
    assert lines == [line for line in text.splitlines() if line]


def test_column_docx_before_sign_off_is_marked_unsigned_on_every_page(seeded):
    edition = build_seed_edition(seeded)
    document = docx.Document(io.BytesIO(formats.export_edition(seeded, edition, "docx").content))
    assert document.paragraphs[0].text == "【未签发 · 仅供校对，不得付印】"
    assert document.paragraphs[0].style.name == "未签发标记"
    assert document.sections[0].header.paragraphs[0].text == "【未签发 · 仅供校对，不得付印】"
    signed = signed_seed_edition(seeded, "2024-02-02")
    document = docx.Document(io.BytesIO(formats.export_edition(seeded, signed, "docx").content))
    assert "未签发" not in "\n".join(p.text for p in document.paragraphs)
    assert "未签发" not in document.sections[0].header.paragraphs[0].text
