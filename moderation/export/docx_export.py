"""DOCX exports through python-docx, byte-for-byte reproducible.

python-docx stamps the core properties with the current time and writes zip entries with the
current date; both are pinned here (to the edition's date) so the same edition always gives
the same file.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

from moderation.export.column_text import QUOTE_COLON, QUOTE_PREFIX, Section

ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can carry
# Print layout: A4, with margins that leave a newspaper column's measure (about 27 characters
# of 五号 type per line is set by the layout program; the file keeps a narrow text block).
A4_MM = (210, 297)
MARGINS_MM = {"top": 25, "bottom": 25, "left": 55, "right": 55}
BODY_FONT, HEADING_FONT, LATIN_FONT = "宋体", "黑体", "Times New Roman"
# Named paragraph styles, so a layout program (方正飞翔, InDesign) maps them to its own.
TITLE_STYLE, HEADING_STYLE, INTRO_STYLE, QUOTE_STYLE, MARK_STYLE = (
    "栏目标题",
    "稿件标题",
    "编者导语",
    "网友评论",
    "未签发标记",
)


def _set_fonts(target, east_asian: str) -> None:
    """Latin and East Asian font of a style or run (w:rFonts w:eastAsia, which Word uses for
    Chinese characters; python-docx's font.name sets only the Latin ones)."""
    from docx.oxml.ns import qn

    target.font.name = LATIN_FONT
    fonts = target.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)


def _add_style(document, name: str, east_asian: str, size_pt: float, bold: bool = False):
    """A named paragraph style based on Normal."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt

    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.font.size = Pt(size_pt)
    style.font.bold = bold
    _set_fonts(style, east_asian)
    style.paragraph_format.space_after = Pt(6)
    return style


def _page_setup(document) -> None:
    """A4 portrait with the column's margins on every section."""
    from docx.shared import Mm

    for section in document.sections:
        section.page_width, section.page_height = Mm(A4_MM[0]), Mm(A4_MM[1])
        section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
        section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])


def _print_document(title: str, stamp: datetime):
    """A document ready for layout: A4, margins, Chinese fonts, the four named styles."""
    from docx.shared import Pt

    document = new_document(title, stamp)
    _page_setup(document)
    normal = document.styles["Normal"]
    normal.font.size = Pt(10.5)  # 五号
    _set_fonts(normal, BODY_FONT)
    _add_style(document, TITLE_STYLE, HEADING_FONT, 16, bold=True)
    _add_style(document, HEADING_STYLE, HEADING_FONT, 12, bold=True)
    _add_style(document, INTRO_STYLE, BODY_FONT, 10.5)
    _add_style(document, QUOTE_STYLE, BODY_FONT, 10.5)
    return document


def _add_run(paragraph, text: str, east_asian: str, bold: bool = False):
    """A run with its East Asian font set explicitly (so no viewer falls back to a Latin one)."""
    run = paragraph.add_run(text)
    run.bold = bold or None
    _set_fonts(run, east_asian)
    return run


def new_document(title: str, stamp: datetime):
    """A python-docx Document with pinned properties (the column, the ranking, the reports)."""
    from docx import Document

    document = Document()
    props = document.core_properties
    props.title = title
    props.author = "株洲日报融媒体"
    props.last_modified_by = "moderation"
    props.created = stamp
    props.modified = stamp
    props.revision = 1
    return document


def fixed_zip(document) -> bytes:
    """Save, then rewrite every zip entry with a fixed date and attributes, in order."""
    raw = io.BytesIO()
    document.save(raw)
    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(fixed, "w") as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(entry.filename))
    return fixed.getvalue()


def stamp_for(date: str) -> datetime:
    """The pinned created/modified time: midnight UTC of the edition's date."""
    return datetime.fromisoformat(date).replace(tzinfo=UTC)


def column_docx(
    title: str, sections: list[Section], date: str, headings: bool = False, mark: str | None = None
) -> bytes:
    """The column for layout: A4, 宋体 body and 黑体 headings (East Asian fonts on every run),
    named styles for title, story heading (only with `headings`), intro and quote; each
    quote with a bold `网友@名字：` prefix. `mark` (未签发) goes in red above the title and
    in every page header."""
    document = _print_document(title, stamp_for(date))
    if mark:
        _add_mark(document, mark)
    _add_run(document.add_paragraph(style=TITLE_STYLE), title, HEADING_FONT)
    for section in sections:
        if headings:
            _add_run(document.add_paragraph(style=HEADING_STYLE), section.heading, HEADING_FONT)
        if section.intro:
            _add_run(document.add_paragraph(style=INTRO_STYLE), section.intro, BODY_FONT)
        for quote in section.quotes:
            paragraph = document.add_paragraph(style=QUOTE_STYLE)
            _add_run(paragraph, f"{QUOTE_PREFIX}{quote.name or ''}{QUOTE_COLON}", BODY_FONT, True)
            _add_run(paragraph, quote.text, BODY_FONT)
    return fixed_zip(document)


def _add_mark(document, mark: str) -> None:
    """A red warning line at the top of the text and in the page header."""
    from docx.shared import RGBColor

    header = document.sections[0].header.paragraphs[0]
    _add_style(document, MARK_STYLE, HEADING_FONT, 12, bold=True)
    for paragraph in (header, document.add_paragraph(style=MARK_STYLE)):
        run = _add_run(paragraph, mark, HEADING_FONT, bold=True)
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)


def ranking_docx(heading: str, entries: list[tuple[str, str]], date: str) -> bytes:
    """The click ranking: its heading, then per story the `- 标题` line and the counts line."""
    document = new_document(heading, stamp_for(date))
    document.add_heading(heading, level=2)
    for title_line, counts_line in entries:
        document.add_paragraph(title_line)
        document.add_paragraph(counts_line)
    return fixed_zip(document)
