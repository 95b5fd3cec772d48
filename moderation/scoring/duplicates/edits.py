"""One inserted, deleted or replaced character: the test, and the keys that find such pairs.

A text is cut in thirds; one edit leaves two of them alone, so two texts one edit apart
share a key made of those two thirds. The edited third (the "rest") is checked afterwards.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache, reduce
from operator import or_


def one_edit_apart(a: str, b: str) -> bool:
    """Tell whether one character inserted, deleted or replaced turns ``a`` into ``b``."""
    if len(a) > len(b):
        a, b = b, a
    if len(b) - len(a) > 1:
        return False
    low, high = 0, len(a)
    while low < high:  # length of the common prefix, by slice comparison
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    if len(a) == len(b):
        return a[low + 1 :] == b[low + 1 :]
    return a[low:] == b[low + 1 :]


def edit_buckets(key: str):
    """In-process bucket keys such that texts one edit apart share at least one bucket.

    Cut the shorter length ``m`` in thirds at ``p1`` and ``p2``; one edit leaves two thirds
    alone: the first two thirds, or the first and last thirds, or the last two thirds (the
    last ones counted from the end, so an insertion does not shift them).
    """
    for shorter in (len(key) - 1, len(key)):
        cut1, cut2 = shorter // 3, 2 * shorter // 3
        yield shorter, 0, hash(key[:cut2])
        yield shorter, 1, hash((key[:cut1], key[len(key) - (shorter - cut2) :]))
        yield shorter, 2, hash(key[len(key) - (shorter - cut1) :])


def _key64(*parts: str) -> int:
    """A signed 64-bit key, the same in every process (collisions only add candidates,
    which are verified)."""
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


def own_edit_keys(norm: str) -> list[tuple[int, int]]:
    """The (one-edit key, rest bitmap) pairs a text is filed under (see :func:`edit_entries`)."""
    return _with_bits(norm, _own_slices(norm))


def other_edit_keys(norm: str) -> list[tuple[int, int]]:
    """The (one-edit key, rest bitmap) pairs of texts one character shorter or longer that
    ``norm`` is one edit from (with :func:`own_edit_keys`, what :func:`edit_probes` names)."""
    return _with_bits(norm, _other_slices(norm))
