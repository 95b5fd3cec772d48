"""Aggregates for the overview and story pages: per day, per channel, per moderator.

Every day is a Beijing day (`storage.beijing_day`); a moderator's decisions are approves and
rejects by a person, as /metrics counts them (`states.DECIDING_ACTIONS`, `is_automatic`)."""

from __future__ import annotations

from moderation.states import PENDING
from moderation.storage import automatic_sql, beijing_day, deciding_sql
from moderation.storage.comments import COMMENT_SELECT, decode_comment

BUCKETS = 10


def comments_per_channel_day(db, days: int = 14) -> list[dict]:
    """[{day, channel, comments}] for the last `days` Beijing days that have comments."""
    day = beijing_day("created_at")
    return list(
        db.query(
            f"SELECT {day} AS day, channel, COUNT(*) AS comments FROM comments "
            f"WHERE {day} IN (SELECT DISTINCT {day} FROM comments ORDER BY 1 DESC LIMIT ?) "
            "GROUP BY day, channel ORDER BY day, channel",
            [days],
        )
    )


def sentiment_per_day(db, days: int = 14) -> list[dict]:
    """[{day, mean, negative_share}] of scored comments, last `days` Beijing days with
    comments."""
    return list(
        db.query(
            f"SELECT {beijing_day('c.created_at')} AS day, AVG(sc.sentiment) AS mean, "
            "AVG(sc.label = 'negative') AS negative_share FROM comments c "
            "JOIN scores sc ON sc.comment_id = c.id GROUP BY day ORDER BY day DESC LIMIT ?",
            [days],
        )
    )[::-1]


def decisions_per_moderator_day(db, days: int = 14) -> list[dict]:
    """[{day, actor, decisions}]: people's moderation decisions (approve and reject, as
    /metrics counts them) per Beijing day, the last `days` days that have any."""
    day = beijing_day("at")
    deciding = f"{deciding_sql()} AND NOT {automatic_sql()}"
    return list(
        db.query(
            f"SELECT {day} AS day, actor, COUNT(*) AS decisions FROM decisions "
            f"WHERE {deciding} AND {day} IN (SELECT DISTINCT {day} FROM decisions "
            f"WHERE {deciding} ORDER BY 1 DESC LIMIT ?) GROUP BY day, actor ORDER BY day, actor",
            [days],
        )
    )


def corrections_per_week(db, weeks: int = 12) -> list[dict]:
    """[{week, kind, corrections}]: moderators' sentiment/offensive corrections per week.

    ``week`` is the Monday (Beijing time) the week starts on; the last ``weeks`` weeks that
    have corrections.
    """
    week = f"date({beijing_day('at')}, '-6 days', 'weekday 1')"
    return list(
        db.query(
            f"SELECT {week} AS week, kind, COUNT(*) AS corrections FROM ("
            "SELECT at, 'sentiment' AS kind FROM sentiment_corrections UNION ALL "
            "SELECT at, 'offensive' AS kind FROM offensive_corrections) "
            f"WHERE {week} IN (SELECT DISTINCT {week} FROM (SELECT at FROM sentiment_corrections "
            "UNION ALL SELECT at FROM offensive_corrections) ORDER BY 1 DESC LIMIT ?) "
            "GROUP BY week, kind ORDER BY week, kind",
            [weeks],
        )
    )


def queue_size_per_day(db, days: int = 14) -> list[dict]:
    """[{day, pending}]: comments collected so far minus those that left pending, per
    Beijing day."""
    changes: dict[str, int] = {}
    for day, number in db.execute(
        f"SELECT {beijing_day('collected_at')}, COUNT(*) FROM comments GROUP BY 1"
    ):
        changes[day] = changes.get(day, 0) + number
    for day, delta in db.execute(
        f"SELECT {beijing_day('at')}, SUM(CASE WHEN to_state = ? THEN 1 ELSE -1 END) "
        "FROM decisions WHERE (from_state = ?) != (to_state = ?) GROUP BY 1",
        [PENDING, PENDING, PENDING],
    ):
        changes[day] = changes.get(day, 0) + delta
    size, series = 0, []
    for day in sorted(changes):
        size += changes[day]
        series.append({"day": day, "pending": size})
    return series[-days:]


def story_group(db, story_id: int) -> list[dict]:
    """The story and every story linked to it across channels (same canonical id)."""
    return list(
        db.query(
            "SELECT * FROM stories WHERE COALESCE(canonical_id, id) = "
            "(SELECT COALESCE(canonical_id, id) FROM stories WHERE id = ?) ORDER BY id",
            [story_id],
        )
    )


def story_comments(db, story_ids: list[int], limit: int = 500) -> list[dict]:
    """Comments on any of the stories, newest first."""
    if not story_ids:
        return []
    marks = ",".join("?" * len(story_ids))
    rows = db.query(
        f"{COMMENT_SELECT} WHERE c.story_id IN ({marks}) ORDER BY c.created_at DESC, c.id DESC "
        "LIMIT ?",
        [*story_ids, limit],
    )
    return [decode_comment(row) for row in rows]


def sentiment_histogram(comments: list[dict], buckets: int = BUCKETS) -> list[int]:
    """How many scored comments fall in each of `buckets` equal sentiment ranges."""
    counts = [0] * buckets
    for comment in comments:
        if comment.get("sentiment") is not None:
            counts[min(int(comment["sentiment"] * buckets), buckets - 1)] += 1
    return counts


def top_stories(db, limit: int = 30) -> list[dict]:
    """Canonical stories with the most comments across channels.

    `channels` counts where readers commented: each channel, and within one channel each
    origin it reports (the demo and feed channels carry 株洲新闻网, 掌上株洲, ... as origin).
    """
    return list(
        db.query(
            "SELECT COALESCE(s.canonical_id, s.id) AS id, MAX(s.title) AS title, COUNT(c.id) AS "
            "comments, COUNT(DISTINCT c.channel || '/' || COALESCE(c.origin, '')) AS channels, "
            "SUM(c.status = ?) AS pending FROM stories s JOIN comments c ON c.story_id = s.id "
            "GROUP BY 1 ORDER BY comments DESC LIMIT ?",
            [PENDING, limit],
        )
    )
