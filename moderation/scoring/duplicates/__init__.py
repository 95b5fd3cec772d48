"""Duplicate detection over comment texts: pure computation, no SQL.

Two comments are duplicates when their normalised texts (``textnorm.normalize_text``) are
equal or, for texts of at least ``MIN_NEAR_CHARS`` characters, when

- their SimHashes (64 bits, character bigram shingles, weighted by count) are within
  ``max_distance`` bits (default 3), looked up by bands: two hashes within d bits agree
  exactly on at least one of d + 1 bands. This catches reworded longer comments.
- one inserted, deleted or replaced character turns one into the other, looked up by the
  two thirds of the text it leaves alone. SimHash cannot see that in a short comment: one
  changed character in a 20-character comment flips 6-12 of 64 bits.

Groups are the connected components; a group's id is its smallest comment id.
``duplicate_groups`` groups many texts at once in memory. ``DupKeys`` and
``link_within_batch`` serve ``storage.duplicates``, which keeps the keys of stored
comments and groups new ones a batch at a time, with the same result.
"""

from moderation.scoring.duplicates.batch import link_within_batch
from moderation.scoring.duplicates.edits import edit_entries, edit_probes, one_edit_apart
from moderation.scoring.duplicates.grouping import UnionFind, duplicate_groups, mass_posting
from moderation.scoring.duplicates.keys import MIN_NEAR_CHARS, DupKeys, exact_int
from moderation.scoring.duplicates.simhash import BAND_SHIFTS, band_keys, hamming, simhash

__all__ = [
    "BAND_SHIFTS",
    "MIN_NEAR_CHARS",
    "DupKeys",
    "UnionFind",
    "band_keys",
    "duplicate_groups",
    "edit_entries",
    "edit_probes",
    "exact_int",
    "hamming",
    "link_within_batch",
    "mass_posting",
    "one_edit_apart",
    "simhash",
]
