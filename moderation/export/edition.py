"""An edition as printable data: the column sections with masked quotes, and its TXT bytes.

Every export (TXT, DOCX, CSV, JSON, the preview) starts here, so personal data is masked in
all of them the same way.
"""

from __future__ import annotations

from moderation.export.column_builder import display_name
from moderation.export.column_text import Quote, Section, quote_line, render_column
from moderation.export.masking import mask
from moderation.storage import editions as store
from moderation.storage.column import approved_by_story

ENCODINGS = ("utf-8", "gb18030")


class ExportError(ValueError):
    """An edition that cannot be exported as it is; the message says what to fix."""


def printable_sections(db, edition: dict) -> list[Section]:
    """The edition's sections as printed: headings, intros, masked quotes in order."""
    result = []
    for section in store.sections(db, edition):
        quotes = []
        for quote in section["quotes"]:
            if not quote["display_name"]:
                raise ExportError(
                    f"“{section['heading']}”第{quote['position']}条评论还没有署名"
                    "（网友@后的名字），请在专栏编辑页填写"
                )
            quotes.append(Quote(mask(quote["display_name"]), mask(quote["excerpt"])))
        result.append(Section(section["heading"], section["intro"], tuple(quotes)))
    return result


def column_text(db, edition: dict) -> str:
    """The edition's column in the printed page's text format."""
    return render_column(edition["title"], printable_sections(db, edition))


def column_txt(db, edition: dict, encoding: str = "utf-8") -> bytes:
    """The TXT export: UTF-8, or GB18030 for older layout systems."""
    if encoding not in ENCODINGS:
        raise ExportError(f"unknown encoding {encoding!r} (known: {', '.join(ENCODINGS)})")
    return column_text(db, edition).encode(encoding)


def section_lengths(section: Section) -> int:
    """Characters a section takes on the page (heading, intro and quote lines, no breaks)."""
    lines = [section.heading, section.intro or "", *map(quote_line, section.quotes)]
    return sum(len(line) for line in lines)


def edition_from_approved(db, date: str, title: str, actor: str) -> dict:
    """Create the edition of `date` from every approved comment (created up to that date),
    one section per story in the skeleton's order, names prefilled or pseudonymous."""
    edition = store.create_edition(db, date, title, actor)
    for story in approved_by_story(db, date):
        section_id = store.add_section(db, edition, story["id"], actor)
        for comment in story["comments"]:
            quote = store.select_quote(db, edition, section_id, comment["id"], actor)
            if not comment["author_name"]:
                store.update_quote(
                    db, edition, quote["id"], comment["text"], display_name(comment), False, actor
                )
    return store.get_edition(db, date)
