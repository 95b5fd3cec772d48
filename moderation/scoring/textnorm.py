"""Text normalisation for matching, with a map back to the original character offsets.

Every original character is folded on its own (never as part of a sequence), so each
normalised character comes from exactly one original character and offsets stay exact:

- NFKC per character: full-width ``Ｓ`` -> ``S``, ``１`` -> ``1``, ``①`` -> ``1``;
- lower case;
- traditional -> simplified per character with OpenCC ``t2s`` (``發`` -> ``发``);
- with ``keep_separators=False`` (the default) everything that is not a letter or a digit is
  dropped: spaces, punctuation, symbols, emoji, zero-width and control characters,
  combining marks and lone surrogates. That is what sees through ``垃 圾``, ``垃-圾``,
  ``垃*圾``, ``垃。圾`` and ``垃\\u200b圾``.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field

# Letters (L*) and numbers (N*) carry meaning; everything else is a possible separator.
_KEPT_CATEGORIES = ("L", "N")


@functools.lru_cache(maxsize=1)
def _t2s():
    """Load the OpenCC traditional -> simplified converter once, on first use."""
    from opencc import OpenCC

    return OpenCC("t2s")


def _fold_char(char: str) -> str:
    """Width-fold, lower-case and simplify one character; may return several characters."""
    if unicodedata.category(char) in ("Cs", "Co", "Cn"):
        return char
    folded = unicodedata.normalize("NFKC", char).lower()
    if len(folded) == 1 and unicodedata.category(folded) == "Lo":
        simplified = _t2s().convert(folded)
        if len(simplified) == 1:
            return simplified
    return folded


class _FoldTable(dict):
    """Lazy ``str.translate`` table: code point -> folded text, computed once per character."""

    def __init__(self, keep_separators: bool):
        super().__init__()
        self.keep_separators = keep_separators

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        if not self.keep_separators:
            folded = "".join(ch for ch in folded if unicodedata.category(ch)[0] in _KEPT_CATEGORIES)
        self[code] = folded
        return folded


class _SimplifyTable(dict):
    """Lazy ``str.translate`` table: traditional -> simplified, every other character kept."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        simplified = char
        if unicodedata.category(char) == "Lo":
            converted = _t2s().convert(char)
            simplified = converted if len(converted) == 1 else char
        self[code] = simplified
        return simplified


_SIMPLIFY_TABLE = _SimplifyTable()


def simplified(text: str) -> str:
    """``text`` with traditional characters simplified one by one (發 -> 发), nothing else.

    What the sentiment model reads: snownlp was trained on simplified text, so 質量很好 would
    otherwise be unknown words (0.37 instead of 0.97). Width, case and punctuation are kept,
    so the fast scorer still sees exactly the text snownlp would be given.
    """
    return text.translate(_SIMPLIFY_TABLE)


_DROP_TABLE = _FoldTable(keep_separators=False)
_KEEP_TABLE = _FoldTable(keep_separators=True)


@dataclass(frozen=True)
class NormalizedText:
    """Normalised text plus, for each of its characters, the index of the original character.

    The offset map is built only when asked for (a match to map back): most comments match
    nothing, and `str.translate` alone is several times faster than the per-character walk.
    """

    text: str
    original: str = field(default="", repr=False, compare=False)
    keep_separators: bool = field(default=False, repr=False, compare=False)

    @functools.cached_property
    def offsets(self) -> tuple[int, ...]:
        """For each normalised character, the index of the original character it came from."""
        table = _KEEP_TABLE if self.keep_separators else _DROP_TABLE
        offsets: list[int] = []
        for index, char in enumerate(self.original):
            offsets.extend([index] * len(table[ord(char)]))
        return tuple(offsets)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised ``[start, end)`` range back to an original ``[start, end)`` range."""
        return self.offsets[start], self.offsets[end - 1] + 1


@functools.lru_cache(maxsize=16)
def normalize(text: str, keep_separators: bool = False) -> NormalizedText:
    """Normalise ``text`` for matching and keep where every character came from.

    Cached (a few entries): the flag checks of one comment ask for the same forms again.
    """
    return NormalizedText(normalize_text(text, keep_separators), text, keep_separators)


def normalize_text(text: str, keep_separators: bool = False) -> str:
    """Normalise ``text`` without the offset map: the fast path for grouping many comments."""
    table = _KEEP_TABLE if keep_separators else _DROP_TABLE
    return text.translate(table)
