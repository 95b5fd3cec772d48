"""Turn stored approved comments into column sections."""

from __future__ import annotations

from moderation.export.column_text import Quote, Section, render_column
from moderation.export.masking import mask
from moderation.storage.column import approved_by_story


def display_name(comment: dict) -> str:
    """The name printed after 网友@: the reader's display name, else a short pseudonym."""
    return comment.get("author_name") or "读者" + comment["author_key"][-4:]


def approved_sections(db, until: str | None = None) -> list[Section]:
    """One section per story with approved comments, quotes in approval order, personal data
    masked as in every other export."""
    return [
        Section(
            heading=story["title"],
            intro=story["intro"],
            quotes=tuple(Quote(display_name(c), mask(c["text"])) for c in story["comments"]),
        )
        for story in approved_by_story(db, until)
    ]


def approved_column_text(db, title: str, until: str | None = None) -> str:
    """The column text of everything approved so far."""
    return render_column(title, approved_sections(db, until))
