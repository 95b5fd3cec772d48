"""IP 属地 of comments: the province-level region only, the address itself only when
`[privacy] keep_ip = true` (the caller decides and passes it, or None)."""

from __future__ import annotations

from moderation.scoring.ipregion import region_of
from moderation.storage import in_chunks
from moderation.timeutil import now_iso

MAX_IP = 64


def save_region(db, comment_id: int, address: str | None, keep_ip: bool, source: str) -> str | None:
    """Map an address to its region and store it for the comment; the region or None
    (nothing stored for a private or unknown address)."""
    region = region_of(address)
    if region is None:
        return None
    db.execute(
        "INSERT INTO comment_regions (comment_id, region, ip, source, at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (comment_id) DO UPDATE SET region = excluded.region, ip = excluded.ip, "
        "source = excluded.source, at = excluded.at",
        [comment_id, region, address.strip()[:MAX_IP] if keep_ip else None, source, now_iso()],
    )
    return region


def save_collected(db, channel: str, addresses: dict[str, str], keep_ip: bool) -> int:
    """Regions for a collected page ({native id: address}); how many were stored."""
    stored = 0
    native_ids = list(addresses)
    for chunk, marks in in_chunks(native_ids):
        for comment_id, native_id in db.execute(
            f"SELECT id, native_id FROM comments WHERE channel = ? AND native_id IN ({marks})",
            [channel, *chunk],
        ).fetchall():
            if save_region(db, comment_id, addresses[native_id], keep_ip, "collector"):
                stored += 1
    return stored


def for_comments(db, comment_ids) -> dict[int, str]:
    """{comment id: region} for a page of cards."""
    found = {}
    ids = list(comment_ids)
    for chunk, marks in in_chunks(ids):
        found.update(
            db.execute(
                f"SELECT comment_id, region FROM comment_regions WHERE comment_id IN ({marks})",
                chunk,
            ).fetchall()
        )
    return found


def for_authors(db, author_keys) -> dict[str, str]:
    """{author key: region of their newest comment that has one} (the author profile)."""
    found = {}
    keys = sorted(set(author_keys))
    for chunk, marks in in_chunks(keys):
        for key, region in db.execute(
            "SELECT c.author_key, r.region FROM comment_regions r JOIN comments c "
            f"ON c.id = r.comment_id WHERE c.author_key IN ({marks}) "
            "ORDER BY c.created_at, c.id",
            chunk,
        ):
            found[key] = region  # the newest wins
    return found
