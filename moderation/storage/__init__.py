"""All SQL lives here, one module per table family. Functions take `db` first and return
plain dicts."""

from collections.abc import Iterator, Sequence

from moderation.states import AUTOMATIC_PREFIXES, DECIDING_ACTIONS, SYSTEM_ACTOR

IN_CHUNK = 500  # values per "IN (...)": well under SQLite's limit on bound parameters


def beijing_day(column: str) -> str:
    """SQL for the Beijing date (YYYY-MM-DD) of an ISO timestamp column: every per-day figure
    is grouped by the day the newsroom lives in, not the UTC date."""
    return f"date({column}, '+8 hours')"


def automatic_sql(column: str = "actor") -> str:
    """SQL true when `column` names an automatic actor (`states.is_automatic`)."""
    prefixes = " OR ".join(f"{column} LIKE '{prefix}%'" for prefix in AUTOMATIC_PREFIXES)
    return f"({column} = '{SYSTEM_ACTOR}' OR {prefixes})"


def deciding_sql(column: str = "action") -> str:
    """SQL true when a decision-log `column` is a moderation decision (`DECIDING_ACTIONS`)."""
    return f"{column} IN ({', '.join(repr(action) for action in DECIDING_ACTIONS)})"


def check_readable(db) -> None:
    """Read the database once (for health checks); raises sqlite3.Error when it cannot."""
    db.execute("SELECT 1").fetchone()


def database_key(db) -> str:
    """The file the database lives in (``memory:<id>`` for an in-memory one): a key for
    what a process keeps per database between connections."""
    conn = getattr(db, "conn", db)
    file = conn.execute("PRAGMA database_list").fetchone()[2]
    return file or f"memory:{id(conn)}"


def in_chunks(values: Sequence, size: int = IN_CHUNK) -> Iterator[tuple[list, str]]:
    """Split `values` for ``IN (...)`` look-ups: each chunk with its ``?,?,...`` marks."""
    for start in range(0, len(values), size):
        chunk = list(values[start : start + size])
        yield chunk, ",".join("?" * len(chunk))


def by_comment(db, sql: str, comment_ids) -> dict[int, list[dict]]:
    """{comment id: rows} for a page of cards; `sql` selects `comment_id` and has one
    ``{marks}`` for the ids (rows keep the query's order)."""
    comment_ids = list(comment_ids)
    found: dict[int, list[dict]] = {comment_id: [] for comment_id in comment_ids}
    for chunk, marks in in_chunks(comment_ids):
        for row in db.query(sql.format(marks=marks), chunk):
            found[row["comment_id"]].append(row)
    return found
