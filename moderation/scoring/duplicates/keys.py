"""The keys one comment is stored and looked up under to find its duplicates."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

from moderation.scoring.duplicates.edits import other_edit_keys, own_edit_keys
from moderation.scoring.duplicates.simhash import simhash_normalized
from moderation.scoring.textnorm import normalize_text

MIN_NEAR_CHARS = 5  # shorter normalised texts only group on exact equality
MASK64 = (1 << 64) - 1


def exact_key(norm: str, text: str) -> str:
    """The key of a normalised text (of the stripped raw text when nothing is left of it)."""
    key = norm if norm else "\0" + text.strip()
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=10).hexdigest()


def exact_int(exact_key: str) -> int:
    """The first 64 bits of an exact key (a hex digest), as a signed integer."""
    return int.from_bytes(bytes.fromhex(exact_key[:16]), "little", signed=True)


@dataclass(frozen=True)
class DupKeys:
    """Everything kept about one comment for finding its duplicates."""

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
        key = exact_key(norm, text)
        if len(norm) < MIN_NEAR_CHARS:
            return cls(comment_id, norm, key, True)
        return cls(
            comment_id,
            norm,
            key,
            False,
            simhash_normalized(norm) & MASK64,
            tuple(own_edit_keys(norm)),
        )

    @cached_property
    def exact64(self) -> int:
        """The first 64 bits of the exact key, as an in-memory index files it."""
        return exact_int(self.exact_key)

    @cached_property
    def probes(self) -> list[tuple[int, int]]:
        """(key, rest bitmap) to look this text up under (see ``edits.edit_probes``)."""
        return [*self.edit_keys, *other_edit_keys(self.norm)]
