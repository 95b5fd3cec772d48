"""All SQL lives here, one module per table family. Functions take `db` first and return
plain dicts."""

from collections.abc import Iterator, Sequence

IN_CHUNK = 500  # values per "IN (...)": well under SQLite's limit on bound parameters


def check_readable(db) -> None:
    """Read the database once (for health checks); raises sqlite3.Error when it cannot."""
    db.execute("SELECT 1").fetchone()


def in_chunks(values: Sequence, size: int = IN_CHUNK) -> Iterator[tuple[list, str]]:
    """Split `values` for ``IN (...)`` look-ups: each chunk with its ``?,?,...`` marks."""
    for start in range(0, len(values), size):
        chunk = list(values[start : start + size])
        yield chunk, ",".join("?" * len(chunk))
