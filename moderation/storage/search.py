"""Chinese full-text search over comment text and story titles.

Terms of three or more characters go to the trigram FTS5 indexes as quoted phrases (user
input is never FTS syntax); shorter terms, which trigrams cannot match, use LIKE.
"""

from __future__ import annotations

from moderation.storage.comments import COMMENT_SELECT, _decode

MAX_TERMS = 5


def fts_phrase(term: str) -> str:
    """A term as one quoted FTS5 phrase: quotes doubled, nothing else interpreted."""
    return '"' + term.replace('"', '""') + '"'


def like_pattern(term: str) -> str:
    """A term as a LIKE substring pattern with % and _ escaped (ESCAPE '\\')."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def terms(query: str) -> list[str]:
    """The whitespace-separated terms of a query (at most MAX_TERMS)."""
    return query.split()[:MAX_TERMS]


def _term_clause(term: str) -> tuple[str, list]:
    if len(term) >= 3:
        return (
            "(c.id IN (SELECT rowid FROM comments_fts WHERE comments_fts MATCH ?) "
            "OR c.story_id IN (SELECT rowid FROM stories_fts WHERE stories_fts MATCH ?))",
            [fts_phrase(term)] * 2,
        )
    return (
        "(c.text LIKE ? ESCAPE '\\' OR s.title LIKE ? ESCAPE '\\')",
        [like_pattern(term)] * 2,
    )


def search(db, query: str, limit: int = 20, before_id: int | None = None) -> list[dict]:
    """Comments whose text or story title contains every term, newest id first."""
    words = terms(query)
    if not words:
        return []
    clauses, params = [], []
    for word in words:
        clause, values = _term_clause(word)
        clauses.append(clause)
        params.extend(values)
    if before_id is not None:
        clauses.append("c.id < ?")
        params.append(before_id)
    sql = f"{COMMENT_SELECT} WHERE {' AND '.join(clauses)} ORDER BY c.id DESC LIMIT ?"
    return [_decode(row) for row in db.query(sql, [*params, limit])]
