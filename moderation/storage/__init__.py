"""All SQL lives here, one module per table family. Functions take `db` first and return
plain dicts."""

from collections.abc import Iterator, Sequence

IN_CHUNK = 500  # values per "IN (...)": well under SQLite's limit on bound parameters


def in_chunks(values: Sequence, size: int = IN_CHUNK) -> Iterator[tuple[list, str]]:
    """Split `values` for ``IN (...)`` look-ups: each chunk with its ``?,?,...`` marks."""
    for start in range(0, len(values), size):
        chunk = list(values[start : start + size])
        yield chunk, ",".join("?" * len(chunk))
