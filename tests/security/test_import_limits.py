"""Issue 24 items 4 and 5: an import file cannot cost unbounded memory (XLSX parts full of
elements or with one giant tag) nor smuggle rows (a CSV field longer than the cap)."""

from __future__ import annotations

import tracemalloc
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moderation import pipeline
from moderation.collectors import fileimport, xlsx_stream
from moderation.db import connect
from tests.collectors.conftest import channel_settings

CHANNEL = '[[channels]]\nname = "exports"\ntype = "file"\nfolder = "inbox"\n'
MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
WORKBOOK = (
    f'<workbook {MAIN} {REL}><sheets><sheet name="S" sheetId="1" r:id="rId1"/>{{}}'
    "</sheets></workbook>"
)
RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="worksheet"/>{}'
    "</Relationships>"
)
STYLES = f'<styleSheet {MAIN}><cellXfs count="1"><xf numFmtId="14"/>{{}}</cellXfs></styleSheet>'
STRINGS = f"<sst {MAIN}><si><t>评论内容</t></si>{{}}</sst>"
SHEET = (
    f"<worksheet {MAIN}><sheetData>"
    '<row r="1"><c r="A1" t="inlineStr"><is><t>story_id</t></is></c>'
    '<c r="B1" t="s"><v>0</v></c>'
    '<c r="C1" t="inlineStr"><is><t>created</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>s1</t></is></c>'
    '<c r="B2" t="inlineStr"><is><t>正常的评论</t></is></c>'
    '<c r="C2" t="inlineStr"><is><t>2024-01-24 08:00</t></is></c></row>'
    "</sheetData></worksheet>"
)


def write_xlsx(path, part: str = "", filler: str = "", times: int = 0) -> None:
    """A one-row workbook; `part`'s placeholder is filled with `filler` × `times`, written
    in pieces so the file stays small, as in the attack."""
    parts = {
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": RELS,
        "xl/styles.xml": STYLES,
        "xl/sharedStrings.xml": STRINGS,
        "xl/worksheets/sheet1.xml": SHEET.replace("</sheetData>", "{}</sheetData>"),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, template in parts.items():
            head, _, tail = template.partition("{}")
            with book.open(name, "w", force_zip64=True) as stream:
                stream.write(head.encode())
                if name == part:
                    block = (filler * 10_000).encode()
                    for _ in range(times // 10_000):
                        stream.write(block)
                stream.write(tail.encode())


def read_peak(path, trace: bool = True) -> tuple[object, int]:
    """(the rows read, or the FileProblem raised; peak bytes allocated meanwhile)."""
    if trace:
        tracemalloc.start()
    try:
        result = list(fileimport.xlsx_rows(path))
    except fileimport.FileProblem as error:
        result = error
    finally:
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        tracemalloc.stop()
    return result, peak


def test_a_plain_workbook_still_imports(tmp_path):
    write_xlsx(tmp_path / "ok.xlsx")
    rows, _ = read_peak(tmp_path / "ok.xlsx")
    assert [row["content"] for _, row in rows] == ["正常的评论"]


@pytest.mark.parametrize(
    ("part", "filler"),
    [
        ("xl/workbook.xml", '<sheet name="x" sheetId="2" r:id="rId9"/>'),
        ("xl/_rels/workbook.xml.rels", '<Relationship Id="x" Target="y" Type="z"/>'),
        ("xl/styles.xml", '<xf numFmtId="0"/>'),
    ],
)
def test_a_small_part_full_of_elements_is_refused_in_bounded_memory(tmp_path, part, filler):
    """Every element of these parts was kept (the attack's 228 KB file took 3.4 GB)."""
    path = tmp_path / "bomb.xlsx"
    write_xlsx(path, part, filler, 3 * xlsx_stream.MAX_KEPT_ELEMENTS)
    result, peak = read_peak(path)
    assert isinstance(result, fileimport.FileProblem), result
    assert "too many elements" in str(result)
    assert peak < 64 * 2**20, f"{peak / 2**20:.0f} MB"


@pytest.mark.parametrize("filler", ["<definedName/>", "<x/><y/>" * 8])
def test_a_small_part_of_elements_not_kept_is_bounded_by_its_bytes(tmp_path, filler):
    path = tmp_path / "bomb.xlsx"
    times = xlsx_stream.MAX_SMALL_PART_BYTES // len(filler) + 10_000
    write_xlsx(path, "xl/workbook.xml", filler, times)
    result, _ = read_peak(path, trace=False)
    assert isinstance(result, fileimport.FileProblem) and "too large" in str(result)


def test_too_many_shared_strings_are_refused(tmp_path):
    path = tmp_path / "strings.xlsx"
    write_xlsx(path, "xl/sharedStrings.xml", "<si/>", xlsx_stream.MAX_SHARED_STRINGS + 10_000)
    result, _ = read_peak(path, trace=False)
    assert isinstance(result, fileimport.FileProblem) and "too many shared strings" in str(result)


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml"])
def test_one_giant_tag_is_refused_before_it_is_held_whole(tmp_path, part):
    """A 200 MB attribute value: expat buffers a start tag whole before handing it over."""
    path = tmp_path / "tag.xlsx"
    write_xlsx(path, part, "", 0)
    giant = tmp_path / "giant.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(giant, "w", zipfile.ZIP_DEFLATED) as book:
        for name in source.namelist():
            data = source.read(name)
            if name != part:
                book.writestr(name, data)
                continue
            head, _, tail = data.decode().rpartition("</")
            with book.open(name, "w", force_zip64=True) as stream:
                stream.write(head.encode() + b'<x a="')
                for _ in range(200):
                    stream.write(b"a" * 2**20)
                stream.write(b'"/></' + tail.encode())
    result, peak = read_peak(giant)
    assert isinstance(result, fileimport.FileProblem), result
    assert peak < 64 * 2**20, f"{peak / 2**20:.0f} MB"


def test_a_zip_with_a_huge_directory_is_refused(tmp_path):
    path = tmp_path / "many.xlsx"
    write_xlsx(path)
    with zipfile.ZipFile(path, "a") as book:
        for number in range(30_000):
            book.writestr(f"x/{number}", b"")
    result, _ = read_peak(path)
    assert isinstance(result, fileimport.FileProblem) and "entries" in str(result)


# Item 5: CSV rows smuggled inside a field longer than the cap.

HEADER = "id,story_id,content,created\n"


def collect(tmp_path, name: str, body: str):
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    (inbox / name).write_text(HEADER + body, encoding="utf-8", newline="")
    settings = channel_settings(tmp_path, CHANNEL)
    db = connect(settings.database_path)
    summary = pipeline.collect_channel(db, settings, settings.channel("exports"))
    return db, summary


def smuggling_field(lines: int) -> str:
    """A quoted field of `lines` lines, each of which reads as a row on its own."""
    fake = "f-1,s1,评论已被篡改" + "x" * 1000 + ",2024-01-24 10:00\n"
    return '"' + fake * lines + '"'


def test_a_field_over_the_cap_is_one_bad_row_and_nothing_in_it_becomes_a_row(tmp_path):
    lines = fileimport.MAX_LINE_CHARS // 1000 + 10
    body = (
        "f-1,s1,原来的评论,2024-01-24 08:00\n"
        f"f-2,s1,{smuggling_field(lines)},2024-01-24 09:00\n"
        "f-3,s1,后面的评论,2024-01-24 11:00\n"
    )
    db, summary = collect(tmp_path, "smuggle.csv", body)
    texts = dict(db.execute("SELECT native_id, text FROM comments").fetchall())
    assert texts == {"f-1": "原来的评论", "f-3": "后面的评论"}
    assert summary.new == 2 and summary.skipped == 1
    (note,) = summary.notes
    assert note.startswith("smuggle.csv:3: ") and "longer than" in note


def test_an_approved_comment_cannot_be_rewritten_by_a_smuggled_row(tmp_path):
    db, _ = collect(tmp_path, "first.csv", "f-1,s1,原来的评论,2024-01-24 08:00\n")
    db.execute("UPDATE comments SET status = 'approved'")
    lines = fileimport.MAX_LINE_CHARS // 1000 + 10
    body = f"f-9,s1,{smuggling_field(lines)},2024-01-24 09:00\n"
    db, summary = collect(tmp_path, "second.csv", body)
    assert db.execute("SELECT text, status FROM comments").fetchall() == [
        ("原来的评论", "approved")
    ]
    assert summary.skipped == 1 and summary.new == 0


def test_a_field_under_the_cap_keeps_its_lines(tmp_path):
    body = (
        'f-1,s1,"第一行\n第二行,带逗号\n""引号""",2024-01-24 08:00\n'
        "f-2,s1,下一条,2024-01-24 09:00\n"
    )
    db, summary = collect(tmp_path, "ok.csv", body)
    texts = dict(db.execute("SELECT native_id, text FROM comments").fetchall())
    assert texts == {"f-1": '第一行\n第二行,带逗号\n"引号"', "f-2": "下一条"}
    assert summary.skipped == 0


def test_a_quote_never_closed_is_reported_where_it_opened(tmp_path):
    body = 'f-1,s1,好评,2024-01-24 08:00\nf-2,s1,"没有闭合\nf-3,s1,下一条,2024-01-24 09:00\n'
    db, summary = collect(tmp_path, "open.csv", body)
    assert [row[0] for row in db.execute("SELECT native_id FROM comments")] == ["f-1"]
    assert summary.notes == ["open.csv:3: a quote opened in this row is never closed"]


@given(st.text(alphabet='a中,"\n\r\t ', max_size=60))
def test_records_split_where_the_csv_module_ends_its_rows(text):
    """Read record by record, a file gives exactly the rows csv.reader gives read whole."""
    import csv
    import io

    for dialect, delimiter in (("excel", ","), ("excel-tab", "\t")):
        whole = list(csv.reader(io.StringIO(text, newline=""), dialect))
        lines = io.StringIO(text, newline="")
        pieces = iter(lambda lines=lines: lines.readline(7), "")  # lines cut in short pieces
        rows = []
        for _, record in fileimport.csv_records(pieces, delimiter):
            if record == fileimport.NEVER_CLOSED:
                rows = None
                break
            rows.extend(csv.reader(record, dialect))
        if rows is None:  # csv.reader would read a line after it as part of the field
            probe = list(csv.reader(io.StringIO(text + "\nZ", newline=""), dialect))
            assert probe[-1] != ["Z"] and probe[-1][-1].endswith("\nZ")
        else:
            assert rows == whole
