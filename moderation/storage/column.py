"""Approved comments gathered per story for the column."""

from __future__ import annotations

from moderation.states import APPROVED


def approved_by_story(db, until: str | None = None) -> list[dict]:
    """Approved comments (created up to `until`, a Beijing date) grouped by story, in
    approval order."""
    params: list = [APPROVED]
    where = "c.status = ?"
    if until:
        where += " AND date(c.created_at, '+8 hours') <= ?"
        params.append(until)
    rows = db.query(
        "SELECT c.id, c.text, c.author_name, c.author_key, c.created_at, c.story_id, "
        "s.title, s.intro, s.published_at FROM comments c JOIN stories s ON s.id = c.story_id "
        f"WHERE {where} ORDER BY s.published_at, s.id, "
        "(SELECT MAX(d.id) FROM decisions d WHERE d.comment_id = c.id), c.id",
        params,
    )
    stories: dict[int, dict] = {}
    for row in rows:
        story = stories.setdefault(
            row["story_id"],
            {"id": row["story_id"], "title": row["title"], "intro": row["intro"], "comments": []},
        )
        story["comments"].append(row)
    return list(stories.values())
