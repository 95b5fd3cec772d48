"""Duplicate groups kept up to date as comments arrive, across channels, a batch at a time.

Each comment stores its exact key (a hash of the normalised text), its 64-bit SimHash, and
three "one-edit" keys (the text with each of its thirds cut out), each with a bitmap of the
characters of the third it cuts out. Candidates come from look-ups, never a scan: hashes
within Hamming distance 3 share at least one of four 16-bit bands (pigeonhole), and a text
one character from a stored one looks it up under a key whose kept thirds the edit did not
touch (see :func:`edit_probes`). Candidates are confirmed on the full hash, and one-edit
ones on the stored texts. A group's id is the smallest comment id in it; scores.dup_group
carries it for the dashboard.

A batch is matched against the stored keys through this process's in-memory index
(storage.duplicate_index), all at once, and against its own earlier members in memory; its
keys are then appended to dup_keys with one statement. The result equals adding the
comments one by one (tests compare it with the in-memory ``groups.duplicate_groups``).
"""

from __future__ import annotations

import hashlib
import struct
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache, reduce
from operator import or_

from moderation.scoring.groups import (
    MIN_NEAR_CHARS,
    UnionFind,
    _simhash_normalized,
    hamming,
    one_edit_apart,
)
from moderation.scoring.textnorm import normalize_text
from moderation.storage import in_chunks
from moderation.storage.duplicate_index import (
    DuplicateIndex,
    band_keys,
    current_token,
    exact_int,
    index_for,
)

CANDIDATE_LIMIT = 200  # per key, among a batch's own earlier comments
MASK64 = (1 << 64) - 1


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


def _cuts(length: int) -> tuple[int, int]:
    return length // 3, 2 * length // 3


def _own_slices(norm: str) -> list[tuple[int, int, int]]:
    """(key, start, end) of the rest for each of a text's three stored one-edit keys: the
    text with its last, middle or first third cut out (that third is the rest)."""
    length = len(norm)
    cut1, cut2 = _cuts(length)
    tag = str(length)
    return [
        (_key64(tag, "0", norm[:cut2]), cut2, length),
        (_key64(tag, "1", norm[:cut1], norm[cut2:]), cut1, cut2),
        (_key64(tag, "2", norm[cut1:]), 0, cut1),
    ]


def _other_slices(norm: str) -> list[tuple[int, int, int]]:
    """(key, start, end) of the keys a stored text one character shorter or longer has.

    One character shorter (``norm`` has an insertion): whichever third of the stored text
    holds the insertion point, the other two thirds are unchanged in ``norm`` too. One
    character longer (``norm`` has a deletion at p): p < cut1, cut1 <= p < cut2 or p >= cut2
    of the longer text picks the key whose kept parts ``norm`` still has.
    """
    length = len(norm)
    tag, (cut1, cut2) = str(length - 1), _cuts(length - 1)
    found = [
        (_key64(tag, "0", norm[:cut2]), cut2, length),
        (_key64(tag, "1", norm[:cut1], norm[cut2 + 1 :]), cut1, cut2 + 1),
        (_key64(tag, "2", norm[cut1 + 1 :]), 0, cut1 + 1),
    ]
    tag, (cut1, cut2) = str(length + 1), _cuts(length + 1)
    found.append((_key64(tag, "0", norm[:cut2]), cut2, length))
    if cut2 - 1 >= cut1:
        found.append((_key64(tag, "1", norm[:cut1], norm[cut2 - 1 :]), cut1, cut2 - 1))
    if cut1 >= 1:
        found.append((_key64(tag, "2", norm[cut1 - 1 :]), 0, cut1 - 1))
    return found


def edit_entries(norm: str) -> list[tuple[int, str]]:
    """The (key, rest) pairs filed for a text. Two texts one edit apart that share a key
    keep the same two thirds, so they differ only in their rests."""
    return [(key, norm[start:end]) for key, start, end in _own_slices(norm)]


def edit_probes(norm: str) -> dict[int, str]:
    """Keys under which a stored text one edit from ``norm`` was filed, with ``norm``'s rest.

    A stored text of the same length (a replacement) was filed under ``norm``'s own keys;
    see :func:`_other_slices` for one character shorter or longer.
    """
    return {key: norm[start:end] for key, start, end in _own_slices(norm) + _other_slices(norm)}


@lru_cache(maxsize=65536)
def _char_bit(char: str) -> int:
    return 1 << ((ord(char) * 0x9E3779B1 >> 16) & 63)


def _with_bits(norm: str, slices: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """(key, bitmap of the rest's characters): one edit changes at most two of its bits."""
    bits = list(map(_char_bit, norm))
    return [(key, reduce(or_, bits[start:end], 0)) for key, start, end in slices]


def _blob(edit_keys) -> bytes:
    """(key, rest bitmap) pairs as stored: little-endian signed key, unsigned bitmap."""
    return struct.pack("<" + "qQ" * len(edit_keys), *(v for pair in edit_keys for v in pair))


@dataclass(frozen=True)
class DupKeys:
    """Everything stored about one comment for finding its duplicates."""

    comment_id: int
    norm: str
    exact_key: str
    short: bool
    simhash: int = 0  # unsigned; 0 for short texts
    edit_keys: tuple[tuple[int, int], ...] = ()  # its three (one-edit key, rest bitmap)

    @classmethod
    def of(cls, comment_id: int, text: str) -> DupKeys:
        """Compute the keys of one comment's text."""
        norm = normalize_text(text)
        exact_key = _digest(norm if norm else "\0" + text.strip())
        if len(norm) < MIN_NEAR_CHARS:
            return cls(comment_id, norm, exact_key, True)
        return cls(
            comment_id,
            norm,
            exact_key,
            False,
            _simhash_normalized(norm) & MASK64,
            tuple(_with_bits(norm, _own_slices(norm))),
        )

    @cached_property
    def exact64(self) -> int:
        """The first 64 bits of the exact key, as the in-memory index files it."""
        return exact_int(self.exact_key)

    @cached_property
    def probes(self) -> list[tuple[int, int]]:
        """(key, rest bitmap) to look this text up under (see :func:`edit_probes`)."""
        return [*self.edit_keys, *_with_bits(self.norm, _other_slices(self.norm))]

    def edit_blob(self) -> bytes | None:
        """The stored one-edit keys: (key, rest bitmap) three times, little-endian."""
        return None if self.short else _blob(self.edit_keys)

    def row(self) -> tuple:
        """The dup_keys row."""
        return (
            self.comment_id,
            self.exact_key,
            self.norm,
            _signed(self.simhash),
            int(self.short),
            self.edit_blob(),
        )


@dataclass
class _BatchIndex:
    """The keys of a batch's earlier comments, looked up in memory (not yet stored)."""

    exact: dict[str, int] = field(default_factory=dict)
    bands: dict[int, list[DupKeys]] = field(default_factory=lambda: defaultdict(list))
    edits: dict[int, list[DupKeys]] = field(default_factory=lambda: defaultdict(list))

    def matches(self, keys: DupKeys, max_distance: int) -> set[int]:
        found = set()
        if keys.exact_key in self.exact:
            found.add(self.exact[keys.exact_key])
        if keys.short:
            return found
        for band in band_keys(keys.simhash):
            for other in self.bands.get(band, ())[-CANDIDATE_LIMIT:]:
                if hamming(keys.simhash, other.simhash) <= max_distance:
                    found.add(other.comment_id)
        for key, _ in keys.probes:
            for other in self.edits.get(key, ())[-CANDIDATE_LIMIT:]:
                if other.comment_id not in found and one_edit_apart(keys.norm, other.norm):
                    found.add(other.comment_id)
        return found

    def add(self, keys: DupKeys) -> None:
        self.exact.setdefault(keys.exact_key, keys.comment_id)
        if keys.short:
            return
        for band in band_keys(keys.simhash):
            self.bands[band].append(keys)
        for key, _ in keys.edit_keys:
            self.edits[key].append(keys)


def _stored_links(
    db, index: DuplicateIndex, batch: list[DupKeys], max_distance: int
) -> dict[int, set[int]]:
    """For each comment of the batch, the stored comments that duplicate it.

    Looked up in the in-memory index for the whole batch at once. A stored exact twin is
    enough: anything near this text is near the twin too, and was grouped with it when the
    later of the two arrived.
    """
    links: dict[int, set[int]] = {keys.comment_id: set() for keys in batch}
    twins = _confirmed(db, batch, index.twins([keys.exact64 for keys in batch]))
    for position, twin in twins.items():
        links[batch[position].comment_id].add(twin)
    rest = [keys for position, keys in enumerate(batch) if position not in twins and not keys.short]
    if not rest:
        return links
    for position, other in index.near([keys.simhash for keys in rest], max_distance):
        links[rest[position].comment_id].add(other)
    probes = [
        (position, key, bits) for position, keys in enumerate(rest) for key, bits in keys.probes
    ]
    unseen = [
        (rest[position], other)
        for position, other in index.one_edit_candidates(probes)
        if other not in links[rest[position].comment_id]
    ]
    norms = _by_comment(db, "dup_keys", "norm", sorted({other for _, other in unseen}))
    for keys, other in unseen:
        if one_edit_apart(keys.norm, norms[other]):
            links[keys.comment_id].add(other)
    return links


def _confirmed(db, batch: list[DupKeys], twins: dict[int, int]) -> dict[int, int]:
    """The twins whose full exact key matches (the index compares 64 bits of it)."""
    stored = _by_comment(db, "dup_keys", "exact_key", sorted(set(twins.values())))
    return {p: twin for p, twin in twins.items() if stored.get(twin) == batch[p].exact_key}


def _by_comment(db, table: str, column: str, comment_ids: list[int]) -> dict:
    """{comment_id: column} for these comments of dup_keys or scores."""
    found = {}
    for chunk, marks in in_chunks(comment_ids):
        found.update(
            db.conn.execute(
                f"SELECT comment_id, {column} FROM {table} WHERE comment_id IN ({marks})", chunk
            ).fetchall()
        )
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
    index = index_for(db)
    index.token = None  # until this transaction's changes are all in: a rollback reloads
    forget(db, index, [keys.comment_id for keys in batch])
    stored_links = _stored_links(db, index, batch, max_distance)
    local = _BatchIndex()
    sets = UnionFind()
    for keys in batch:
        twin = local.exact.get(keys.exact_key)
        if twin is not None:  # an earlier twin in the batch has the same links
            sets.union(keys.comment_id, twin)
        else:
            for other in local.matches(keys, max_distance):
                sets.union(keys.comment_id, other)
        local.add(keys)
    linked = {i for i, found in stored_links.items() if found}
    stored = sorted(set().union(*stored_links.values()))
    stored_group = _by_comment(db, "scores", "dup_group", stored)
    for comment_id, found in stored_links.items():
        for other in found:
            sets.union(comment_id, stored_group.get(other) or other)
    moved = {group for group in stored_group.values() if group and sets.find(group) != group}
    db.conn.executemany(
        "UPDATE scores SET dup_group = ? WHERE dup_group = ?",
        [(sets.find(group), group) for group in sorted(moved)],
    )
    _store_keys(db, index, batch)
    index.token = current_token(db)
    group_of = {keys.comment_id: sets.find(keys.comment_id) for keys in batch}
    joined = {group for comment_id, group in group_of.items() if group != comment_id}
    joined |= {group_of[comment_id] for comment_id in linked}
    return BatchGroups(group_of, joined, {sets.find(group) for group in moved})


def forget(db, index: DuplicateIndex, comment_ids: list[int]) -> None:
    """Drop the stored keys of these comments (before they are keyed again)."""
    if not comment_ids or min(comment_ids) > index.max_id:
        return  # new comments (the usual batch) have no keys yet
    for chunk, marks in in_chunks(comment_ids):
        db.conn.execute(f"DELETE FROM dup_keys WHERE comment_id IN ({marks})", chunk)
    index.remove(comment_ids)


def _store_keys(db, index: DuplicateIndex, batch: list[DupKeys]) -> None:
    rows = [keys.row() for keys in batch]
    db.conn.executemany(
        "INSERT INTO dup_keys (comment_id, exact_key, norm, simhash, short, edit) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    for keys in batch:
        index.add(keys.comment_id, keys.exact64, keys.simhash, keys.short, keys.edit_keys)


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
