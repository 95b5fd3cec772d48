"""What a 舆情 report reads (volume, stories, quotes) and the archive of generated reports."""

from __future__ import annotations

from moderation.storage import beijing_day
from moderation.timeutil import now_iso

_BEIJING_DAY = beijing_day("c.created_at")


def volume_by_channel_day(db, since: str, until: str) -> list[dict]:
    """[{day, channel, comments}] of comments posted in [since, until), Beijing days."""
    return list(
        db.query(
            f"SELECT {_BEIJING_DAY} AS day, c.channel, count(*) AS comments FROM comments c"
            " WHERE c.created_at >= ? AND c.created_at < ? GROUP BY day, c.channel"
            " ORDER BY day, c.channel",
            [since, until],
        )
    )


def story_reactions(db, since: str, until: str, limit: int = 10) -> list[dict]:
    """Stories by comments posted in the period (copies across channels added up), with
    how many were negative: [{story_id, title, comments, negative, channels}]."""
    return list(
        db.query(
            "SELECT coalesce(st.canonical_id, st.id) AS story_id,"
            " (SELECT title FROM stories WHERE id = coalesce(st.canonical_id, st.id)) AS title,"
            " count(*) AS comments, sum(sc.label = 'negative') AS negative,"
            " group_concat(DISTINCT c.channel) AS channels"
            " FROM comments c JOIN stories st ON st.id = c.story_id"
            " LEFT JOIN scores sc ON sc.comment_id = c.id"
            " WHERE c.created_at >= ? AND c.created_at < ?"
            " GROUP BY coalesce(st.canonical_id, st.id) ORDER BY comments DESC, story_id"
            " LIMIT ?",
            [since, until, limit],
        )
    )


def story_texts(db, story_id: int, since: str, until: str, limit: int = 500) -> list[str]:
    """Texts of a story's comments (all its channel copies) posted in the period."""
    return [
        row[0]
        for row in db.execute(
            "SELECT c.text FROM comments c JOIN stories st ON st.id = c.story_id"
            " WHERE coalesce(st.canonical_id, st.id) = ? AND c.created_at >= ?"
            " AND c.created_at < ? ORDER BY c.likes DESC, c.id LIMIT ?",
            [story_id, since, until, limit],
        )
    ]


def notable_quotes(db, since: str, until: str, limit: int = 10) -> list[dict]:
    """Approved comments of the period, most liked first, one per author."""
    return list(
        db.query(
            # SQLite takes the bare columns from the row holding max(likes)
            "SELECT c.id, c.text, c.author_name, c.channel, max(c.likes) AS likes,"
            " st.title AS story_title FROM comments c LEFT JOIN stories st ON st.id = c.story_id"
            " WHERE c.status = 'approved' AND c.created_at >= ? AND c.created_at < ?"
            " GROUP BY c.author_key ORDER BY likes DESC, c.id LIMIT ?",
            [since, until, limit],
        )
    )


def save_report(
    db,
    kind: str,
    first_day: str,
    last_day: str,
    actor: str,
    docx: bytes,
    html: bytes,
    summary: str = "",
) -> int:
    """Archive a generated report (a new generation of the same period replaces it)."""
    with db.atomic():
        db.execute(
            "INSERT INTO reports (kind, first_day, last_day, generated_at, generated_by, docx,"
            " html, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(kind, first_day) DO"
            " UPDATE SET last_day = excluded.last_day, generated_at = excluded.generated_at,"
            " generated_by = excluded.generated_by, docx = excluded.docx, html = excluded.html,"
            " summary = excluded.summary",
            [kind, first_day, last_day, now_iso(), actor, docx, html, summary],
        )
        return db.execute(
            "SELECT id FROM reports WHERE kind = ? AND first_day = ?", [kind, first_day]
        ).fetchone()[0]


def list_reports(db, limit: int = 100) -> list[dict]:
    """Archived reports, newest period first (without their files)."""
    return list(
        db.query(
            "SELECT id, kind, first_day, last_day, generated_at, generated_by,"
            " length(docx) AS docx_bytes, length(html) AS html_bytes FROM reports"
            " ORDER BY first_day DESC, kind LIMIT ?",
            [limit],
        )
    )


def get_report(db, report_id: int) -> dict | None:
    """One archived report with its files."""
    rows = list(db.query("SELECT * FROM reports WHERE id = ?", [report_id]))
    return rows[0] if rows else None
