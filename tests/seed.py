"""The seed page's printed reader comments, read from the page itself."""

from __future__ import annotations

import re
from pathlib import Path

SEED_RELATIVE = Path("shared") / "seed" / "zhuzhou-daily-page.txt"


def find_seed_page() -> Path:
    """The seed page in the nearest folder above the tests that has `shared/seed/` (the main
    checkout and every worktree under /work/wt share the one at /work/shared)."""
    here = Path(__file__).resolve()
    for folder in here.parents:
        if (folder / SEED_RELATIVE).exists():
            return folder / SEED_RELATIVE
    return here.parent.parent.parent / SEED_RELATIVE


SEED_PAGE = find_seed_page()
QUOTE = re.compile(r"^网友@(?P<name>[^：]+)：(?P<text>.+)$")


def seed_quote_lines() -> list[str]:
    """Every `网友@…：…` line of the printed page, in page order."""
    text = SEED_PAGE.read_text(encoding="utf-8")
    return [line for line in text.splitlines() if QUOTE.match(line)]


def seed_snow_lines() -> list[str]:
    """The quotes printed under the first-snow story (the first six)."""
    return seed_quote_lines()[:6]
