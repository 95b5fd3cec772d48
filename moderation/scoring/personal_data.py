"""Detect and mask personal data that readers post in comments (their own or someone else's).

Detection runs on the width-folded, lower-cased text (``textnorm.normalize`` with separators
kept), so full-width digits ``１３９…`` and ``＠`` are seen too; spans point into the original.
Every digit pattern refuses to start or end inside a longer digit run, so dates, years
(2024年), times (12点), prices and counts (297.6万次, 350余名) are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .textnorm import normalize

MOBILE = "手机号"
LANDLINE = "固定电话"
ID_NUMBER = "身份证号"
EMAIL = "邮箱"
BANK_CARD = "银行卡号"
WECHAT = "微信号"
QQ = "QQ号"

KINDS = (MOBILE, LANDLINE, ID_NUMBER, EMAIL, BANK_CARD, WECHAT, QQ)

_SEP = r"[ \-]?"
_ID_RE = re.compile(
    rf"(?<![0-9a-z])[1-9]\d{{5}}{_SEP}(?:18|19|20)\d{{2}}(?:0[1-9]|1[0-2])"
    rf"(?:0[1-9]|[12]\d|3[01]){_SEP}\d{{3}}[0-9x](?![0-9a-z])"
)
_BANK_RE = re.compile(r"(?<![0-9])(?:\d{4}(?:[ \-]\d{4}){3}(?:[ \-]?\d{1,3})?|\d{16,19})(?![0-9])")
_MOBILE_RE = re.compile(
    rf"(?<![0-9])(?:(?:\+|00)?86{_SEP})?1[3-9]\d{_SEP}\d{{4}}{_SEP}\d{{4}}(?![0-9])"
)
_LANDLINE_RE = re.compile(
    r"(?<![0-9])(?:\(0[1-9]\d{1,2}\) ?|0[1-9]\d{1,2}[ \-]?)[2-9]\d{2,3}[ \-]?\d{4}(?![0-9])"
)
_EMAIL_RE = re.compile(
    r"(?<![a-z0-9._%+\-])[a-z0-9][a-z0-9._%+\-]{0,63}@[a-z0-9\-]{1,63}(?:\.[a-z0-9\-]{1,63}){0,8}"
    r"\.[a-z]{2,24}(?![a-z0-9\-])"
)
_WECHAT_RE = re.compile(
    r"(?:微信|威信|薇信|维信|v信|(?<![a-z])(?:vx|wx|weixin|wechat)|(?<=加)v)"
    r"(?:号|id)?[ ]?(?:是|为|[:：])?[ ]?([a-z][a-z0-9_\-]{5,19})(?![a-z0-9_\-])"
)
_QQ_RE = re.compile(
    r"(?:(?<![a-z])qq|扣扣|企鹅)(?:号|群)?[ ]?(?:是|为|[:：])?[ ]?([1-9]\d{4,11})(?![0-9])"
)

# Mask rule per kind: (digits or characters kept at the head, kept at the tail).
_KEEP = {
    ID_NUMBER: (3, 4),
    BANK_CARD: (4, 4),
    LANDLINE: (4, 4),
    WECHAT: (2, 2),
    QQ: (2, 2),
}


@dataclass(frozen=True)
class PersonalData:
    """One detected item: its kind (e.g. ``手机号``) and its original ``[start, end)`` range."""

    kind: str
    start: int
    end: int
    text: str


def _id_checksum_ok(digits: str) -> bool:
    """Validate the GB 11643 check character of an 18-character resident ID number."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(digits[:17], weights, strict=True))
    return "10x98765432"[total % 11] == digits[17]


def _luhn_ok(digits: str) -> bool:
    """Validate a bank card number with the Luhn check digit."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _compact(text: str) -> str:
    """Keep only the digits and ``x`` of a matched number."""
    return "".join(ch for ch in text if ch.isdigit() or ch == "x")


def _candidates(folded: str):
    """Yield ``(kind, start, end)`` in folded-text offsets, most specific kinds first."""
    for match in _ID_RE.finditer(folded):
        if _id_checksum_ok(_compact(match.group())):
            yield ID_NUMBER, match.start(), match.end()
    for match in _BANK_RE.finditer(folded):
        if _luhn_ok(_compact(match.group())):
            yield BANK_CARD, match.start(), match.end()
    for kind, pattern in ((MOBILE, _MOBILE_RE), (LANDLINE, _LANDLINE_RE), (EMAIL, _EMAIL_RE)):
        for match in pattern.finditer(folded):
            yield kind, match.start(), match.end()
    for kind, pattern in ((WECHAT, _WECHAT_RE), (QQ, _QQ_RE)):
        for match in pattern.finditer(folded):
            yield kind, match.start(1), match.end(1)


# Every pattern above needs an ASCII digit, letter or @: most comments have none, and this
# one pass lets them skip all seven.
_MAY_MATCH = re.compile(r"[0-9a-z@]")


def find_personal_data(text: str) -> list[PersonalData]:
    """Find personal data in ``text``, so it can be flagged for review and masked on export."""
    folded = normalize(text, keep_separators=True)
    if not _MAY_MATCH.search(folded.text):
        return []
    taken: list[tuple[int, int]] = []
    found: list[PersonalData] = []
    for kind, start, end in _candidates(folded.text):
        if any(start < other_end and other_start < end for other_start, other_end in taken):
            continue
        taken.append((start, end))
        original_start, original_end = folded.span(start, end)
        found.append(
            PersonalData(kind, original_start, original_end, text[original_start:original_end])
        )
    return sorted(found, key=lambda item: (item.start, item.end))


def _mask_middle(item_text: str, head: int, tail: int) -> str:
    """Replace the letters and digits between the first ``head`` and last ``tail`` with ``*``."""
    positions = [i for i, ch in enumerate(item_text) if ch.isalnum()]
    hidden = set(positions[head : len(positions) - tail])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(item_text))


def _mask_item(item: PersonalData) -> str:
    """Mask one item so its kind and length stay readable but it cannot be used."""
    if item.kind == EMAIL:
        local, at_sign, domain = re.split("([@＠])", item.text, maxsplit=1)
        return f"{local[:1]}***{at_sign}{domain}"
    if item.kind == MOBILE:
        digits = sum(ch.isalnum() for ch in item.text)
        return _mask_middle(item.text, digits - 8, 4)
    head, tail = _KEEP[item.kind]
    return _mask_middle(item.text, head, tail)


def mask_personal_data(text: str) -> str:
    """Mask every detected item (``139****5678``) for publication; masking twice = once."""
    pieces: list[str] = []
    cursor = 0
    for item in find_personal_data(text):
        pieces.append(text[cursor : item.start])
        pieces.append(_mask_item(item))
        cursor = item.end
    pieces.append(text[cursor:])
    return "".join(pieces)
