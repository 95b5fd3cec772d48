"""One entry point for every edition export, used by the CLI, the downloads and printing."""

from __future__ import annotations

from dataclasses import dataclass

from moderation.export import docx_export, records
from moderation.export.edition import (
    ENCODINGS,
    UNSIGNED_MARK,
    ExportError,
    column_txt,
    is_unsigned,
    printable_sections,
)

FORMATS = ("txt", "docx", "csv", "json")
MIMETYPES = {
    "txt": "text/plain",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv",
    "json": "application/json",
}


@dataclass(frozen=True)
class Export:
    """An export's bytes, with what a download needs to know about them."""

    content: bytes
    fmt: str
    encoding: str
    filename: str

    @property
    def content_type(self) -> str:
        """The HTTP content type, with the charset for text formats."""
        mimetype = MIMETYPES[self.fmt]
        return mimetype if self.fmt == "docx" else f"{mimetype}; charset={self.encoding}"


def export_edition(db, edition: dict, fmt: str, encoding: str = "utf-8") -> Export:
    """The edition in one format; `encoding` applies to TXT only (the others are UTF-8)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    if encoding not in ENCODINGS or (fmt != "txt" and encoding != "utf-8"):
        raise ExportError(f"encoding {encoding!r} is not available for {fmt}")
    unsigned = is_unsigned(edition)
    if fmt == "txt":
        content = column_txt(db, edition, encoding)
        if unsigned:
            content = f"{UNSIGNED_MARK}\n\n".encode(encoding) + content
    elif fmt == "docx":
        sections = printable_sections(db, edition)
        mark = UNSIGNED_MARK if unsigned else None
        content = docx_export.column_docx(edition["title"], sections, edition["date"], mark=mark)
    elif fmt == "csv":
        content = records.edition_csv(db, edition)
    else:
        content = records.edition_json(db, edition)
    suffix = ("-unsigned" if unsigned else "") + ("-gb18030" if encoding == "gb18030" else "")
    filename = f"rongmei-guancha-{edition['date']}{suffix}.{fmt}"
    return Export(content, fmt, encoding, filename)


ARCHIVED = (
    ("txt", "utf-8"),
    ("txt", "gb18030"),
    ("docx", "utf-8"),
    ("csv", "utf-8"),
    ("json", "utf-8"),
)


def archive_exports(db, edition: dict, actor: str) -> list[Export]:
    """Store every export of an edition in the archive (done when it goes to print)."""
    from moderation.storage import edition_exports as archive

    done = []
    for fmt, encoding in ARCHIVED:
        export = export_edition(db, edition, fmt, encoding)
        archive.store_export(db, edition, fmt, encoding, export.content, actor)
        done.append(export)
    return done
