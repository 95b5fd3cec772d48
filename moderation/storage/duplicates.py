"""Duplicate groups kept up to date as comments arrive, across channels, a batch at a time.

Each comment stores its exact key (a hash of the normalised text), its 64-bit SimHash cut
into four 16-bit bands, and "one-edit" keys. Candidates come from indexed look-ups, never a
scan: hashes within Hamming distance 3 share at least one band (pigeonhole), and texts one
character apart share a one-edit key (two of three thirds are untouched by one edit; see
moderation.scoring.groups). A group's id is the smallest comment id in it; scores.dup_group
carries it for the dashboard.

A batch is matched against the stored keys with one or two indexed queries per comment and
against its own earlier members in memory; its keys are then written with one statement per
table. The result equals adding the comments one by one (tests compare it with the
in-memory ``groups.duplicate_groups``).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from moderation.scoring.groups import (
    MIN_NEAR_CHARS,
    UnionFind,
    _simhash_normalized,
    one_edit_apart,
)
from moderation.scoring.textnorm import normalize_text
from moderation.storage import in_chunks

CANDIDATE_LIMIT = 200
MASK64 = (1 << 64) - 1
BAND_SHIFTS = (0, 16, 32, 48)

# One query for the SimHash neighbours: each band through its covering partial index.
_NEAR_SQL = (
    " UNION ALL ".join(
        f"SELECT comment_id, simhash FROM dup_keys WHERE band{band} = ?{band + 1} AND short = 0"
        for band in range(4)
    )
    + f" LIMIT {4 * CANDIDATE_LIMIT + 1}"
)
_EXACT_SQL = "SELECT comment_id FROM dup_keys WHERE exact_key = ? LIMIT 1"
# Index-only: the texts are read afterwards for the few candidates SimHash did not find.
_EDIT_SQL = "SELECT comment_id FROM dup_edit_keys WHERE key IN ({marks}) LIMIT ?"
_NORMS_SQL = "SELECT comment_id, norm FROM dup_keys WHERE comment_id IN ({marks})"


def _signed(value: int) -> int:
    """SQLite integers are signed 64-bit."""
    value &= MASK64
    return value - (1 << 64) if value >= 1 << 63 else value


def _digest(*parts: str) -> str:
    return hashlib.blake2b(
        "\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=10
    ).hexdigest()


def _key64(*parts: str) -> int:
    """A signed 64-bit bucket key (collisions only add candidates, which are verified)."""
    digest = hashlib.blake2b(
        "\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=8
    ).digest()
    return int.from_bytes(digest, "little", signed=True)


def bands(value: int) -> tuple[int, int, int, int]:
    """The four 16-bit bands of a 64-bit SimHash."""
    return tuple((value >> shift) & 0xFFFF for shift in BAND_SHIFTS)  # type: ignore


def hamming(a: int, b: int) -> int:
    """Bits that differ between two 64-bit hashes."""
    return ((a ^ b) & MASK64).bit_count()


def edit_keys(norm: str) -> tuple[int, ...]:
    """Stable bucket keys shared by any two texts one insert/delete/replace apart."""
    keys = []
    for shorter in (len(norm) - 1, len(norm)):
        cut1, cut2 = shorter // 3, 2 * shorter // 3
        keys.append(_key64(str(shorter), "0", norm[:cut2]))
        keys.append(_key64(str(shorter), "1", norm[:cut1], norm[len(norm) - (shorter - cut2) :]))
        keys.append(_key64(str(shorter), "2", norm[len(norm) - (shorter - cut1) :]))
    return tuple(dict.fromkeys(keys))


@dataclass(frozen=True)
class DupKeys:
    """Everything stored about one comment for finding its duplicates."""

    comment_id: int
    norm: str
    exact_key: str
    short: bool
    simhash: int = 0  # unsigned; 0 for short texts
    edit_keys: tuple[int, ...] = ()

    @classmethod
    def of(cls, comment_id: int, text: str) -> DupKeys:
        """Compute the keys of one comment's text."""
        norm = normalize_text(text)
        exact_key = _digest(norm if norm else "\0" + text.strip())
        if len(norm) < MIN_NEAR_CHARS:
            return cls(comment_id, norm, exact_key, True)
        return cls(
            comment_id, norm, exact_key, False, _simhash_normalized(norm) & MASK64, edit_keys(norm)
        )

    def row(self) -> tuple:
        """The dup_keys row."""
        return (
            self.comment_id,
            self.exact_key,
            self.norm,
            _signed(self.simhash),
            *bands(self.simhash),
            int(self.short),
        )


@dataclass
class _BatchIndex:
    """The keys of a batch's earlier comments, looked up in memory (not yet stored)."""

    exact: dict[str, int] = field(default_factory=dict)
    bands: list[dict[int, list[DupKeys]]] = field(
        default_factory=lambda: [defaultdict(list) for _ in BAND_SHIFTS]
    )
    edits: dict[int, list[DupKeys]] = field(default_factory=lambda: defaultdict(list))

    def matches(self, keys: DupKeys, max_distance: int) -> set[int]:
        found = set()
        if keys.exact_key in self.exact:
            found.add(self.exact[keys.exact_key])
        if keys.short:
            return found
        for index, band in zip(self.bands, bands(keys.simhash), strict=True):
            for other in index.get(band, ())[-CANDIDATE_LIMIT:]:
                if hamming(keys.simhash, other.simhash) <= max_distance:
                    found.add(other.comment_id)
        for key in keys.edit_keys:
            for other in self.edits.get(key, ())[-CANDIDATE_LIMIT:]:
                if other.comment_id not in found and one_edit_apart(keys.norm, other.norm):
                    found.add(other.comment_id)
        return found

    def add(self, keys: DupKeys) -> None:
        self.exact.setdefault(keys.exact_key, keys.comment_id)
        if keys.short:
            return
        for index, band in zip(self.bands, bands(keys.simhash), strict=True):
            index[band].append(keys)
        for key in keys.edit_keys:
            self.edits[key].append(keys)


def _stored_matches(db, keys: DupKeys, max_distance: int) -> set[int]:
    """Stored comments that duplicate this one (indexed look-ups only).

    A stored exact twin is enough: anything near this text is near the twin too, and was
    grouped with it when the later of the two arrived.
    """
    execute = db.conn.execute  # plain sqlite3: this runs once per comment on the ingest path
    twin = execute(_EXACT_SQL, [keys.exact_key]).fetchone()
    if twin is not None:
        return {twin[0]}
    if keys.short:
        return set()
    value = keys.simhash
    found = {  # hamming() inlined: a hundred candidates a comment at a million stored
        other_id
        for other_id, other_hash in execute(_NEAR_SQL, bands(value))
        if ((value ^ other_hash) & MASK64).bit_count() <= max_distance
    }
    marks = ",".join("?" * len(keys.edit_keys))
    sharing = {
        row[0]
        for row in execute(_EDIT_SQL.format(marks=marks), [*keys.edit_keys, 3 * CANDIDATE_LIMIT])
    }
    unseen = sorted(sharing - found)
    if unseen:
        marks = ",".join("?" * len(unseen))
        for other_id, other_norm in execute(_NORMS_SQL.format(marks=marks), unseen):
            if one_edit_apart(keys.norm, other_norm):
                found.add(other_id)
    return found


@dataclass
class BatchGroups:
    """What grouping a batch decided: each comment's group, and groups that gained members."""

    group_of: dict[int, int]
    joined: set[int]  # groups with more than one member that this batch added to or merged
    merged: set[int] = field(default_factory=set)  # groups that absorbed other stored groups


def assign_groups(db, items: list[tuple[int, str]], max_distance: int) -> BatchGroups:
    """Record a batch's keys and return each comment's duplicate group, merging groups.

    Stored comments whose groups the batch joins are moved into the merged group here; the
    batch's own score rows get their group from the caller (``scores.save_scores``).
    Run inside the transaction that stores the batch's scores.
    """
    batch = [DupKeys.of(comment_id, text) for comment_id, text in items]
    forget(db, [keys.comment_id for keys in batch])
    local = _BatchIndex()
    sets = UnionFind()
    stored_links: dict[int, set[int]] = {}
    for keys in batch:
        twin = local.exact.get(keys.exact_key)
        if twin is not None:  # an earlier twin in the batch already has every link
            sets.union(keys.comment_id, twin)
            stored_links[keys.comment_id] = set()
        else:
            stored_links[keys.comment_id] = _stored_matches(db, keys, max_distance)
            for other in local.matches(keys, max_distance):
                sets.union(keys.comment_id, other)
        local.add(keys)
    linked = {i for i, found in stored_links.items() if found}
    stored_group = _groups_of(db, sorted(set().union(*stored_links.values())))
    for comment_id, found in stored_links.items():
        for other in found:
            sets.union(comment_id, stored_group.get(other) or other)
    moved = {group for group in stored_group.values() if group and sets.find(group) != group}
    db.conn.executemany(
        "UPDATE scores SET dup_group = ? WHERE dup_group = ?",
        [(sets.find(group), group) for group in sorted(moved)],
    )
    _store_keys(db, batch)
    group_of = {keys.comment_id: sets.find(keys.comment_id) for keys in batch}
    joined = {group for comment_id, group in group_of.items() if group != comment_id}
    joined |= {group_of[comment_id] for comment_id in linked}
    return BatchGroups(group_of, joined, {sets.find(group) for group in moved})


def forget(db, comment_ids: list[int]) -> None:
    """Drop the stored keys of these comments (before they are keyed again)."""
    for chunk, marks in in_chunks(comment_ids):
        old = db.conn.execute(
            f"SELECT comment_id, norm FROM dup_keys WHERE comment_id IN ({marks}) AND short = 0",
            chunk,
        ).fetchall()
        db.conn.executemany(
            "DELETE FROM dup_edit_keys WHERE key = ? AND comment_id = ?",
            [(key, comment_id) for comment_id, norm in old for key in edit_keys(norm)],
        )
        db.conn.execute(f"DELETE FROM dup_keys WHERE comment_id IN ({marks})", chunk)


def _store_keys(db, batch: list[DupKeys]) -> None:
    db.conn.executemany(
        "INSERT INTO dup_keys (comment_id, exact_key, norm, simhash, band0, band1, band2, "
        "band3, short) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [keys.row() for keys in batch],
    )
    db.conn.executemany(
        "INSERT OR IGNORE INTO dup_edit_keys (key, comment_id) VALUES (?, ?)",
        [(key, keys.comment_id) for keys in batch for key in keys.edit_keys],
    )


def store_edit_keys_from_norms(db) -> None:
    """(Re)build every one-edit key from the stored normalised texts (for migrations)."""
    rows = db.conn.execute("SELECT comment_id, norm FROM dup_keys WHERE short = 0")
    while chunk := rows.fetchmany(5000):
        db.conn.executemany(
            "INSERT OR IGNORE INTO dup_edit_keys (key, comment_id) VALUES (?, ?)",
            [(key, comment_id) for comment_id, norm in chunk for key in edit_keys(norm)],
        )


def _groups_of(db, comment_ids: list[int]) -> dict[int, int | None]:
    found = {}
    for chunk, marks in in_chunks(comment_ids):
        found.update(
            db.conn.execute(
                f"SELECT comment_id, dup_group FROM scores WHERE comment_id IN ({marks})", chunk
            ).fetchall()
        )
    return found


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
