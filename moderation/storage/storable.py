"""Text as SQLite can store it, for every record that reaches storage from a channel."""

from __future__ import annotations

import dataclasses


def clean_text(value):
    """Text SQLite can store: lone surrogates (from broken JSON escapes) become U+FFFD."""
    if not isinstance(value, str):
        return value
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in value)


def clean_fields(record, names: tuple[str, ...]):
    """The dataclass `record` with these text fields storable (itself when all already are)."""
    changes = {name: clean_text(getattr(record, name)) for name in names}
    if all(changes[name] is getattr(record, name) for name in names):
        return record
    return dataclasses.replace(record, **changes)
