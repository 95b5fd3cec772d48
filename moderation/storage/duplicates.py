"""Duplicate groups kept up to date as comments arrive, across channels.

Each comment stores its exact key (a hash of the normalised text), its 64-bit SimHash cut
into four 16-bit bands, and "one-edit" keys. Candidates come from indexed look-ups, never a
scan: hashes within Hamming distance 3 share at least one band (pigeonhole), and texts one
character apart share a one-edit key (two of three thirds are untouched by one edit; see
moderation.scoring.groups). A group's id is the smallest comment id in it; scores.dup_group
carries it for the dashboard.
"""

from __future__ import annotations

import hashlib

from moderation.scoring.groups import MIN_NEAR_CHARS, one_edit_apart, simhash
from moderation.scoring.textnorm import normalize_text

CANDIDATE_LIMIT = 200
MASK64 = (1 << 64) - 1


def _signed(value: int) -> int:
    """SQLite integers are signed 64-bit."""
    value &= MASK64
    return value - (1 << 64) if value >= 1 << 63 else value


def _digest(*parts: str) -> str:
    return hashlib.blake2b(
        "\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=10
    ).hexdigest()


def bands(value: int) -> tuple[int, int, int, int]:
    """The four 16-bit bands of a 64-bit SimHash."""
    return tuple((value >> shift) & 0xFFFF for shift in (0, 16, 32, 48))  # type: ignore


def hamming(a: int, b: int) -> int:
    """Bits that differ between two 64-bit hashes."""
    return ((a ^ b) & MASK64).bit_count()


def edit_keys(norm: str) -> set[str]:
    """Stable bucket keys shared by any two texts one insert/delete/replace apart."""
    keys = set()
    for shorter in (len(norm) - 1, len(norm)):
        cut1, cut2 = shorter // 3, 2 * shorter // 3
        keys.add(_digest(str(shorter), "0", norm[:cut2]))
        keys.add(_digest(str(shorter), "1", norm[:cut1], norm[len(norm) - (shorter - cut2) :]))
        keys.add(_digest(str(shorter), "2", norm[len(norm) - (shorter - cut1) :]))
    return keys


def assign_group(db, comment_id: int, text: str, max_distance: int) -> int:
    """Record a comment's keys and return its duplicate group id, merging groups it joins."""
    norm = normalize_text(text)
    exact_key = _digest(norm if norm else "\0" + text.strip())
    short = len(norm) < MIN_NEAR_CHARS
    value = simhash(text) & MASK64 if not short else 0
    members = _matches(db, comment_id, exact_key, norm, value, short, max_distance)
    # Plain SQL here: this runs once per comment on the ingest path.
    db.execute(
        "INSERT OR REPLACE INTO dup_keys (comment_id, exact_key, norm, simhash, band0, band1, "
        "band2, band3, short) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [comment_id, exact_key, norm, _signed(value), *bands(value), int(short)],
    )
    db.execute("DELETE FROM dup_edit_keys WHERE comment_id = ?", [comment_id])
    if not short:
        db.conn.executemany(
            "INSERT OR IGNORE INTO dup_edit_keys (key, comment_id) VALUES (?, ?)",
            [(key, comment_id) for key in edit_keys(norm)],
        )
    targets = {comment_id} | set(members)
    if members:
        targets |= set(_groups_of(db, members))
    group = min(targets)
    marks = ",".join("?" * len(targets))
    db.execute(
        f"UPDATE scores SET dup_group = ? WHERE dup_group IN ({marks}) OR comment_id IN ({marks})",
        [group, *targets, *targets],
    )
    return group


def _matches(db, comment_id, exact_key, norm, value, short, max_distance) -> list[int]:
    found = {
        row[0]
        for row in db.execute(
            "SELECT comment_id FROM dup_keys WHERE exact_key = ? AND comment_id != ? LIMIT ?",
            [exact_key, comment_id, CANDIDATE_LIMIT],
        )
    }
    if short:
        return sorted(found)
    # One query over the four band indexes (SQLite's OR-by-union plan).
    for other_id, other_hash in db.execute(
        "SELECT comment_id, simhash FROM dup_keys WHERE (band0 = ? OR band1 = ? OR band2 = ? "
        "OR band3 = ?) AND short = 0 AND comment_id != ? LIMIT ?",
        [*bands(value), comment_id, 4 * CANDIDATE_LIMIT],
    ):
        if hamming(value, other_hash) <= max_distance:
            found.add(other_id)
    keys = sorted(edit_keys(norm))
    marks = ",".join("?" * len(keys))
    for other_id, other_norm in db.execute(
        f"SELECT DISTINCT k.comment_id, d.norm FROM dup_edit_keys k "
        f"JOIN dup_keys d ON d.comment_id = k.comment_id "
        f"WHERE k.key IN ({marks}) AND k.comment_id != ? LIMIT ?",
        [*keys, comment_id, CANDIDATE_LIMIT],
    ):
        if other_id not in found and one_edit_apart(norm, other_norm):
            found.add(other_id)
    return sorted(found)


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
