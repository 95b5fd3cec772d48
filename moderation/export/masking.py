"""Masking personal data in everything that leaves the service (print, DOCX, CSV, JSON, TXT).

One masker for every export: the scorer's detectors (mobiles, landlines, ID numbers with
checksum, e-mail, Luhn-checked bank cards, WeChat/QQ ids), e.g. `139****5678`.
"""

from __future__ import annotations

from moderation.scoring.personal_data import mask_personal_data


def mask(text: str | None) -> str | None:
    """`text` with personal data masked (None stays None)."""
    if text is None:
        return None
    return mask_personal_data(text)
