"""What the desk's draft reads and records: reader response per story in a date range, the
approved comments a draft may propose, printed editions to learn from, and stored drafts.

Ranges are half-open UTC timestamps [start, end) (the caller converts newsroom dates).
"""

from __future__ import annotations

import json

from moderation.states import APPROVED, PENDING
from moderation.storage import in_chunks
from moderation.storage.editions import PRINTED, printed_in
from moderation.timeutil import now_iso

OPEN, ACCEPTED = "open", "accepted"
MAX_BODY = 2_000_000  # characters of a stored draft: 20 stories of 16 quotes fit many times


def story_response(db, start: str, end: str) -> list[dict]:
    """Per canonical story with comments in [start, end): comments not rejected, approved
    ones, and its reads (daily reads in the range where the channel reports them, else the
    running page views), all copies across channels added up."""
    counted: dict[int, dict] = {}
    for story_id, comments, approved in db.execute(
        "SELECT s.canonical_id, SUM(per.n), SUM(per.approved) FROM ("
        " SELECT story_id, COUNT(*) AS n, SUM(status = ?) AS approved FROM comments"
        " WHERE status IN (?, ?) AND created_at >= ? AND created_at < ? GROUP BY story_id"
        ") per JOIN stories s ON s.id = per.story_id GROUP BY s.canonical_id",
        [APPROVED, PENDING, APPROVED, start, end],
    ):
        counted[story_id] = {"story_id": story_id, "comments": comments, "approved": approved}
    for story_id, reads in _reads(db, list(counted), start[:10], end[:10]).items():
        counted[story_id]["reads"] = reads
    for story_id, title in _titles(db, list(counted)).items():
        counted[story_id]["title"] = title
    return list(counted.values())


def _reads(db, story_ids: list[int], first_day: str, last_day: str) -> dict[int, int]:
    reads: dict[int, int] = {}
    for chunk, marks in in_chunks(story_ids):
        for story_id, views, in_range, daily in db.execute(
            "SELECT s.canonical_id, s.page_views, "
            "(SELECT SUM(r.reads) FROM story_reads r WHERE r.story_id = s.id "
            " AND r.date BETWEEN ? AND ?), "
            "EXISTS (SELECT 1 FROM story_reads r WHERE r.story_id = s.id) "
            f"FROM stories s WHERE s.canonical_id IN ({marks})",
            [first_day, last_day, *chunk],
        ):
            reads[story_id] = reads.get(story_id, 0) + ((in_range or 0) if daily else (views or 0))
    return reads


def _titles(db, story_ids: list[int]) -> dict[int, str]:
    titles = {}
    for chunk, marks in in_chunks(story_ids):
        titles.update(db.execute(f"SELECT id, title FROM stories WHERE id IN ({marks})", chunk))
    return titles


CANDIDATE_SELECT = (
    "SELECT c.id, s.canonical_id AS story_id, c.channel, c.origin, c.text, c.author_key, "
    "c.author_name, c.likes, c.created_at, COALESCE(sc.flag_codes, '') AS flag_codes, "
    "sc.dup_group, sc.label FROM stories s JOIN comments c ON c.story_id = s.id "
    "LEFT JOIN scores sc ON sc.comment_id = c.id "
)


def story_candidates(db, story_ids: list[int], start: str, end: str, before: str | None = None):
    """Approved comments of these canonical stories created in [start, end), each with
    `printed_in`: dates of printed editions (before `before`, when given) that carried it."""
    rows: list[dict] = []
    for chunk, marks in in_chunks(story_ids):
        rows += db.query(
            CANDIDATE_SELECT + f"WHERE s.canonical_id IN ({marks}) AND c.status = ? "
            "AND c.created_at >= ? AND c.created_at < ? ORDER BY c.id",
            [*chunk, APPROVED, start, end],
        )
    printed = printed_in(db, [row["id"] for row in rows])
    for row in rows:
        row["printed_in"] = [d for d in printed.get(row["id"], []) if before is None or d < before]
    return rows


def printed_sections(db) -> list[dict]:
    """Every section of every printed edition, oldest edition first: its date, canonical
    story and the comment ids printed in it."""
    sections: dict[int, dict] = {}
    for section_id, date, story_id, comment_id in db.execute(
        "SELECT q.section_id, e.date, s.canonical_id, q.comment_id FROM edition_quotes q "
        "JOIN editions e ON e.id = q.edition_id JOIN edition_sections es ON es.id = q.section_id "
        "JOIN stories s ON s.id = es.story_id WHERE e.status = ? "
        "ORDER BY e.date, es.position, q.position",
        [PRINTED],
    ):
        section = sections.setdefault(
            section_id, {"date": date, "story_id": story_id, "comment_ids": []}
        )
        section["comment_ids"].append(comment_id)
    return list(sections.values())


def save_draft(db, start: str, end: str, body: dict, actor: str) -> int:
    """Store a new draft of a date range; returns its id."""
    now = now_iso()
    return (
        db.table("drafts")
        .insert(
            {
                "start": start,
                "end": end,
                "body": _encode(body),
                "status": OPEN,
                "created_by": actor,
                "created_at": now,
                "updated_at": now,
            }
        )
        .last_pk
    )


def _encode(body: dict) -> str:
    text = json.dumps(body, ensure_ascii=False)
    if len(text) > MAX_BODY:
        raise ValueError("the draft is too large to store")
    return text


def get_draft(db, draft_id: int) -> dict | None:
    """A stored draft with its body decoded, or None."""
    rows = list(db.query("SELECT * FROM drafts WHERE id = ?", [draft_id]))
    if not rows:
        return None
    return {**rows[0], "body": json.loads(rows[0]["body"])}


def update_body(db, draft_id: int, body: dict) -> None:
    """Replace an open draft's proposal after an editor's change."""
    db.execute(
        "UPDATE drafts SET body = ?, updated_at = ? WHERE id = ? AND status = ?",
        [_encode(body), now_iso(), draft_id, OPEN],
    )


def mark_accepted(db, draft_id: int, edition_id: int) -> None:
    """The draft became an edition; it cannot change any more."""
    db.execute(
        "UPDATE drafts SET status = ?, edition_id = ?, updated_at = ? WHERE id = ?",
        [ACCEPTED, edition_id, now_iso(), draft_id],
    )
