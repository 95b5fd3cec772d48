"""The seed page's printed reader comments, read from the page itself."""

from __future__ import annotations

import re
from pathlib import Path

# The printed page's 融媒·观察 column and click ranking, shipped with the tests (a verbatim
# excerpt of shared/seed/zhuzhou-daily-page.txt), so a plain clone runs every seed test.
SEED_PAGE = Path(__file__).resolve().parent / "fixtures" / "seed" / "zhuzhou-daily-page.txt"
QUOTE = re.compile(r"^网友@(?P<name>[^：]+)：(?P<text>.+)$")


def seed_quote_lines() -> list[str]:
    """Every `网友@…：…` line of the printed page, in page order."""
    text = SEED_PAGE.read_text(encoding="utf-8")
    return [line for line in text.splitlines() if QUOTE.match(line)]


def seed_snow_lines() -> list[str]:
    """The quotes printed under the first-snow story (the first six)."""
    return seed_quote_lines()[:6]


def seed_talent_lines() -> list[str]:
    """The quotes printed under the young-talent story (the last four)."""
    return seed_quote_lines()[6:]


def seed_ranking_block() -> str:
    """The printed 新闻点击排行榜 block, cut from the page: heading to the last count line."""
    lines = SEED_PAGE.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("新闻点击排行榜("))
    end = max(i for i, line in enumerate(lines) if line.startswith("访问量:"))
    return "\n".join(lines[start : end + 1]) + "\n"


def comment_id_for(db, line: str) -> int:
    """The stored comment whose author and text make this printed line."""
    match = QUOTE.match(line)
    row = db.execute(
        "SELECT id FROM comments WHERE author_name = ? AND text = ?",
        [match["name"], match["text"]],
    ).fetchone()
    assert row, f"demo channel lacks the seed comment {line}"
    return row[0]


def seed_column_text() -> str:
    """The printed 融媒·观察 column as the page sets it: the title, then per story the
    editor's intro (the paragraph before its first quote) and its quotes, blank-line separated.
    Other articles' paragraphs printed in between on the page are not part of the column."""
    lines = [line for line in SEED_PAGE.read_text(encoding="utf-8").splitlines() if line]
    paragraphs = ["融媒·观察"]
    for index, line in enumerate(lines):
        if QUOTE.match(line):
            if not QUOTE.match(lines[index - 1]):
                paragraphs.append(lines[index - 1])  # the intro
            paragraphs.append(line)
    return "\n\n".join(paragraphs) + "\n"
