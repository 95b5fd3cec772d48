"""Approved comments an editor can pick for an edition, with the stories and channels to
filter them by."""

from __future__ import annotations

from moderation.states import APPROVED
from moderation.storage.editions import printed_in


def candidates(
    db,
    edition: dict,
    query: str = "",
    story_id: int | None = None,
    channel: str | None = None,
    limit: int = 50,
) -> list[dict]:
    """Approved comments not yet in this edition, newest first, filtered like the queue;
    each with `printed_in` (earlier printed editions) so the editor is warned."""
    where = [
        "c.status = ?",
        "c.id NOT IN (SELECT comment_id FROM edition_quotes WHERE edition_id = ?)",
    ]
    params: list = [APPROVED, edition["id"]]
    if query:
        where.append("(c.text LIKE ? ESCAPE '\\' OR c.author_name LIKE ? ESCAPE '\\')")
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        params += [pattern, pattern]
    if story_id:
        where.append(
            "COALESCE(s.canonical_id, s.id) = "
            "(SELECT COALESCE(canonical_id, id) FROM stories WHERE id = ?)"
        )
        params.append(story_id)
    if channel:
        where.append("c.channel = ?")
        params.append(channel)
    rows = list(
        db.query(
            "SELECT c.id, c.channel, c.origin, c.text, c.author_name, c.created_at, c.story_id, "
            "s.title AS story_title FROM comments c LEFT JOIN stories s ON s.id = c.story_id "
            f"WHERE {' AND '.join(where)} ORDER BY c.created_at DESC, c.id DESC LIMIT ?",
            [*params, limit],
        )
    )
    printed = printed_in(db, [row["id"] for row in rows])
    for row in rows:
        row["printed_in"] = printed.get(row["id"], [])
    return rows


def story_choices(db) -> list[dict]:
    """Stories with approved comments (one per canonical story), newest first."""
    return list(
        db.query(
            "SELECT s.id, s.title, s.published_at, COUNT(c.id) AS approved FROM stories s "
            "JOIN stories m ON COALESCE(m.canonical_id, m.id) = s.id "
            "JOIN comments c ON c.story_id = m.id AND c.status = ? "
            "WHERE s.id = COALESCE(s.canonical_id, s.id) "
            "GROUP BY s.id ORDER BY s.published_at DESC, s.id DESC",
            [APPROVED],
        )
    )


def channels_with_approved(db) -> list[str]:
    """Channel names that have approved comments."""
    return [
        row[0]
        for row in db.execute(
            "SELECT DISTINCT channel FROM comments WHERE status = ? ORDER BY channel", [APPROVED]
        )
    ]
