"""The moderation queues: filtered, sorted listings with keyset pagination, and their counts.

Pages continue after the last row seen (`after` = that row's sort key and id), never with
OFFSET, so page 1000 costs what page 1 costs. Counts stop at COUNT_CAP.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from dataclasses import dataclass, field

from moderation.states import APPROVED, PENDING, REJECTED
from moderation.storage.comments import COMMENT_SELECT, decode_comment

COLUMNS = """SELECT c.*, s.title AS story_title, s.canonical_id AS story_canonical_id,
       sc.sentiment, sc.label AS sentiment_label, sc.model_version, sc.flags,
       sc.flag_codes, sc.dup_group, sc.offensive"""
STORIES = "LEFT JOIN stories s ON s.id = c.story_id"
# CROSS JOIN makes SQLite walk scores_sentiment (scores_offensive) for "most negative" ("most
# offensive") instead of sorting.
FROM_SCORES_FIRST = f"FROM scores sc CROSS JOIN comments c ON c.id = sc.comment_id {STORIES}"

COUNT_CAP = 10_000
FLAG_EDITOR = "flag_editor"

QUEUES = {
    "pending": "待审",
    "flagged": "机器标记",
    "editor": "编辑关注",
    "approved": "已通过",
    "rejected": "已拒绝",
    "all": "全部",
}
ORDERS = {
    "newest": "最新",
    "oldest": "最早",
    "negative": "最负面",
    "offensive": "最冒犯",
    "liked": "最多赞",
}
# Orders that walk an index of the scores table (comments without that score are left out).
_SCORE_ORDERS = {"negative", "offensive"}

# order -> (sort column, tie-breaking id column, descending); both match an index's order
_SORT_KEYS = {
    "newest": ("c.created_at", "c.id", True),
    "oldest": ("c.created_at", "c.id", False),
    "negative": ("sc.sentiment", "sc.comment_id", False),
    "offensive": ("sc.offensive", "sc.comment_id", True),
    "liked": ("c.likes", "c.id", True),
}
# 机器标记: a pending comment with a flag a moderator must act on (scores.act, kept by the
# signals migration's triggers: any code but scoring.flags.FACET_CODES), or held there by a
# rule (action hold, queue 机器标记).
FLAGGED_QUEUE_NAME = QUEUES["flagged"]
_NEEDS_ACTION = "(sc.act = 1 OR c.id IN (SELECT comment_id FROM rule_holds WHERE queue = ?))"

# Latest decision on a comment is a flag for the editor: nothing decided since.
_EDITOR_WAITING = (
    "c.id IN (SELECT d.comment_id FROM decisions d WHERE d.action = 'flag_editor' "
    "AND NOT EXISTS (SELECT 1 FROM decisions later "
    "WHERE later.comment_id = d.comment_id AND later.id > d.id))"
)


@dataclass
class QueueFilter:
    """What a queue page shows; every field is optional except the queue."""

    queue: str = "pending"
    channel: str | None = None
    story_id: int | None = None
    author_key: str | None = None
    since: str | None = None  # ISO-8601 UTC, inclusive
    until: str | None = None  # ISO-8601 UTC, exclusive
    sentiment_min: float | None = None
    sentiment_max: float | None = None
    offensive_min: float | None = None
    offensive_max: float | None = None
    flag: str | None = None
    dup_group: int | None = None
    held: str | None = None  # a named queue a rule held the comment in
    extra: dict = field(default_factory=dict)

    def where(self) -> tuple[list[str], list]:
        """SQL conditions and their parameters."""
        clauses, params = _queue_clause(self.queue)
        if self.channel:
            clauses.append("c.channel = ?")
            params.append(self.channel)
        if self.story_id is not None:
            clauses.append(
                "c.story_id IN (SELECT id FROM stories WHERE canonical_id = "
                "(SELECT COALESCE(canonical_id, id) FROM stories WHERE id = ?))"
            )
            params.append(self.story_id)
        if self.author_key:
            clauses.append("c.author_key = ?")
            params.append(self.author_key)
        if self.since:
            clauses.append("c.created_at >= ?")
            params.append(self.since)
        if self.until:
            clauses.append("c.created_at < ?")
            params.append(self.until)
        if self.sentiment_min is not None:
            clauses.append("sc.sentiment >= ?")
            params.append(self.sentiment_min)
        if self.sentiment_max is not None:
            clauses.append("sc.sentiment <= ?")
            params.append(self.sentiment_max)
        if self.offensive_min is not None:
            clauses.append("sc.offensive >= ?")
            params.append(self.offensive_min)
        if self.offensive_max is not None:
            clauses.append("sc.offensive <= ?")
            params.append(self.offensive_max)
        if self.flag:
            # instr, not LIKE: a code is matched whole, and % or _ in it mean themselves.
            clauses.append("instr(' ' || sc.flag_codes || ' ', ?) > 0")
            params.append(f" {self.flag} ")
        if self.dup_group is not None:
            clauses.append("sc.dup_group = ?")
            params.append(self.dup_group)
        if self.held:
            clauses.append("c.id IN (SELECT comment_id FROM rule_holds WHERE queue = ?)")
            params.append(self.held)
        return clauses, params

    def needs_scores(self) -> bool:
        """Whether the filter reads the scores table (then only scored comments match)."""
        return (
            any(
                value is not None
                for value in (
                    self.sentiment_min,
                    self.sentiment_max,
                    self.offensive_min,
                    self.offensive_max,
                    self.flag,
                    self.dup_group,
                )
            )
            or self.queue == "flagged"
        )


def _queue_clause(queue: str) -> tuple[list[str], list]:
    if queue in ("pending", "approved", "rejected"):
        return ["c.status = ?"], [{"pending": PENDING, "approved": APPROVED}.get(queue, REJECTED)]
    if queue == "flagged":
        return ["c.status = ?", _NEEDS_ACTION], [PENDING, FLAGGED_QUEUE_NAME]
    if queue == "editor":
        return [_EDITOR_WAITING], []
    if queue == "all":
        return [], []
    raise ValueError(f"unknown queue {queue!r}")


def encode_cursor(row: dict, order: str) -> str:
    """The opaque `after` token for the page that follows `row`."""
    column = _SORT_KEYS[order][0].split(".")[1]
    value = row[column]
    raw = json.dumps([value, row["id"]]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str | None) -> tuple | None:
    """The (sort value, id) of an `after` token; None for a missing or malformed one."""
    if not token:
        return None
    try:
        value, comment_id = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, TypeError):
        return None
    if not isinstance(comment_id, int) or not isinstance(value, str | int | float):
        return None
    # SQLite cannot bind an integer beyond 64 bits: such a token was not made by us.
    if any(isinstance(n, int) and abs(n) >= 2**63 for n in (value, comment_id)):
        return None
    return value, comment_id


def _query(filters: QueueFilter, order: str, after: tuple | None, limit: int):
    column, tie, descending = _SORT_KEYS[order]
    clauses, params = filters.where()
    if order in _SCORE_ORDERS:
        source = FROM_SCORES_FIRST
        clauses.append(f"{column} IS NOT NULL")  # keyset comparisons skip NULLs
    else:
        join = "JOIN" if filters.needs_scores() else "LEFT JOIN"
        source = f"FROM comments c {join} scores sc ON sc.comment_id = c.id {STORIES}"
    if after is not None:
        clauses.append(f"({column}, {tie}) {'<' if descending else '>'} (?, ?)")
        params.extend(after)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    direction = "DESC" if descending else ""
    sql = f"{COLUMNS} {source} {where} ORDER BY {column} {direction}, {tie} {direction} LIMIT ?"
    return sql, [*params, limit]


def list_queue(
    db, filters: QueueFilter, order: str = "newest", after: str | None = None, limit: int = 20
) -> tuple[list[dict], str | None]:
    """One page of a queue and the `after` token of the next page (None on the last page)."""
    if order not in ORDERS:
        raise ValueError(f"unknown order {order!r}")
    sql, params = _query(filters, order, decode_cursor(after), limit + 1)
    rows = [decode_comment(row) for row in db.query(sql, params)]
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1], order) if more and rows else None


def explain(db, filters: QueueFilter, order: str = "newest", after: str | None = None) -> list:
    """SQLite's plan for a queue page (to check that it walks an index)."""
    sql, params = _query(filters, order, decode_cursor(after), 21)
    return [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql, params)]


def count(db, filters: QueueFilter, cap: int = COUNT_CAP) -> int:
    """How many comments match, counting no further than `cap` (so it stays cheap)."""
    if filters.queue == "flagged":
        return _count_flagged(db, filters, cap)
    clauses, params = filters.where()
    join = "JOIN" if filters.needs_scores() else "LEFT JOIN"
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    sql = (
        f"SELECT COUNT(*) FROM (SELECT 1 FROM comments c {join} scores sc "
        f"ON sc.comment_id = c.id {where} LIMIT ?)"
    )
    return db.execute(sql, [*params, cap]).fetchone()[0]


def _count_flagged(db, filters: QueueFilter, cap: int) -> int:
    """机器标记's count from the scores_act index (a flag to act on), then the comments a
    rule held there without one: at a million comments the plain join walked every pending
    comment to find the few flagged ones."""
    clauses, params = dataclasses.replace(filters, queue="all").where()
    extra = "".join(f" AND {clause}" for clause in clauses)
    acted = db.execute(
        "SELECT COUNT(*) FROM (SELECT 1 FROM scores sc CROSS JOIN comments c "
        f"ON c.id = sc.comment_id {STORIES} WHERE sc.act = 1 AND c.status = ?{extra} LIMIT ?)",
        [PENDING, *params, cap],
    ).fetchone()[0]
    held = db.execute(
        "SELECT COUNT(*) FROM (SELECT 1 FROM rule_holds h CROSS JOIN comments c "
        f"ON c.id = h.comment_id JOIN scores sc ON sc.comment_id = c.id {STORIES} "
        f"WHERE h.queue = ? AND sc.act = 0 AND c.status = ?{extra} LIMIT ?)",
        [FLAGGED_QUEUE_NAME, PENDING, *params, cap],
    ).fetchone()[0]
    return min(cap, acted + held)


def queue_counts(db, cap: int = COUNT_CAP) -> dict[str, int]:
    """The capped size of every queue, for the navigation."""
    return {queue: count(db, QueueFilter(queue=queue), cap) for queue in QUEUES}


def flag_counts(db, cap: int = COUNT_CAP) -> dict[str, int]:
    """Pending comments per flag code (capped)."""
    codes = set()
    for (flag_codes,) in db.execute(
        "SELECT DISTINCT flag_codes FROM scores WHERE flag_codes != '' LIMIT 200"
    ):
        codes.update(flag_codes.split())
    return {code: count(db, QueueFilter(queue="flagged", flag=code), cap) for code in sorted(codes)}


def dup_group_members(db, group_id: int, limit: int = -1) -> list[dict]:
    """The comments of a duplicate group, earliest posted first (the first `limit`, if given)."""
    rows = db.query(
        COMMENT_SELECT + " WHERE sc.dup_group = ? ORDER BY c.created_at, c.id LIMIT ?",
        [group_id, limit],
    )
    return [decode_comment(row) for row in rows]


def dup_group_sizes(db, group_ids) -> dict[int, int]:
    """{group id: number of comments in it}."""
    group_ids = sorted({g for g in group_ids if g is not None})
    if not group_ids:
        return {}
    marks = ",".join("?" * len(group_ids))
    return dict(
        db.execute(
            f"SELECT dup_group, COUNT(*) FROM scores WHERE dup_group IN ({marks}) "
            "GROUP BY dup_group",
            group_ids,
        ).fetchall()
    )


def latest_corrections(db, comment_ids) -> dict[int, dict]:
    """{comment id: {"sentiment": row, "offensive": row}} of each comment's latest corrections.

    A row is the correction (label, actor, at); a kind never corrected is absent.
    """
    latest: dict[int, dict] = {comment_id: {} for comment_id in comment_ids}
    for kind, table in (
        ("sentiment", "sentiment_corrections"),
        ("offensive", "offensive_corrections"),
    ):
        for row in _grouped(db, table, latest).values():
            if row:
                latest[row[-1]["comment_id"]][kind] = row[-1]
    return latest


def histories(db, comment_ids) -> dict[int, list[dict]]:
    """{comment id: its decisions, oldest first} for a page of comments."""
    return _grouped(db, "decisions", comment_ids)


def edits(db, comment_ids) -> dict[int, list[dict]]:
    """{comment id: its earlier texts, oldest first} for a page of comments."""
    return _grouped(db, "comment_edits", comment_ids)


def _grouped(db, table: str, comment_ids) -> dict[int, list[dict]]:
    comment_ids = list(comment_ids)
    grouped: dict[int, list[dict]] = {comment_id: [] for comment_id in comment_ids}
    if not comment_ids:
        return grouped
    marks = ",".join("?" * len(comment_ids))
    for row in db.query(
        f"SELECT * FROM {table} WHERE comment_id IN ({marks}) ORDER BY id", comment_ids
    ):
        grouped[row["comment_id"]].append(row)
    return grouped


def flag_for_editor(db, comment_id: int, actor: str, reason: str | None = None) -> None:
    """Ask an editor to look at a comment (a decision that leaves its state as it is)."""
    from moderation.storage import comments, decisions

    with db.atomic():
        status = comments.get_status(db, comment_id)
        decisions.record(db, comment_id, actor, FLAG_EDITOR, status, status, reason)
