"""Masking personal data in everything that leaves the service (print, DOCX, CSV, JSON).

The scorer's `moderation.scoring.personal_data.mask_personal_data` is used when present; until
it is merged, a small fallback masks mobile numbers, e-mail addresses and ID-card numbers in
the same style (`139****5678`, `z***@example.com`).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable

MOBILE = re.compile(r"(?<![0-9])(1[3-9][0-9])([0-9]{4})([0-9]{4})(?![0-9])")
ID_NUMBER = re.compile(r"(?<![0-9])([1-9][0-9]{5})([0-9]{8})([0-9]{3}[0-9Xx])(?![0-9A-Za-z])")
EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")


def fallback_mask(text: str) -> str:
    """Mask mobiles, ID-card numbers and e-mail addresses; masking twice equals once."""
    text = ID_NUMBER.sub(lambda m: m[1] + "*" * 8 + m[3][:-1] + "*", text)
    text = MOBILE.sub(lambda m: m[1] + "****" + m[3], text)
    return EMAIL.sub(lambda m: m[1] + "***" + m[2], text)


def _masker() -> Callable[[str], str]:
    """The scorer's masker if this build has it, else the fallback."""
    try:
        module = importlib.import_module("moderation.scoring.personal_data")
    except ImportError:
        return fallback_mask
    return getattr(module, "mask_personal_data", fallback_mask)


def mask(text: str | None) -> str | None:
    """`text` with personal data masked (None stays None)."""
    if text is None:
        return None
    return _masker()(text)
