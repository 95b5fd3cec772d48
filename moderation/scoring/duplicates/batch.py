"""Grouping one batch of new comments among themselves, before it meets the stored ones."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from moderation.scoring.duplicates.edits import one_edit_apart
from moderation.scoring.duplicates.grouping import UnionFind
from moderation.scoring.duplicates.keys import DupKeys
from moderation.scoring.duplicates.simhash import band_keys, hamming

CANDIDATE_LIMIT = 200  # per key, among a batch's own earlier comments


@dataclass
class _BatchIndex:
    """The keys of a batch's earlier comments, looked up in memory (not yet stored)."""

    exact: dict[str, int] = field(default_factory=dict)
    bands: dict[int, list[DupKeys]] = field(default_factory=lambda: defaultdict(list))
    edits: dict[int, list[DupKeys]] = field(default_factory=lambda: defaultdict(list))

    def link(self, keys: DupKeys, max_distance: int, sets: UnionFind) -> None:
        """Unite `keys` with the earlier members it duplicates. A candidate already in its
        set is not checked again: in a campaign of variants nearly every candidate is."""
        me = keys.comment_id
        if keys.exact_key in self.exact:
            sets.union(me, self.exact[keys.exact_key])
        if keys.short:
            return
        root = sets.find(me)
        for band in band_keys(keys.simhash):
            for other in self.bands.get(band, ())[-CANDIDATE_LIMIT:]:
                if sets.find(other.comment_id) != root and (
                    hamming(keys.simhash, other.simhash) <= max_distance
                ):
                    sets.union(me, other.comment_id)
                    root = sets.find(me)
        for key, _ in keys.probes:
            for other in self.edits.get(key, ())[-CANDIDATE_LIMIT:]:
                if sets.find(other.comment_id) != root and one_edit_apart(keys.norm, other.norm):
                    sets.union(me, other.comment_id)
                    root = sets.find(me)

    def add(self, keys: DupKeys) -> None:
        self.exact.setdefault(keys.exact_key, keys.comment_id)
        if keys.short:
            return
        for band in band_keys(keys.simhash):
            self.bands[band].append(keys)
        for key, _ in keys.edit_keys:
            self.edits[key].append(keys)


def link_within_batch(batch: list[DupKeys], max_distance: int) -> UnionFind:
    """Comment ids of the batch united with the earlier members of the batch they duplicate."""
    local = _BatchIndex()
    sets = UnionFind()
    for keys in batch:
        twin = local.exact.get(keys.exact_key)
        if twin is not None:  # an earlier twin in the batch has the same links
            sets.union(keys.comment_id, twin)
        else:
            local.link(keys, max_distance, sets)
        local.add(keys)
    return sets
