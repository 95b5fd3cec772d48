"""What a 舆情 report reads (volume, stories, quotes) and the archive of generated reports."""

from __future__ import annotations

from moderation.storage import beijing_day
from moderation.timeutil import now_iso

_BEIJING_DAY = beijing_day("c.created_at")


def volume_by_channel_day(db, since: str, until: str) -> list[dict]:
    """[{day, channel, comments}] of comments posted in [since, until), Beijing days, counted
    as the report's text counts them (copies once, spam not at all): the 走势图 and the
    舆情概述 give the same figure for a day."""
    return list(
        db.query(
            f"SELECT {_BEIJING_DAY} AS day, c.channel, count(DISTINCT {_ONE_PER_COPY})"
            " AS comments FROM comments c LEFT JOIN scores sc ON sc.comment_id = c.id"
            f" WHERE c.created_at >= ? AND c.created_at < ? AND {_NOT_SPAM}"
            " GROUP BY day, c.channel ORDER BY day, c.channel",
            [since, until],
        )
    )


# A copy of a duplicate group counts once; spam (links, solicitation, repeats) not at all.
_ONE_PER_COPY = "coalesce('g' || sc.dup_group, 'c' || c.id)"
_NOT_SPAM = (
    "(sc.flag_codes IS NULL OR (instr(' ' || sc.flag_codes || ' ', ' spam_link ') = 0"
    " AND instr(' ' || sc.flag_codes || ' ', ' spam_solicit ') = 0"
    " AND instr(' ' || sc.flag_codes || ' ', ' spam_repeat ') = 0))"
)


def sentiment_by_channel(db, since: str, until: str) -> list[dict]:
    """[{channel, comments, negative, neutral, positive}] of the period, copies counted once
    and spam left out (what readers said, not how often a campaign pasted it)."""
    return list(
        db.query(
            f"SELECT c.channel, count(DISTINCT {_ONE_PER_COPY}) AS comments,"
            f" count(DISTINCT CASE WHEN sc.label = 'negative' THEN {_ONE_PER_COPY} END)"
            " AS negative,"
            f" count(DISTINCT CASE WHEN sc.label = 'neutral' THEN {_ONE_PER_COPY} END)"
            " AS neutral,"
            f" count(DISTINCT CASE WHEN sc.label = 'positive' THEN {_ONE_PER_COPY} END)"
            " AS positive"
            " FROM comments c LEFT JOIN scores sc ON sc.comment_id = c.id"
            f" WHERE c.created_at >= ? AND c.created_at < ? AND {_NOT_SPAM}"
            " GROUP BY c.channel ORDER BY comments DESC, c.channel",
            [since, until],
        )
    )


def story_reactions(db, since: str, until: str, limit: int = 10, minimum: int = 1) -> list[dict]:
    """Stories by comments posted in the period (channel copies of a story added up, copies
    of a comment counted once, spam left out), at least `minimum` each:
    [{story_id, title, url, published_at, comments, negative, channels, pending}]."""
    return list(
        db.query(
            "SELECT coalesce(st.canonical_id, st.id) AS story_id,"
            " (SELECT title FROM stories WHERE id = coalesce(st.canonical_id, st.id)) AS title,"
            " (SELECT url FROM stories WHERE id = coalesce(st.canonical_id, st.id)) AS url,"
            " (SELECT published_at FROM stories WHERE id = coalesce(st.canonical_id, st.id))"
            " AS published_at,"
            f" count(DISTINCT {_ONE_PER_COPY}) AS comments,"
            f" count(DISTINCT CASE WHEN sc.label = 'negative' THEN {_ONE_PER_COPY} END)"
            " AS negative,"
            " group_concat(DISTINCT c.channel) AS channels"
            " FROM comments c JOIN stories st ON st.id = c.story_id"
            " LEFT JOIN scores sc ON sc.comment_id = c.id"
            f" WHERE c.created_at >= ? AND c.created_at < ? AND {_NOT_SPAM}"
            " GROUP BY coalesce(st.canonical_id, st.id)"
            f" HAVING count(DISTINCT {_ONE_PER_COPY}) >= ?"
            " ORDER BY comments DESC, negative DESC, story_id LIMIT ?",
            [since, until, minimum, limit],
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


def quote_candidates(db, story_id: int, since: str, until: str, limit: int = 400) -> list[dict]:
    """A story's comments of the period that a report may quote: not rejected, not a reply,
    the earliest of a duplicate group only; with their flags, sentiment (score, label, and
    whether a moderator corrected it) and likes."""
    return list(
        db.query(
            "SELECT c.id, c.text, c.author_name, c.author_key, c.channel, c.likes,"
            " c.created_at, sc.label, sc.sentiment, sc.flag_codes, sc.dup_group,"
            " EXISTS (SELECT 1 FROM sentiment_corrections sx WHERE sx.comment_id = c.id)"
            "  AS corrected"
            " FROM comments c JOIN stories st ON st.id = c.story_id"
            " LEFT JOIN scores sc ON sc.comment_id = c.id"
            " WHERE coalesce(st.canonical_id, st.id) = ? AND c.created_at >= ?"
            " AND c.created_at < ? AND c.status != 'rejected' AND c.reply_to IS NULL"
            " AND (sc.dup_group IS NULL OR NOT EXISTS (SELECT 1 FROM scores s2"
            "  JOIN comments c2 ON c2.id = s2.comment_id WHERE s2.dup_group = sc.dup_group"
            "  AND (c2.created_at < c.created_at"
            "   OR (c2.created_at = c.created_at AND c2.id < c.id))))"
            " ORDER BY c.likes DESC, c.id LIMIT ?",
            [story_id, since, until, limit],
        )
    )


def last_comment_day(db, before: str) -> str | None:
    """The Beijing day of the newest comment created before `before` (ISO), or None: the day
    a report form offers when nothing was written yesterday (a new desk, the demo's week)."""
    row = db.execute(
        f"SELECT {beijing_day('MAX(created_at)')} FROM comments WHERE created_at < ?", [before]
    ).fetchone()
    return row[0] if row else None


def save_report(
    db,
    kind: str,
    first_day: str,
    last_day: str,
    actor: str,
    docx: bytes,
    html: bytes,
    summary: str = "",
    assessment: str = "",
) -> int:
    """Archive a generated report (a new generation of the same period replaces it)."""
    with db.atomic():
        db.execute(
            "INSERT INTO reports (kind, first_day, last_day, generated_at, generated_by, docx,"
            " html, summary, assessment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(kind, first_day) DO"
            " UPDATE SET last_day = excluded.last_day, generated_at = excluded.generated_at,"
            " generated_by = excluded.generated_by, docx = excluded.docx, html = excluded.html,"
            " summary = excluded.summary, assessment = excluded.assessment",
            [kind, first_day, last_day, now_iso(), actor, docx, html, summary, assessment],
        )
        return db.execute(
            "SELECT id FROM reports WHERE kind = ? AND first_day = ?", [kind, first_day]
        ).fetchone()[0]


def list_reports(db, limit: int = 100) -> list[dict]:
    """Archived reports, newest period first (without their files)."""
    return list(
        db.query(
            "SELECT id, kind, first_day, last_day, generated_at, generated_by, assessment,"
            " length(docx) AS docx_bytes, length(html) AS html_bytes FROM reports"
            " ORDER BY first_day DESC, kind LIMIT ?",
            [limit],
        )
    )


def get_report(db, report_id: int) -> dict | None:
    """One archived report with its files."""
    rows = list(db.query("SELECT * FROM reports WHERE id = ?", [report_id]))
    return rows[0] if rows else None


def assessment_for(db, kind: str, first_day: str) -> str:
    """The 研判与建议 already written for a period's report ("" for none)."""
    row = db.execute(
        "SELECT assessment FROM reports WHERE kind = ? AND first_day = ?", [kind, first_day]
    ).fetchone()
    return row[0] if row else ""
