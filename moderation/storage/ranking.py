"""Read counts per story for the click ranking: WeChat daily reads and feeds' page views."""

from __future__ import annotations

from datetime import date as Date
from datetime import timedelta


def stories_with_reads(db, start: Date, end: Date) -> list[dict]:
    """Stories published around [start, end] with their page views, their daily reads summed
    over [start, end], and whether they have daily reads at all.

    The caller picks the exact publication dates in the newsroom's time zone; the SQL
    window is a day wider on each side so no time zone is cut off.
    """
    return list(
        db.query(
            "SELECT s.id, COALESCE(s.canonical_id, s.id) AS canonical_id, s.channel, s.title, "
            "s.published_at, s.reporter, s.page_views, "
            "(SELECT SUM(r.reads) FROM story_reads r WHERE r.story_id = s.id "
            " AND r.date BETWEEN ? AND ?) AS reads_in_range, "
            "EXISTS (SELECT 1 FROM story_reads r WHERE r.story_id = s.id) AS has_daily_reads "
            "FROM stories s WHERE s.published_at IS NOT NULL "
            "AND substr(s.published_at, 1, 10) BETWEEN ? AND ? ORDER BY s.id",
            [
                start.isoformat(),
                end.isoformat(),
                (start - timedelta(days=1)).isoformat(),
                (end + timedelta(days=1)).isoformat(),
            ],
        )
    )


def newest_publication(db) -> str | None:
    """When the newest stored story was published (ISO text), or None: the ranking page's
    default range ends there when collection stopped a while ago."""
    return db.execute("SELECT MAX(published_at) FROM stories").fetchone()[0]
