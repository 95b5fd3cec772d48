"""The 舆情 report as a DOCX the 总编室 prints: A4, 宋体 body and 黑体 headings as East Asian
fonts, a red masthead with 期号, date and 编制单位 over a red rule, page numbers in the
footer, the 走势图 as a picture, tables whose columns are as wide as their content needs.

No built-in heading style is used (python-docx's default template colours them blue): the
report's own named styles are black, and every run names its East Asian font.
"""

from __future__ import annotations

import io

from moderation.export import chart as charts
from moderation.export import docx_export
from moderation.export.docx_export import BODY_FONT, HEADING_FONT, LATIN_FONT

RED = "C00000"
MARGINS_MM = {"top": 30, "bottom": 28, "left": 28, "right": 26}
TEXT_WIDTH_MM = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]
MASTHEAD, SUBHEAD, SECTION, BODY, QUOTE, SMALL = (
    "报头",
    "报头信息",
    "报告小节",
    "报告正文",
    "典型言论",
    "报告附注",
)


def _qn(name: str):
    from docx.oxml.ns import qn

    return qn(name)


def _fonts(target, east_asian: str) -> None:
    target.font.name = LATIN_FONT
    fonts = target.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(_qn("w:eastAsia"), east_asian)


def _styles(document) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    normal = document.styles["Normal"]
    normal.font.size = Pt(12)  # 小四
    _fonts(normal, BODY_FONT)
    spec = {
        MASTHEAD: (HEADING_FONT, 24, True, RED, WD_ALIGN_PARAGRAPH.CENTER),
        SUBHEAD: (BODY_FONT, 11, False, None, WD_ALIGN_PARAGRAPH.CENTER),
        SECTION: (HEADING_FONT, 14, False, None, None),
        BODY: (BODY_FONT, 12, False, None, WD_ALIGN_PARAGRAPH.JUSTIFY),
        QUOTE: (BODY_FONT, 11, False, None, None),
        SMALL: (BODY_FONT, 9, False, "555555", None),
    }
    for name, (font, size, bold, color, align) in spec.items():
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.color.rgb = RGBColor.from_string(color or "000000")
        _fonts(style, font)
        style.paragraph_format.space_after = Pt(4)
        style.paragraph_format.line_spacing = 1.3
        if align is not None:
            style.paragraph_format.alignment = align
    document.styles[BODY].paragraph_format.first_line_indent = Pt(24)  # two characters
    document.styles[SECTION].paragraph_format.space_before = Pt(12)
    document.styles[QUOTE].paragraph_format.left_indent = Pt(24)


def _page(document) -> None:
    """A4 portrait, the margins, and the footer's centred page number (a PAGE field)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.shared import Mm

    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
        section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
        paragraph = section.footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(paragraph, "— ", BODY_FONT)
        field = OxmlElement("w:fldSimple")
        field.set(_qn("w:instr"), "PAGE")
        inner = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "1"
        inner.append(text)
        field.append(inner)
        paragraph._p.append(field)
        _run(paragraph, " —", BODY_FONT)


def _run(paragraph, text: str, east_asian: str, bold: bool = False, color: str | None = None):
    from docx.shared import RGBColor

    run = paragraph.add_run(text)
    run.bold = bold or None
    _fonts(run, east_asian)
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    return run


def _red_rule(paragraph) -> None:
    """A red rule under the paragraph (the masthead's line)."""
    from docx.oxml import OxmlElement

    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "4"), ("w:color", RED)):
        bottom.set(_qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _para(document, text: str, style: str, font: str = BODY_FONT, bold: bool = False):
    paragraph = document.add_paragraph(style=style)
    _run(paragraph, text, font, bold)
    return paragraph


def display_width(text: str) -> int:
    """How wide text sets: a Chinese character counts two, anything else one."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


CHAR_MM = 2.0  # half a 五号 (10.5 pt) Chinese character: what one display-width unit takes
CELL_PADDING_MM = 5.0  # the cell margins (1.9 mm a side) and a little air


def column_widths(columns: list[str], rows: list[tuple], total_mm: float) -> list[float]:
    """Column widths in mm fitted to what each column holds: every column at least as wide
    as its heading and its short values (a number, a channel label never wraps), the rest
    of the line shared by how much longer text each column has; a table that fits keeps
    its natural width."""
    least, wanted = [], []
    for index, heading in enumerate(columns):
        cells = [display_width(str(row[index])) for row in rows]
        longest = max(cells, default=0)
        floor = max(display_width(heading), min(longest, 10))
        least.append(floor * CHAR_MM + CELL_PADDING_MM)
        wanted.append(max(floor, min(longest, 70)) * CHAR_MM + CELL_PADDING_MM)
    if sum(wanted) <= total_mm:
        return wanted
    spare = max(total_mm - sum(least), 0.0)
    extra = [want - low for want, low in zip(wanted, least, strict=True)]
    share = sum(extra) or 1.0
    return [low + spare * more / share for low, more in zip(least, extra, strict=True)]


def _table(document, columns: list[str], rows: list[tuple], numeric=()) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.shared import Mm, Pt

    if not rows:
        _para(document, "（本期无）", SMALL)
        return
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = column_widths(columns, rows, TEXT_WIDTH_MM)
    for index, width in enumerate(widths):
        table.columns[index].width = Mm(width)
    for row_index, values in enumerate([tuple(columns), *rows]):
        cells = table.rows[0].cells if row_index == 0 else table.add_row().cells
        for index, (cell, value) in enumerate(zip(cells, values, strict=True)):
            cell.width = Mm(widths[index])
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(0)
            header = row_index == 0
            run = _run(paragraph, str(value), HEADING_FONT if header else BODY_FONT)
            run.font.size = Pt(10.5)
            if index in numeric and not header:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if header:
                shading = OxmlElement("w:shd")
                for key, val in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", "F2F2F2")):
                    shading.set(_qn(key), val)
                cell._tc.get_or_add_tcPr().append(shading)


def briefing_docx(report) -> bytes:
    """The report (an ``export.report.Report``) as DOCX bytes, pinned to its last day."""
    from docx.shared import Mm

    document = docx_export.new_document(
        report.title, docx_export.stamp_for(report.last.isoformat())
    )
    _styles(document)
    _page(document)
    kind = "日报" if report.kind == "daily" else "周报"
    _para(document, f"评论舆情{kind}", MASTHEAD, HEADING_FONT, bold=True)
    masthead = document.add_paragraph(style=SUBHEAD)
    _run(masthead, f"{report.issue}　　{report.unit} 编　　{report.dated}", BODY_FONT)
    _red_rule(masthead)
    _para(document, report.title, SUBHEAD, HEADING_FONT)

    _para(document, "一、舆情概述", SECTION, HEADING_FONT)
    for line in report.overview:
        _para(document, line, BODY)
    if report.assessment:
        _para(document, "二、研判与建议", SECTION, HEADING_FONT)
        for line in report.assessment.splitlines():
            if line.strip():
                _para(document, line.strip(), BODY)
    numbers = iter("三四五六七八九十" if report.assessment else "二三四五六七八九十")

    _para(document, f"{next(numbers)}、评论走势", SECTION, HEADING_FONT)
    chart = report.chart()
    document.add_picture(io.BytesIO(charts.png(chart)), width=Mm(TEXT_WIDTH_MM))
    legend = document.add_paragraph(style=SMALL)
    _run(legend, "图：每日评论数（按渠道分色）　", BODY_FONT)
    for label, color in report.chart_colors().items():
        _run(legend, "■", BODY_FONT, color=color.lstrip("#").upper())
        _run(legend, f"{label}　", BODY_FONT)
    _table(
        document,
        ["渠道", "评论", "占比", "正面", "中性", "负面"],
        [
            (
                c["label"],
                c["comments"],
                f"{c['share']:.0%}",
                c["positive"],
                c["neutral"],
                c["negative"],
            )
            for c in report.channels
        ],  # fmt: skip
        numeric=(1, 2, 3, 4, 5),
    )

    _para(document, f"{next(numbers)}、情感分布", SECTION, HEADING_FONT)
    total = report.sentiment.get("total", 0)
    _table(
        document,
        ["倾向", "评论", "占比"],
        [
            (
                name,
                report.sentiment.get(key, 0),
                f"{report.sentiment.get(key, 0) / total:.0%}" if total else "—",
            )
            for key, name in (("positive", "正面"), ("neutral", "中性"), ("negative", "负面"))
        ],  # fmt: skip
        numeric=(1, 2),
    )

    _para(document, f"{next(numbers)}、热点稿件", SECTION, HEADING_FONT)
    _table(
        document,
        ["稿件", "渠道", "评论", "负面", "热词"],
        [
            (
                s["title"],
                "、".join(s["outlets"]),
                s["comments"],
                s["negative"],
                "、".join(s["keywords"]),
            )
            for s in report.stories
        ],  # fmt: skip
        numeric=(2, 3),
    )
    if report.negative:
        _para(document, "负面评论较多的稿件（评论不少于 10 条）：", SMALL)
        _table(
            document,
            ["稿件", "评论", "负面", "负面占比"],
            [
                (s["title"], s["comments"], s["negative"], f"{s['share']:.0%}")
                for s in report.negative
            ],
            numeric=(1, 2, 3),
        )

    _para(document, f"{next(numbers)}、典型言论", SECTION, HEADING_FONT)
    quoted = [story for story in report.stories if story.get("views")]
    if not quoted:
        _para(document, "（本期无）", SMALL)
    for story in quoted:
        _para(
            document, f"《{story['title']}》", BODY, HEADING_FONT
        ).paragraph_format.first_line_indent = 0
        for view in story["views"]:
            _para(document, f"{view['view']}：", QUOTE, HEADING_FONT)
            for quote in view["quotes"]:
                paragraph = document.add_paragraph(style=QUOTE)
                _run(paragraph, f"{quote['outlet']}网友@{quote['author']}：", BODY_FONT, True)
                _run(paragraph, quote["text"], BODY_FONT)

    _para(document, f"{next(numbers)}、预警事件", SECTION, HEADING_FONT)
    _table(
        document,
        ["时间（北京）", "事件", "触发规则", "峰值"],
        [
            (e["when"], e["title"], "、".join(e["rules"]), e["peak"] or "—")
            for e in report.incidents
        ],
        numeric=(3,),
    )

    _para(document, f"{next(numbers)}、新闻点击排行", SECTION, HEADING_FONT)
    from moderation.export.ranking import format_count

    _table(
        document,
        ["排名", "稿件", "阅读"],
        [(n, s.title, format_count(s.reads)) for n, s in enumerate(report.ranking, 1)],
        numeric=(0, 2),
    )
    if report.metrics and report.metrics.by_moderator:
        _para(document, f"{next(numbers)}、审核工作量", SECTION, HEADING_FONT)
        _table(
            document,
            ["日期", "审核员", "通过", "拒绝"],
            [
                (m["period"], m["actor"], m["approve"], m["reject"])
                for m in report.metrics.by_moderator
            ],
            numeric=(2, 3),
        )
    return docx_export.fixed_zip(document)
