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


def _document(title: str, stamp: datetime):
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


def _fixed_zip(document) -> bytes:
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


def column_docx(title: str, sections: list[Section], date: str) -> bytes:
    """The column: its heading, each section's heading and intro, each quote with a bold
    `网友@名字：` prefix."""
    document = _document(title, stamp_for(date))
    document.add_heading(title, level=1)
    for section in sections:
        document.add_heading(section.heading, level=2)
        if section.intro:
            document.add_paragraph(section.intro)
        for quote in section.quotes:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{QUOTE_PREFIX}{quote.name}{QUOTE_COLON}").bold = True
            paragraph.add_run(quote.text)
    return _fixed_zip(document)


def ranking_docx(heading: str, entries: list[tuple[str, str]], date: str) -> bytes:
    """The click ranking: its heading, then per story the `- 标题` line and the counts line."""
    document = _document(heading, stamp_for(date))
    document.add_heading(heading, level=2)
    for title_line, counts_line in entries:
        document.add_paragraph(title_line)
        document.add_paragraph(counts_line)
    return _fixed_zip(document)


def new_document(title: str, stamp: datetime):
    """A python-docx Document with pinned properties, for other reports built here."""
    return _document(title, stamp)


def fixed_zip(document) -> bytes:
    """A finished document's bytes, reproducible (see the module's docstring)."""
    return _fixed_zip(document)
