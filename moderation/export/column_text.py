"""The "融媒·观察" column as plain text, in the printed page's exact format.

The page prints paragraphs separated by one blank line: the column title, then for each
story the editor's intro and one `网友@昵称：评论` line per quote. The story's title is not
printed as a heading on the page; `headings=True` adds it (for reading drafts).
Reader text is never altered here; full-width punctuation stays as collected.
"""

from __future__ import annotations

from dataclasses import dataclass, field

QUOTE_PREFIX = "网友@"
QUOTE_COLON = "："  # full-width, as printed


@dataclass(frozen=True)
class Quote:
    """One printed quote: the name after 网友@ (None until an editor gives one) and the text
    after the colon."""

    name: str | None
    text: str


@dataclass(frozen=True)
class Section:
    """One story's part of the column."""

    heading: str
    intro: str | None = None
    quotes: tuple[Quote, ...] = field(default_factory=tuple)


def quote_line(quote: Quote) -> str:
    """`网友@郭英：昨天晚上……` exactly as the page prints it (no name yet: `网友@：…`)."""
    return f"{QUOTE_PREFIX}{quote.name or ''}{QUOTE_COLON}{quote.text}"


def render_column(title: str, sections: list[Section], headings: bool = False) -> str:
    """The whole column as UTF-8-ready text, paragraphs separated by blank lines (story
    titles as section headings only when asked: the printed column has none)."""
    paragraphs = [title]
    for section in sections:
        if headings:
            paragraphs.append(section.heading)
        if section.intro:
            paragraphs.append(section.intro)
        paragraphs.extend(quote_line(quote) for quote in section.quotes)
    return "\n\n".join(paragraphs) + "\n"
