"""Duplicate groups kept up to date as comments arrive, across channels, a batch at a time.

Each comment stores its keys (``scoring.duplicates.DupKeys``) in one dup_keys row: the exact
key (a hash of the normalised text), its 64-bit SimHash, and three one-edit keys (the text
with each of its thirds cut out), each with a bitmap of the characters of the third it cuts
out. Candidates come from look-ups, never a scan: hashes within Hamming distance 3 share at
least one of four 16-bit bands (pigeonhole), and a text one character from a stored one
looks it up under a key whose kept thirds the edit did not touch (``edit_probes``).
Candidates are confirmed on the full hash, and one-edit ones on the stored texts. A group's
id is the smallest comment id in it; scores.dup_group carries it for the dashboard.

A batch is matched against the stored keys through this process's in-memory index
(storage.duplicate_index), all at once, and against its own earlier members in memory; its
keys are then appended to dup_keys with one statement. The result equals adding the
comments one by one (tests compare it with the in-memory ``duplicate_groups``).

A posting campaign costs a bounded amount per comment: a probe gets at most the newest few
entries under one key (``duplicate_index.TWIN_CANDIDATES``, ``NEAR_CANDIDATES``), and a
candidate whose group is already linked is not checked again; only a link to an old variant
no longer among the newest under any of a comment's keys can be missed.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from moderation.scoring.duplicates import DupKeys, UnionFind, link_within_batch, one_edit_apart
from moderation.storage import in_chunks
from moderation.storage.duplicate_index import DuplicateIndex, current_token, index_for

MASK64 = (1 << 64) - 1


def _signed(value: int) -> int:
    """SQLite integers are signed 64-bit."""
    value &= MASK64
    return value - (1 << 64) if value >= 1 << 63 else value


def edit_blob(keys: DupKeys) -> bytes | None:
    """The stored one-edit keys: (key, rest bitmap) three times, little-endian signed key
    and unsigned bitmap (``duplicate_index.EDIT_ENTRY``); None for a short text."""
    if keys.short:
        return None
    pairs = keys.edit_keys
    return struct.pack("<" + "qQ" * len(pairs), *(value for pair in pairs for value in pair))


def key_row(keys: DupKeys) -> tuple:
    """The dup_keys row of one comment's keys."""
    return (
        keys.comment_id,
        keys.exact_key,
        keys.norm,
        _signed(keys.simhash),
        int(keys.short),
        edit_blob(keys),
    )


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
    candidates = sorted({other for _, other in unseen})
    norms = _by_comment(db, "dup_keys", "norm", candidates)
    group_of = _by_comment(
        db, "scores", "dup_group", sorted(set(candidates).union(*links.values()))
    )
    joined = {
        comment_id: {group_of.get(other) or other for other in found}
        for comment_id, found in links.items()
    }
    for keys, other in unseen:
        group = group_of.get(other) or other
        if group in joined[keys.comment_id]:
            continue  # linked to that group already: in a campaign, most candidates are
        if one_edit_apart(keys.norm, norms[other]):
            links[keys.comment_id].add(other)
            joined[keys.comment_id].add(group)
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

    def members(self) -> dict[int, list[int]]:
        """{group: the batch's comments in it}."""
        found: dict[int, list[int]] = {}
        for comment_id, group in self.group_of.items():
            found.setdefault(group, []).append(comment_id)
        return found


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
    sets = link_within_batch(batch, max_distance)
    moved = _join_stored_groups(db, sets, stored_links)
    _store_keys(db, index, batch)
    index.token = current_token(db)
    group_of = {keys.comment_id: sets.find(keys.comment_id) for keys in batch}
    joined = {group for comment_id, group in group_of.items() if group != comment_id}
    joined |= {group_of[comment_id] for comment_id, found in stored_links.items() if found}
    return BatchGroups(group_of, joined, {sets.find(group) for group in moved})


def _join_stored_groups(db, sets: UnionFind, stored_links: dict[int, set[int]]) -> set[int]:
    """Unite the batch with the groups of the stored comments it duplicates, and move the
    stored members of every group merged into another; return the groups that moved."""
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
    return moved


def forget(db, index: DuplicateIndex, comment_ids: list[int]) -> None:
    """Drop the stored keys of these comments (before they are keyed again)."""
    if not comment_ids or min(comment_ids) > index.max_id:
        return  # new comments (the usual batch) have no keys yet
    for chunk, marks in in_chunks(comment_ids):
        db.conn.execute(f"DELETE FROM dup_keys WHERE comment_id IN ({marks})", chunk)
    index.remove(comment_ids)


def _store_keys(db, index: DuplicateIndex, batch: list[DupKeys]) -> None:
    rows = [key_row(keys) for keys in batch]
    db.conn.executemany(
        "INSERT INTO dup_keys (comment_id, exact_key, norm, simhash, short, edit) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    for keys in batch:
        index.add(keys.comment_id, keys.exact64, keys.simhash, keys.short, keys.edit_keys)


def clear_groups(db) -> None:
    """Forget every stored key and group, before all comments are grouped again."""
    db.execute("DELETE FROM dup_keys")
    db.execute("UPDATE scores SET dup_group = NULL")


def group_members(db, group_id: int) -> list[int]:
    """Ids of every comment in a duplicate group."""
    return [
        row[0]
        for row in db.execute(
            "SELECT comment_id FROM scores WHERE dup_group = ? ORDER BY 1", [group_id]
        )
    ]


def earliest_member(db, group_id: int) -> int | None:
    """The id of a duplicate group's earliest comment (by the time it was posted; the lower
    id on a tie): the original that "keep the earliest" keeps."""
    row = db.execute(
        "SELECT c.id FROM scores s JOIN comments c ON c.id = s.comment_id WHERE s.dup_group = ? "
        "ORDER BY c.created_at, c.id LIMIT 1",
        [group_id],
    ).fetchone()
    return row[0] if row else None


def authors_in_group(db, group_id: int) -> int:
    """How many distinct authors posted into a duplicate group."""
    return db.execute(
        "SELECT COUNT(DISTINCT c.author_key) FROM scores s JOIN comments c ON c.id = s.comment_id "
        "WHERE s.dup_group = ?",
        [group_id],
    ).fetchone()[0]
