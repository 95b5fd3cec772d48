"""Duplicate groups kept up to date as comments arrive, across channels.

Each comment stores its exact key (hash of the normalised text) and its 64-bit SimHash cut
into four 16-bit bands. Two hashes within Hamming distance 3 share at least one band
(pigeonhole), so candidates come from four indexed look-ups instead of a scan. A group's id
is the smallest comment id in it; `scores.dup_group` carries it for the dashboard.
"""

from __future__ import annotations

CANDIDATE_LIMIT = 200
MASK64 = (1 << 64) - 1


def _signed(value: int) -> int:
    """SQLite integers are signed 64-bit."""
    value &= MASK64
    return value - (1 << 64) if value >= 1 << 63 else value


def bands(simhash: int) -> tuple[int, int, int, int]:
    """The four 16-bit bands of a 64-bit SimHash."""
    return tuple((simhash >> shift) & 0xFFFF for shift in (0, 16, 32, 48))  # type: ignore


def hamming(a: int, b: int) -> int:
    """Bits that differ between two 64-bit hashes."""
    return ((a ^ b) & MASK64).bit_count()


def assign_group(
    db, comment_id: int, exact_key: str, simhash: int, short: bool, max_distance: int
) -> int:
    """Record a comment's keys and return its duplicate group id, merging groups it joins."""
    simhash &= MASK64
    members = _matches(db, comment_id, exact_key, simhash, short, max_distance)
    db.table("dup_keys").upsert(
        {
            "comment_id": comment_id,
            "exact_key": exact_key,
            "simhash": _signed(simhash),
            **dict(zip(("band0", "band1", "band2", "band3"), bands(simhash), strict=True)),
            "short": int(short),
        },
        pk="comment_id",
    )
    targets = (
        set(_groups_of(db, members)) | set(members) | {comment_id} if members else {comment_id}
    )
    group = min(targets)
    marks = ",".join("?" * len(targets))
    db.execute(
        f"UPDATE scores SET dup_group = ? WHERE dup_group IN ({marks}) OR comment_id IN ({marks})",
        [group, *targets, *targets],
    )
    return group


def _matches(db, comment_id, exact_key, simhash, short, max_distance) -> list[int]:
    exact = [
        row[0]
        for row in db.execute(
            "SELECT comment_id FROM dup_keys WHERE exact_key = ? AND comment_id != ? LIMIT ?",
            [exact_key, comment_id, CANDIDATE_LIMIT],
        )
    ]
    if short:
        return exact
    near = set(exact)
    for number, band in enumerate(bands(simhash)):
        for other_id, other_hash in db.execute(
            f"SELECT comment_id, simhash FROM dup_keys WHERE band{number} = ? AND short = 0 "
            "AND comment_id != ? LIMIT ?",
            [band, comment_id, CANDIDATE_LIMIT],
        ):
            if hamming(simhash, other_hash) <= max_distance:
                near.add(other_id)
    return sorted(near)


def _groups_of(db, comment_ids: list[int]) -> list[int]:
    marks = ",".join("?" * len(comment_ids))
    return [
        row[0]
        for row in db.execute(
            f"SELECT DISTINCT dup_group FROM scores WHERE comment_id IN ({marks}) "
            "AND dup_group IS NOT NULL",
            comment_ids,
        )
    ]


def group_members(db, group_id: int) -> list[int]:
    """Ids of every comment in a duplicate group."""
    return [
        row[0]
        for row in db.execute(
            "SELECT comment_id FROM scores WHERE dup_group = ? ORDER BY 1", [group_id]
        )
    ]


def authors_in_group(db, group_id: int) -> int:
    """How many distinct authors posted into a duplicate group."""
    return db.execute(
        "SELECT COUNT(DISTINCT c.author_key) FROM scores s JOIN comments c ON c.id = s.comment_id "
        "WHERE s.dup_group = ?",
        [group_id],
    ).fetchone()[0]
