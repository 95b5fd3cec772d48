"""Chinese full-text search over comment text and story titles.

Terms of three or more characters go to the trigram FTS5 indexes as quoted phrases (user
input is never FTS syntax). A two-character term is looked up as the trigrams that start
with it (every indexed text ends with a mark, so a last word starts one too), read from the
index's vocabulary; a term so common that it starts hundreds of trigrams, or a single
character, is found by a LIKE scan instead, which meets enough hits within the newest rows.
"""

from __future__ import annotations

import heapq

from moderation.storage.comments import COMMENT_SELECT, decode_comment

MAX_TERMS = 5
# A two-character term starting more trigrams than this is common: the scan finds a page of
# hits sooner than an OR over that many index terms.
MAX_PREFIX_TRIGRAMS = 300


def fts_phrase(term: str) -> str:
    """A term as one quoted FTS5 phrase: quotes doubled, nothing else interpreted."""
    return '"' + term.replace('"', '""') + '"'


def like_pattern(term: str) -> str:
    """A term as a LIKE substring pattern with % and _ escaped (ESCAPE '\\')."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def terms(query: str) -> list[str]:
    """The whitespace-separated terms of a query (at most MAX_TERMS).

    NUL separates terms too: FTS5 reads it as the end of a quoted phrase ("unterminated
    string"), and no stored text contains one. So does U+0003, the index's end-of-text mark.
    """
    return query.replace("\x00", " ").replace("\x03", " ").split()[:MAX_TERMS]


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
    """Comments whose text or story title contains every term, newest id first.

    With a term the index can find (three or more characters, or a two-character one that
    is not too common), candidates stream from the trigram index in descending rowid order
    (plus the comments of stories whose title matches), and the other terms filter them in
    batches: a common word stops after a page of hits, a rare one reads only its few
    postings. Without one, a LIKE scan by descending id stops at `limit`.
    """
    words = terms(query)
    if not words:
        return []
    driver, expression = _driver(db, words)
    if driver is None:
        return _scan(db, words, limit, before_id)
    others = [word for word in words if word is not driver]
    found: list[dict] = []
    candidates = _candidates(db, driver, expression, before_id)
    for batch in _batches(candidates, CANDIDATE_BATCH):
        found.extend(_filter(db, batch, others, limit - len(found)))
        if len(found) >= limit:
            break
    return found[:limit]


CANDIDATE_BATCH = 200


def _scan(db, words: list[str], limit: int, before_id: int | None) -> list[dict]:
    clauses, params = [], []
    for word in words:
        clause, values = _term_clause(word)
        clauses.append(clause)
        params.extend(values)
    if before_id is not None:
        clauses.append("c.id < ?")
        params.append(before_id)
    sql = f"{COMMENT_SELECT} WHERE {' AND '.join(clauses)} ORDER BY c.id DESC LIMIT ?"
    return [decode_comment(row) for row in db.query(sql, [*params, limit])]


def _driver(db, words: list[str]) -> tuple[str | None, str]:
    """The term whose index look-up drives the search, and its FTS5 query ("" finds none)."""
    for word in words:
        if len(word) >= 3:
            return word, fts_phrase(word)
    for word in words:
        if len(word) == 2:
            trigrams = trigrams_starting_with(db, word)
            if len(trigrams) <= MAX_PREFIX_TRIGRAMS:
                return word, " OR ".join(fts_phrase(trigram) for trigram in trigrams)
    return None, ""


def trigrams_starting_with(db, pair: str) -> list[str]:
    """Indexed trigrams that start with a two-character term (folded like the index)."""
    folded = pair.lower()
    return [
        row[0]
        for row in db.execute(
            "SELECT term FROM comments_fts_vocab WHERE term >= ? AND term < ? LIMIT ?",
            [folded, folded + "\U0010ffff", MAX_PREFIX_TRIGRAMS + 1],
        )
    ]


def _candidates(db, term: str, expression: str, before_id: int | None):
    """Ids of comments matching `term` in their text or story title, descending, no repeats."""
    if len(term) >= 3:
        story_sql, story_term = (
            "SELECT rowid FROM stories_fts WHERE stories_fts MATCH ?",
            [fts_phrase(term)],
        )
    else:
        story_sql, story_term = (
            "SELECT id FROM stories WHERE title LIKE ? ESCAPE '\\'",
            [like_pattern(term)],
        )
    story_ids = [row[0] for row in db.execute(story_sql, story_term)]
    streams = [_fts_ids(db, expression, before_id)] if expression else []
    if story_ids:
        streams.append(_story_comment_ids(db, story_ids, before_id))
    last = None
    for comment_id in heapq.merge(*streams, reverse=True):
        if comment_id != last:
            yield comment_id
            last = comment_id


def _fts_ids(db, expression: str, before_id: int | None, chunk: int = 500):
    cursor = before_id if before_id is not None else 2**62
    while True:
        ids = [
            row[0]
            for row in db.execute(
                "SELECT rowid FROM comments_fts WHERE comments_fts MATCH ? AND rowid < ? "
                "ORDER BY rowid DESC LIMIT ?",
                [expression, cursor, chunk],
            )
        ]
        yield from ids
        if len(ids) < chunk:
            return
        cursor = ids[-1]


def _story_comment_ids(db, story_ids: list[int], before_id: int | None, chunk: int = 500):
    cursor = before_id if before_id is not None else 2**62
    marks = ",".join("?" * len(story_ids))
    while True:
        ids = [
            row[0]
            for row in db.execute(
                f"SELECT id FROM comments WHERE story_id IN ({marks}) AND id < ? "
                "ORDER BY id DESC LIMIT ?",
                [*story_ids, cursor, chunk],
            )
        ]
        yield from ids
        if len(ids) < chunk:
            return
        cursor = ids[-1]


def _batches(iterable, size: int):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _filter(db, ids: list[int], others: list[str], limit: int) -> list[dict]:
    clauses, params = [f"c.id IN ({','.join('?' * len(ids))})"], list(ids)
    for word in others:
        clause, values = _term_clause(word)
        clauses.append(clause)
        params.extend(values)
    sql = f"{COMMENT_SELECT} WHERE {' AND '.join(clauses)} ORDER BY c.id DESC LIMIT ?"
    return [decode_comment(row) for row in db.query(sql, [*params, limit])]


# ---- The search page: one scope at a time, ranked, counted, filtered ----------------------

SCOPES = {"text": "评论内容", "title": "稿件标题"}
SEARCH_ORDERS = {"relevance": "相关度", "newest": "时间"}
SEARCH_COUNT_CAP = 1000
# An unfiltered search ranks the newest matches, not every match in the archive: a common
# word matches tens of thousands of comments at a million stored, and ranking them all cost
# the page over 100 ms. A filtered search (status, channel, story) ranks every match.
RANKED_CANDIDATES = 2000
# The columns and joins of every comment listing (storage.comments), around the FTS join.
_RESULT_COLUMNS, _FROM = COMMENT_SELECT.strip().removeprefix("SELECT").split("FROM comments c")
# Relevance puts spam and later copies of a duplicate group after everything else: a search
# is for finding what readers said, and their original wording.
_DEMOTED = (
    "(instr(' ' || coalesce(sc.flag_codes, '') || ' ', ' spam_') > 0 "
    "OR instr(' ' || coalesce(sc.flag_codes, '') || ' ', ' mass_posting ') > 0), "
    "(sc.dup_group IS NOT NULL AND sc.dup_group != c.id)"
)
_JOINS = _FROM.strip()


def search_comments(
    db,
    query: str,
    scope: str = "text",
    order: str = "relevance",
    filters: dict | None = None,
    limit: int = 20,
    offset: int = 0,
) -> tuple[list[dict], int]:
    """One page of comments matching every term of `query`, and how many match (capped).

    scope "text" searches the comment's own words, ranked by FTS5 bm25 when a term can use
    the trigram index (spam and later copies of a duplicate last), or by time; "title"
    finds the comments of stories whose title matches. `filters` may hold status, channel
    and story_id.
    """
    words = terms(query)
    if not words or scope not in SCOPES or order not in SEARCH_ORDERS:
        return [], 0
    match, clauses, params = _scope_clauses(db, words, scope)
    if match is None:  # a term no comment holds
        return [], 0
    filters = filters or {}
    for column, key in (
        ("c.status", "status"),
        ("c.channel", "channel"),
        ("c.story_id", "story_id"),
    ):
        if filters.get(key) is not None:
            clauses.append(f"{column} = ?")
            params.append(filters[key])
    source = "comments c"
    if match:
        newest = "" if clauses else f" ORDER BY rowid DESC LIMIT {RANKED_CANDIDATES}"
        source = (
            "(SELECT rowid, bm25(comments_fts) AS rank FROM comments_fts "
            f"WHERE comments_fts MATCH ?{newest}) m JOIN comments c ON c.id = m.rowid"
        )
        params = [match, *params]
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    ranked = f"{_DEMOTED}, m.rank, " if match and order == "relevance" else ""
    sql = (
        f"SELECT {_RESULT_COLUMNS} FROM {source} {_JOINS} {where} "
        f"ORDER BY {ranked}c.created_at DESC, c.id DESC LIMIT ? OFFSET ?"
    )
    rows = [decode_comment(row) for row in db.query(sql, [*params, limit, offset])]
    count_sql = f"SELECT COUNT(*) FROM (SELECT 1 FROM {source} {_JOINS} {where} LIMIT ?)"
    total = db.execute(count_sql, [*params, SEARCH_COUNT_CAP]).fetchone()[0]
    return rows, total


def _scope_clauses(db, words: list[str], scope: str) -> tuple[str | None, list[str], list]:
    """The FTS5 expression (text scope, "" if no term can use the index, None if a term is
    in no comment) and the other conditions with their parameters."""
    expressions, clauses, params = [], [], []
    for word in words:
        if scope == "title":
            if len(word) >= 3:
                clauses.append(
                    "c.story_id IN (SELECT rowid FROM stories_fts WHERE stories_fts MATCH ?)"
                )
                params.append(fts_phrase(word))
            else:
                clauses.append("s.title LIKE ? ESCAPE '\\'")
                params.append(like_pattern(word))
            continue
        expression = _text_expression(db, word)
        if expression is None:
            return None, [], []
        if expression:
            expressions.append(f"({expression})")
        else:
            clauses.append("c.text LIKE ? ESCAPE '\\'")
            params.append(like_pattern(word))
    return " AND ".join(expressions), clauses, params


def _text_expression(db, word: str) -> str | None:
    """The FTS5 query finding `word` in comment texts, "" when only a scan can, or None when
    no comment holds it (a pair that starts no indexed trigram, as `search` treats it)."""
    if len(word) >= 3:
        return fts_phrase(word)
    if len(word) == 2:
        trigrams = trigrams_starting_with(db, word)
        if not trigrams:
            return None
        if len(trigrams) <= MAX_PREFIX_TRIGRAMS:
            return " OR ".join(fts_phrase(trigram) for trigram in trigrams)
    return ""
