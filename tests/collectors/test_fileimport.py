"""File import: CSV, JSONL and XLSX rows, bad rows with line numbers, idempotence, the CLI."""

from __future__ import annotations

import json
import shutil
from datetime import datetime

import pytest
from click.testing import CliRunner

from moderation.cli import main
from moderation.collectors import fileimport
from tests.collectors.conftest import FIXTURES, channel_settings, collect

CHANNEL = (
    '[[channels]]\nname = "exports"\ntype = "file"\nlabel = "掌上株洲导出"\nfolder = "inbox"\n'
)


@pytest.fixture
def inbox(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def drop(inbox, name: str, target: str | None = None):
    shutil.copy(FIXTURES / "file" / name, inbox / (target or name))


def test_file_csv_keeps_good_rows_and_reports_bad_lines(inbox, open_channel):
    drop(inbox, "comments.csv")
    settings, db = open_channel(CHANNEL)
    summary = collect(db, settings)
    assert summary.status == "ok"
    assert (summary.new, summary.skipped) == (3, 2)
    assert summary.notes == [
        "comments.csv:5: missing created",
        "comments.csv:6: likes: '很多' is not a whole number",
    ]
    texts = [r[0] for r in db.execute("SELECT text FROM comments ORDER BY native_id")]
    assert texts[1] == "多行评论：\n第二行 𠀀 𪚥 龘 😀"
    row = db.execute(
        "SELECT created_at, reply_to, author_key FROM comments WHERE native_id = 'f-2'"
    ).fetchone()
    assert row == ("2024-01-24T01:30:45+00:00", "f-1", "exports:石峰区小李")
    story = db.execute("SELECT title, published_at, origin FROM stories").fetchone()
    assert story == (
        "株洲市区新增3条公交线路，1月25日起开通",
        "2024-01-24T00:00:00+08:00",
        "掌上株洲导出",
    )


def test_file_same_file_twice_adds_nothing_even_renamed(inbox, open_channel):
    drop(inbox, "comments.csv")
    settings, db = open_channel(CHANNEL)
    collect(db, settings)
    drop(inbox, "comments.csv", "copy-of-comments.csv")
    second = collect(db, settings)
    assert (second.new, second.fetched, second.skipped) == (0, 0, 0)
    assert db.table("comments").count == 3


def test_file_jsonl_bad_lines_are_numbered(inbox, open_channel):
    drop(inbox, "comments.jsonl")
    settings, db = open_channel(CHANNEL)
    summary = collect(db, settings)
    assert summary.new == 2
    assert [note.split(": ")[0] for note in summary.notes] == [
        "comments.jsonl:2",
        "comments.jsonl:3",
        "comments.jsonl:6",
    ]
    assert "invalid JSON" in summary.notes[1] and "expected an object" in summary.notes[2]


def test_file_xlsx_rows_with_excel_types(inbox, open_channel):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["评论ID", "稿件ID", "稿件标题", "昵称", "评论内容", "评论时间", "点赞数"])
    sheet.append(
        [1001.0, 88, "神农城灯会今晚亮灯", "读者丙", "灯会真美 龘", datetime(2024, 1, 24, 20, 0), 5]
    )
    sheet.append([1002, 88, None, "读者丁", None, datetime(2024, 1, 24, 21, 0), 0])
    sheet.append([None, None, None, None, None, None, None])
    sheet.append([1003, 88, None, "读者戊", "人太多了", "2024-01-24 22:00", None])
    book.save(inbox / "wechat-export.xlsx")
    settings, db = open_channel(CHANNEL)
    summary = collect(db, settings)
    assert summary.new == 2
    assert summary.notes == ["wechat-export.xlsx:3: missing content"]
    row = db.execute(
        "SELECT native_id, created_at, likes FROM comments ORDER BY native_id"
    ).fetchone()
    assert row == ("1001", "2024-01-24T12:00:00+00:00", 5)
    assert db.execute("SELECT native_id FROM stories").fetchone()[0] == "88"


def test_file_rows_without_id_get_stable_ids(inbox, open_channel):
    head = "story_id,author,content,created\n"
    second = "s1,乙,第二条,2024-01-24 09:00\n"
    (inbox / "a.csv").write_text(head + "s1,甲,第一条,2024-01-24 08:00\n" + second, "utf-8")
    (inbox / "b.csv").write_text(head + second + "s1,丙,第三条,2024-01-24 10:00\n", "utf-8")
    settings, db = open_channel(CHANNEL)
    summary = collect(db, settings)
    assert summary.new == 3  # the overlapping row is one comment
    assert all(r[0].startswith("h:") for r in db.execute("SELECT native_id FROM comments"))


def test_file_gb18030_csv_from_excel(inbox, open_channel):
    (inbox / "gbk.csv").write_bytes(
        "稿件ID,评论内容,评论时间\ns1,醴陵瓷器真好看,2024-01-24 08:00\n".encode("gb18030")
    )
    settings, db = open_channel(CHANNEL)
    assert collect(db, settings).new == 1
    assert db.execute("SELECT text FROM comments").fetchone()[0] == "醴陵瓷器真好看"


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("no-time.csv", b"story_id,content\ns1,x\n", "no column created in the header"),
        ("broken.xlsx", b"PK\x03\x04 not really a zip", "not a readable XLSX file"),
        ("empty.csv", b"", "empty file"),
    ],
)
def test_file_unreadable_file_is_reported(inbox, name, content, message, open_channel):
    (inbox / name).write_bytes(content)
    drop(inbox, "comments.csv")
    settings, db = open_channel(CHANNEL)
    summary = collect(db, settings)
    assert summary.status == "partial" and summary.new == 3  # the other file was imported
    assert any(error.startswith(f"{name}: ") and message in error for error in summary.errors)


def test_file_killed_import_resumes_after_the_stored_rows(inbox, monkeypatch, open_channel):
    rows = "\n".join(f"s1,评论{n},2024-01-24 08:{n:02d}" for n in range(10))
    (inbox / "big.csv").write_text("story_id,content,created\n" + rows + "\n", encoding="utf-8")
    settings, db = open_channel(CHANNEL + "batch_rows = 3\n")
    original = fileimport.Collector.comment
    calls = []

    def dies_on_the_eighth_row(self, row):
        calls.append(row)
        if len(calls) == 8:
            raise RuntimeError("killed")
        return original(self, row)

    monkeypatch.setattr(fileimport.Collector, "comment", dies_on_the_eighth_row)
    first = collect(db, settings)
    assert first.status == "partial" and db.table("comments").count == 6
    cursor = json.loads(db.execute("SELECT cursor FROM channels").fetchone()[0])
    assert [entry["rows"] for entry in cursor["files"].values()] == [6]
    second = collect(db, settings)
    assert second.new == 4
    texts = [r[0] for r in db.execute("SELECT text FROM comments")]
    assert len(texts) == len(set(texts)) == 10
    assert len(calls) == 8 + 4  # the second run read only the rows not stored


def run_cli(config, *args):
    return CliRunner().invoke(main, ["--config", str(config), *args])


def test_import_command_reports_rows_and_bad_lines(open_channel):
    settings, _db = open_channel(CHANNEL)
    source = FIXTURES / "file" / "comments.csv"
    result = run_cli(settings.source, "import", str(source), "--channel", "exports")
    assert result.exit_code == 0, result.output
    assert "rows read: 5" in result.output
    assert "exports: ok — rows read 5, new 3, updated 0, bad rows 2" in result.output
    assert "comments.csv:5: missing created" in result.output
    again = run_cli(settings.source, "import", str(source))  # the only file channel
    assert "new 0" in again.output and "bad rows 0" in again.output  # not a bad row
    assert "comments.csv: already imported (same content as comments.csv)" in again.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["nothing.csv", "--channel", "exports"], "nothing.csv: no such file"),
        (["{csv}", "--channel", "nope"], "unknown channel 'nope'"),
        (["{csv}", "--channel", "demo"], "import needs a file channel"),
    ],
)
def test_import_command_user_errors_exit_2(tmp_path, args, message):
    channels = CHANNEL + '[[channels]]\nname = "demo"\ntype = "demo"\n'
    config = channel_settings(tmp_path, channels).source
    csv_path = str(FIXTURES / "file" / "comments.csv")
    result = run_cli(config, "import", *[a.replace("{csv}", csv_path) for a in args])
    assert result.exit_code == 2
    assert message in result.output and result.output.startswith("error: ")


# Issue 20: binary and UTF-16 files, a huge single line, a huge XLSX cell.

CSV_HEADER = "story_id,content,created\n"


@pytest.mark.parametrize(
    "content",
    [
        bytes(range(256)) * 64,  # binary, NULs everywhere
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00\xff" * 3000,
        (CSV_HEADER + "s1,好,2024-01-24 08:00\n").encode("utf-8") + b"\x00" * 10,
    ],
    ids=["bytes", "png", "nul-after-text"],
)
def test_file_binary_file_fails_the_import(inbox, content, open_channel):
    (inbox / "photo.csv").write_bytes(content)
    settings, db = open_channel(CHANNEL)
    summary = collect(db, settings)
    assert summary.status == "failed" and db.table("comments").count == 0
    assert summary.errors == ["photo.csv: a binary file, not a text export: save it as CSV (UTF-8)"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_file_utf16_csv_is_decoded(inbox, encoding, open_channel):
    (inbox / "unicode.csv").write_bytes(
        (CSV_HEADER + "s1,炎帝陵祭典很隆重,2024-01-24 08:00\n").encode(encoding)
    )
    settings, db = open_channel(CHANNEL)
    assert collect(db, settings).status == "ok"
    assert db.execute("SELECT text FROM comments").fetchone()[0] == "炎帝陵祭典很隆重"


def test_file_utf16_tab_separated_text_from_excel(inbox, open_channel):
    rows = "稿件ID\t评论内容\t评论时间\r\ns1\t神农公园\t2024-01-24 08:00\r\n"
    (inbox / "unicode.csv").write_bytes(rows.encode("utf-16"))
    settings, db = open_channel(CHANNEL)
    assert collect(db, settings).new == 1


def test_file_huge_single_line_is_a_bad_row_read_in_bounded_pieces(inbox, open_channel):
    line = "s1," + "长" * (fileimport.MAX_LINE_CHARS + 10) + ",2024-01-24 08:00\n"
    good = "s1,正常的评论,2024-01-24 09:00\n"
    (inbox / "long.csv").write_text(CSV_HEADER + good + line + good, encoding="utf-8")
    settings, db = open_channel(CHANNEL)
    summary = collect(db, settings)
    assert summary.new == 1 and summary.status == "ok"
    assert summary.notes == [f"long.csv:3: line longer than {fileimport.MAX_LINE_CHARS} characters"]


def test_file_jsonl_huge_line_is_a_bad_row(inbox, open_channel):
    row = {"story_id": "s1", "content": "好", "created": "2024-01-24 08:00"}
    huge = {**row, "content": "长" * fileimport.MAX_LINE_CHARS}
    lines = [json.dumps(r, ensure_ascii=False) for r in (huge, row)]
    (inbox / "c.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings, db = open_channel(CHANNEL)
    summary = collect(db, settings)
    assert summary.new == 1 and summary.notes == [f"c.jsonl:1: {fileimport.TOO_LONG}"]


def crafted_xlsx(path, rows: list[tuple[str, str, str]]) -> None:
    """An XLSX of (story_id, content, created) rows, each content a shared string.

    Written by hand: Excel and openpyxl stop at 32,767 characters a cell, a crafted file does
    not. Contents are written in pieces, so a huge cell compresses to little, as in the attack.
    """
    import zipfile

    main = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(
            "xl/workbook.xml",
            f'<workbook {main} {rel}><sheets><sheet name="S" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>",
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="worksheet"/>'
            "</Relationships>",
        )
        with book.open("xl/sharedStrings.xml", "w") as strings:
            strings.write(f"<sst {main}>".encode())
            for _, content, _ in rows:
                strings.write(b"<si><t>")
                for start in range(0, len(content), 1000):
                    strings.write(content[start : start + 1000].encode())
                strings.write(b"</t></si>")
            strings.write(b"</sst>")
        cells = [("story_id", "content", "created")] + [
            (story, index, created) for index, (story, _, created) in enumerate(rows)
        ]
        xml = "".join(
            f'<row r="{number}">'
            + "".join(
                f'<c r="{column}{number}" t="s"><v>{value}</v></c>'
                if isinstance(value, int)
                else f'<c r="{column}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
                for column, value in zip("ABC", row, strict=True)
            )
            + "</row>"
            for number, row in enumerate(cells, start=1)
        )
        book.writestr(
            "xl/worksheets/sheet1.xml",
            f"<worksheet {main}><sheetData>{xml}</sheetData></worksheet>",
        )


def huge_cell_xlsx(path, cell_chars: int) -> None:
    """An XLSX whose first comment is `cell_chars` characters long, the second short."""
    crafted_xlsx(
        path, [("s1", "长" * cell_chars, "2024-01-24 08:00"), ("s1", "短评", "2024-01-24 09:00")]
    )


def test_file_xlsx_huge_cell_is_cut_while_streaming(inbox, open_channel):
    huge_cell_xlsx(inbox / "big.xlsx", 3_000_000)
    settings, db = open_channel(CHANNEL)
    rows = list(fileimport.xlsx_rows(inbox / "big.xlsx", cell_chars=1000))
    assert [len(row["content"]) for _, row in rows] == [1000, 2]
    summary = collect(db, settings)
    assert summary.new == 2
    lengths = dict(db.execute("SELECT LENGTH(text), truncated FROM comments").fetchall())
    assert lengths == {20_000: 1, 2: 0}
    payload = db.execute("SELECT MAX(LENGTH(payload)) FROM raw_payloads").fetchone()[0]
    assert payload == settings.limits.raw_payload_chars


def test_file_xlsx_formulas_and_dates(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["story_id", "content", "created", "likes"])
    book.active.append(["s1", "好", datetime(2024, 1, 24, 9, 0), "=1+1"])
    book.save(tmp_path / "types.xlsx")
    rows = list(fileimport.xlsx_rows(tmp_path / "types.xlsx"))
    # a formula gives its cached value (none saved here), never its text
    assert rows == [(2, {"story_id": "s1", "content": "好", "created": datetime(2024, 1, 24, 9),
                         "likes": None})]  # fmt: skip


def test_import_command_exit_status_tells_partial_from_failed(tmp_path, open_channel):
    settings, _db = open_channel(CHANNEL)
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    good = FIXTURES / "file" / "comments.csv"
    partial = run_cli(settings.source, "import", str(binary), str(good), "--channel", "exports")
    assert partial.exit_code == 3, partial.output
    assert "exports: partial" in partial.output and "photo.csv: a binary file" in partial.output
    other = tmp_path / "other.csv"
    other.write_bytes(b"\x00\x01\x02")
    failed = run_cli(settings.source, "import", str(other), "--channel", "exports")
    assert failed.exit_code == 1 and "exports: failed" in failed.output
