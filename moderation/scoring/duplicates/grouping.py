"""Duplicate groups of many texts at once, in memory: hash buckets, never every pair."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable

from moderation.scoring.duplicates.edits import edit_buckets, one_edit_apart
from moderation.scoring.duplicates.keys import MIN_NEAR_CHARS
from moderation.scoring.duplicates.simhash import simhash_normalized
from moderation.scoring.textnorm import normalize_text

# Buckets this crowded are compared with their nearest neighbours only, to stay near-linear.
MAX_BUCKET = 1000
_NEIGHBOURS = 32


class UnionFind:
    """Disjoint sets of integers for single-linkage grouping; a set's root is its smallest.

    Items need no declaring: one never united is its own set.
    """

    def __init__(self):
        self.parent: dict[int, int] = {}

    def find(self, item: int) -> int:
        """Return the set representative of ``item``, compressing the path."""
        root = item
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while item != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: int, b: int) -> None:
        """Merge the sets of ``a`` and ``b``."""
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[max(root_a, root_b)] = min(root_a, root_b)


def _bucket_pairs(members: list[int], order_key: Callable[[int], object]):
    """Yield the pairs of one bucket to compare: all of them, or neighbours if crowded."""
    if len(members) <= MAX_BUCKET:
        for i, first in enumerate(members):
            for second in members[i + 1 :]:
                yield first, second
        return
    ordered = sorted(members, key=order_key)
    for i, first in enumerate(ordered):
        for second in ordered[i + 1 : i + 1 + _NEIGHBOURS]:
            yield first, second


def _band_masks(max_distance: int) -> list[tuple[int, int]]:
    """Split 64 bits into ``max_distance + 1`` bands of (shift, mask)."""
    bands = min(max_distance + 1, 64)
    edges = [round(64 * i / bands) for i in range(bands + 1)]
    return [(start, (1 << (end - start)) - 1) for start, end in zip(edges, edges[1:], strict=False)]


def _link_simhash(keys: list[str], sets: UnionFind, max_distance: int) -> None:
    """Union distinct keys whose SimHashes are within ``max_distance`` bits."""
    hashes = {index: simhash_normalized(key) for index, key in enumerate(keys)}
    bands = list(enumerate(_band_masks(max_distance)))
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, value in hashes.items():
        for band, (shift, mask) in bands:
            buckets[band, value >> shift & mask].append(index)
    for members in buckets.values():
        if len(members) == 1:
            continue
        for first, second in _bucket_pairs(members, hashes.__getitem__):
            if (hashes[first] ^ hashes[second]).bit_count() <= max_distance:
                sets.union(first, second)


def _link_one_edit(keys: list[str], sets: UnionFind) -> None:
    """Union distinct keys that differ by a single character."""
    buckets: dict[tuple, list[int]] = defaultdict(list)
    for index, key in enumerate(keys):
        for bucket in edit_buckets(key):
            buckets[bucket].append(index)
    for members in buckets.values():
        if len(members) == 1:
            continue
        for first, second in _bucket_pairs(members, keys.__getitem__):
            close = abs(len(keys[first]) - len(keys[second])) <= 1
            if close and sets.find(first) != sets.find(second):
                if one_edit_apart(keys[first], keys[second]):
                    sets.union(first, second)


def duplicate_groups(items: Iterable[tuple[int, str]], max_distance: int = 3) -> dict[int, int]:
    """Map every comment id to its duplicate group id (smallest member id), to fold repeats."""
    ids_by_key: dict[str, list[int]] = defaultdict(list)
    for comment_id, text in items:
        key = normalize_text(text)
        ids_by_key[key if key else "\0" + text.strip()].append(comment_id)
    keys = list(ids_by_key)
    sets = UnionFind()
    near = [i for i, key in enumerate(keys) if len(key) >= MIN_NEAR_CHARS and key[0] != "\0"]
    near_sets = UnionFind()
    _link_simhash([keys[i] for i in near], near_sets, max_distance)
    _link_one_edit([keys[i] for i in near], near_sets)
    for position, index in enumerate(near):
        sets.union(index, near[near_sets.find(position)])
    group_of_root: dict[int, int] = {}
    for index, key in enumerate(keys):
        root = sets.find(index)
        group_of_root[root] = min(group_of_root.get(root, math.inf), *ids_by_key[key])
    return {
        comment_id: group_of_root[sets.find(index)]
        for index, key in enumerate(keys)
        for comment_id in ids_by_key[key]
    }


def mass_posting(
    items: Iterable[tuple[int, str, str]], min_authors: int = 3, min_chars: int = MIN_NEAR_CHARS
) -> set[int]:
    """Ids of comments whose normalised text came from ``min_authors`` or more authors.

    Texts under ``min_chars`` normalised characters are skipped: many readers really do
    write 点赞 or 支持株洲 on their own.
    """
    authors: dict[str, set[str]] = defaultdict(set)
    ids: dict[str, list[int]] = defaultdict(list)
    for comment_id, author, text in items:
        key = normalize_text(text)
        if len(key) >= min_chars:
            authors[key].add(author)
            ids[key].append(comment_id)
    return {i for key, members in ids.items() if len(authors[key]) >= min_authors for i in members}
