"""Whole numbers written as text, read only when int() reads them the way a person would.

`str.isdigit()` says yes to ①, ² and other digits int() refuses (a crafted comment id
crashed a Weibo run that way), and `int()` takes full-width and Arabic-Indic digits that no
channel sends as an id. Channels, forms and files send ids and counts as ASCII digits, so
that is what is read; anything else is not a number.
"""

from __future__ import annotations

import re

MAX_DIGITS = 18  # below 2**63: fits an SQLite integer
_WHOLE = re.compile(rf"-?[0-9]{{1,{MAX_DIGITS}}}")


def whole_number(value: object, *, signed: bool = False) -> int | None:
    """`value` as an int when it is one (not a bool) or is ASCII digits with at most
    MAX_DIGITS of them, a minus sign only when `signed`, spaces around ignored; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        in_range = abs(value) < 10**MAX_DIGITS and (signed or value >= 0)
        return value if in_range else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not _WHOLE.fullmatch(text) or (text.startswith("-") and not signed):
        return None
    return int(text)


def number_or_text(text: str) -> int | str:
    """Digits as the number an API's fields are; anything else as given (the API refuses it)."""
    number = whole_number(text)
    return text if number is None else number
