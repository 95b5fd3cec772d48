"""The seed page's printed reader comments, read from the page itself."""

from __future__ import annotations

import re
from pathlib import Path


def _find_seed_page() -> Path:
    """The shared seed page next to the checkout, or next to a worktree folder above it."""
    here = Path(__file__).resolve().parent.parent
    candidates = [folder / "shared" / "seed" / "zhuzhou-daily-page.txt" for folder in here.parents]
    return next((path for path in candidates if path.exists()), candidates[0])


SEED_PAGE = _find_seed_page()
QUOTE = re.compile(r"^网友@(?P<name>[^：]+)：(?P<text>.+)$")


def seed_quote_lines() -> list[str]:
    """Every `网友@…：…` line of the printed page, in page order."""
    text = SEED_PAGE.read_text(encoding="utf-8")
    return [line for line in text.splitlines() if QUOTE.match(line)]


def seed_snow_lines() -> list[str]:
    """The quotes printed under the first-snow story (the first six)."""
    return seed_quote_lines()[:6]
