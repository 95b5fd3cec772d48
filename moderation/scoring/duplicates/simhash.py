"""SimHash: 64 bits over normalised character bigrams, so near-identical texts hash close."""

from __future__ import annotations

import hashlib

from moderation.scoring.textnorm import normalize_text

SHINGLE_SIZE = 2
# Four 16-bit bands: two hashes within 3 bits agree exactly on at least one (pigeonhole).
BAND_SHIFTS = (0, 16, 32, 48)

# Each of the 64 hash bits gets a 32-bit counter field inside one big integer, so summing the
# shingles of a comment is a single C-level ``sum`` (pure Python, no numpy).
_FIELD_BITS = 32
_ONES = sum(1 << (bit * _FIELD_BITS) for bit in range(64))
_TOP_BITS = _ONES << (_FIELD_BITS - 1)
_SPREAD = [
    [
        sum(1 << ((8 * byte_index + bit) * _FIELD_BITS) for bit in range(8) if value >> bit & 1)
        for value in range(256)
    ]
    for byte_index in range(8)
]
_TOP_BYTE_TO_DIGIT = bytes.maketrans(b"\x00\x80", b"01")


class _SpreadCache(dict):
    """Shingle -> spread hash, computed on first use; cleared when it grows too big."""

    def __missing__(self, feature: str) -> int:
        digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
        spread = 0
        for byte_index, value in enumerate(digest):
            spread |= _SPREAD[byte_index][value]
        if len(self) > 300_000:
            self.clear()
        self[feature] = spread
        return spread


_spread_cache = _SpreadCache()


def simhash_normalized(normalized: str) -> int:
    """SimHash of already normalised text (saves normalising twice); 0 for empty text."""
    if not normalized:
        return 0
    size = SHINGLE_SIZE
    features = [normalized[i : i + size] for i in range(max(1, len(normalized) - size + 1))]
    packed = sum(map(_spread_cache.__getitem__, features))
    # A bit is set when more than half the shingles set it: add (2**31 - needed) to every
    # counter and read each counter's top bit.
    needed = len(features) // 2 + 1
    top = (packed + ((1 << (_FIELD_BITS - 1)) - needed) * _ONES) & _TOP_BITS
    top_bytes = top.to_bytes(64 * _FIELD_BITS // 8, "little")[_FIELD_BITS // 8 - 1 :: 4]
    return int(top_bytes.translate(_TOP_BYTE_TO_DIGIT)[::-1], 2)


def simhash(text: str) -> int:
    """64-bit SimHash over normalised character bigrams, so near-identical texts hash close.

    Shingle size 2 (``SHINGLE_SIZE``), each shingle hashed with BLAKE2b-64 and weighted by
    its count; ``duplicate_groups`` treats hashes within 3 bits (its ``max_distance``) as
    near duplicates. Normalisation first, so punctuation, emoji, width, case and
    traditional/simplified differences do not change the hash.
    """
    return simhash_normalized(normalize_text(text))


def hamming(a: int, b: int) -> int:
    """Count the bits in which two SimHashes differ."""
    return (a ^ b).bit_count()


def band_keys(simhash: int) -> list[int]:
    """One hash's four 16-bit bands as keys (band number << 16 | band value), to look up
    the hashes within 3 bits of it."""
    return [((simhash >> shift) & 0xFFFF) | (band << 16) for band, shift in enumerate(BAND_SHIFTS)]
