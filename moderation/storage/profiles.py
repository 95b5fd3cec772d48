"""A commenter's profile: every comment under their linked keys, counts by decision and
reason, rejection rates, first and last seen, stories, notes; and linking keys as one person."""

from __future__ import annotations

from datetime import timedelta

from moderation.storage import in_chunks
from moderation.timeutil import iso, now_iso, parse_iso

MAX_COMMENTS = 500  # a page lists the newest; counts cover them all
MAX_NOTE = 500
MAX_KEYS = 50


class ProfileError(ValueError):
    """A note or link that cannot be made as asked (message in Chinese)."""


def linked_keys(db, author_key: str) -> list[str]:
    """The key and every key linked to it, directly or through others (sorted)."""
    found, todo = {author_key}, [author_key]
    while todo and len(found) < MAX_KEYS:
        key = todo.pop()
        for (other,) in db.execute(
            "SELECT other_key FROM author_links WHERE author_key = ? "
            "UNION SELECT author_key FROM author_links WHERE other_key = ?",
            [key, key],
        ):
            if other not in found:
                found.add(other)
                todo.append(other)
    return sorted(found)


def _where(keys: list[str]) -> tuple[str, list]:
    return f"c.author_key IN ({','.join('?' * len(keys))})", list(keys)


def profile(db, author_key: str) -> dict:
    """Everything the profile page shows for a key (and the keys linked to it)."""
    keys = linked_keys(db, author_key)
    where, params = _where(keys)
    summary = next(
        db.query(
            "SELECT COUNT(*) AS total, MIN(created_at) AS first_seen, "
            "MAX(created_at) AS last_seen, MAX(author_name) AS name "
            f"FROM comments c WHERE {where}",
            params,
        )
    )
    return {
        "key": author_key,
        "keys": keys,
        **summary,
        "by_status": dict(
            db.execute(
                f"SELECT status, COUNT(*) FROM comments c WHERE {where} GROUP BY status", params
            ).fetchall()
        ),
        "by_reason": _reasons(db, where, params),
        "rates": {days: rejection_rate(db, keys, days) for days in (30, 90)},
        "stories": list(
            db.query(
                "SELECT s.id, s.title, COUNT(*) AS comments FROM comments c "
                f"JOIN stories s ON s.id = c.story_id WHERE {where} "
                "GROUP BY s.id ORDER BY comments DESC, s.id LIMIT 50",
                params,
            )
        ),
        "comments": list(
            db.query(
                "SELECT c.id, c.channel, c.text, c.status, c.created_at, c.author_key, "
                "s.title AS story_title FROM comments c LEFT JOIN stories s ON s.id = c.story_id "
                f"WHERE {where} ORDER BY c.created_at DESC, c.id DESC LIMIT ?",
                [*params, MAX_COMMENTS],
            )
        ),
        "notes": notes(db, keys),
        "link_log": list(
            db.query(
                "SELECT * FROM author_link_log WHERE author_key IN "
                f"({','.join('?' * len(keys))}) OR other_key IN ({','.join('?' * len(keys))}) "
                "ORDER BY id DESC",
                [*keys, *keys],
            )
        ),
    }


def _reasons(db, where: str, params: list) -> dict[str, int]:
    """{reason of the latest rejection: comments} for the rejected comments."""
    return dict(
        db.execute(
            "SELECT COALESCE(d.reason, ''), COUNT(*) FROM comments c JOIN decisions d "
            "ON d.id = (SELECT MAX(id) FROM decisions WHERE comment_id = c.id) "
            f"WHERE {where} AND c.status = 'rejected' GROUP BY 1 ORDER BY 2 DESC",
            params,
        ).fetchall()
    )


def rejection_rate(db, keys: list[str], days: int, now: str | None = None) -> float | None:
    """Rejected share of the comments decided among those written in the last `days` days."""
    since = iso(parse_iso(now or now_iso()) - timedelta(days=days))
    where, params = _where(keys)
    decided, rejected = db.execute(
        "SELECT SUM(status != 'pending'), SUM(status = 'rejected') FROM comments c "
        f"WHERE {where} AND created_at >= ?",
        [*params, since],
    ).fetchone()
    return (rejected / decided) if decided else None


def notes(db, keys: list[str]) -> list[dict]:
    """Moderators' notes on the keys, newest first."""
    found = []
    for chunk, marks in in_chunks(keys):
        found += db.query(f"SELECT * FROM author_notes WHERE author_key IN ({marks})", chunk)
    return sorted(found, key=lambda note: note["id"], reverse=True)


def add_note(db, author_key: str, note: str, actor: str) -> None:
    """Keep a moderator's note on an author."""
    note = note.strip()
    if not note or len(note) > MAX_NOTE:
        raise ProfileError(f"备注须为 1 到 {MAX_NOTE} 个字")
    db.table("author_notes").insert(
        {"author_key": author_key, "note": note, "actor": actor, "at": now_iso()}
    )


def link(db, author_key: str, other_key: str, actor: str, reason: str) -> None:
    """Record that two keys are the same person (an editor's decision, logged)."""
    author_key, other_key = sorted((author_key.strip(), other_key.strip()))
    if not other_key or author_key == other_key:
        raise ProfileError("请填写另一个不同的作者标识")
    if not db.execute(
        "SELECT 1 FROM comments WHERE author_key = ? LIMIT 1", [other_key]
    ).fetchone():
        raise ProfileError(f"没有作者“{other_key}”的评论，请检查标识")
    with db.atomic():
        db.execute(
            "INSERT OR IGNORE INTO author_links VALUES (?, ?, ?, ?)",
            [author_key, other_key, actor, now_iso()],
        )
        _log(db, "link", author_key, other_key, actor, reason)


def unlink(db, author_key: str, other_key: str, actor: str, reason: str) -> bool:
    """Undo a link between two keys; True if they were linked."""
    author_key, other_key = sorted((author_key, other_key))
    with db.atomic():
        gone = db.execute(
            "DELETE FROM author_links WHERE author_key = ? AND other_key = ?",
            [author_key, other_key],
        ).rowcount
        if gone:
            _log(db, "unlink", author_key, other_key, actor, reason)
    return bool(gone)


def direct_links(db, author_key: str) -> list[str]:
    """Keys linked to this one directly (the ones its page can unlink)."""
    return [
        row[0]
        for row in db.execute(
            "SELECT other_key FROM author_links WHERE author_key = ? "
            "UNION SELECT author_key FROM author_links WHERE other_key = ? ORDER BY 1",
            [author_key, author_key],
        )
    ]


def _log(db, action: str, author_key: str, other_key: str, actor: str, reason: str) -> None:
    db.table("author_link_log").insert(
        {
            "action": action,
            "author_key": author_key,
            "other_key": other_key,
            "reason": " ".join(reason.split())[:200] or "（未写原因）",
            "actor": actor,
            "at": now_iso(),
        }
    )
