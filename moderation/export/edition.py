"""An edition as printable data: the column sections with masked quotes, and its TXT bytes.

The one path from an edition to the printed column: every export (TXT, DOCX, CSV, JSON),
the dashboard's builder and preview, the archive and the CLI start here, so personal data is
masked in all of them the same way and a quote without a name is refused the same way.
"""

from __future__ import annotations

from moderation.export.column_text import Quote, Section, quote_line, render_column
from moderation.export.masking import mask
from moderation.scoring.print_safe import make_printable
from moderation.storage import editions as store
from moderation.storage.column import approved_by_story

ENCODINGS = ("utf-8", "gb18030")
# Every file downloaded before a chief editor signs the edition off carries this mark.
UNSIGNED_MARK = "【未签发 · 仅供校对，不得付印】"


class ExportError(ValueError):
    """An edition that cannot be exported as it is; the message says what to fix."""


def printed_section(section: dict) -> Section:
    """A stored section as it prints: heading, intro, masked quotes in order.

    A quote still without a name keeps `name` None: the builder shows it as unsigned and
    every export refuses it (see `printable_sections`).
    """
    quotes = tuple(
        Quote(for_print(quote["display_name"]) or None, for_print(quote["excerpt"]))
        for quote in section["quotes"]
    )
    return Section(section["heading"], section["intro"], quotes)


def for_print(text: str | None) -> str | None:
    """Masked, then set by the print rule (emoji out): the last guard before paper, shared
    by every export's printed text."""
    return None if text is None else make_printable(mask(text))


def is_unsigned(edition: dict) -> bool:
    """True while no chief editor has signed the edition off (its files are marked)."""
    return edition["status"] == store.DRAFT


def column_sections(db, edition: dict) -> list[Section]:
    """The edition's sections as they print (unnamed quotes included, for the builder)."""
    return [printed_section(section) for section in store.sections(db, edition)]


def printable_sections(db, edition: dict) -> list[Section]:
    """The edition's sections, or ExportError naming the first quote without a name."""
    sections = column_sections(db, edition)
    for section in sections:
        for position, quote in enumerate(section.quotes, start=1):
            if not quote.name:
                raise ExportError(
                    f"“{section.heading}”第{position}条评论还没有署名"
                    "（网友@后的名字），请在专栏编辑页填写"
                )
    return sections


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
    one section per story in the skeleton's order, names prefilled from the channel (a
    comment without one must be named in the builder before the edition exports)."""
    edition = store.create_edition(db, date, title, actor)
    for story in approved_by_story(db, date):
        section_id = store.add_section(db, edition, story["id"], actor)
        for comment in story["comments"]:
            store.select_quote(db, edition, section_id, comment["id"], actor)
    return store.get_edition(db, date)
