"""Rejection reasons as data: a managed list (code, label, explanation), and the reason a
card preselects from the flag that fired (none when no flag points to one)."""

from __future__ import annotations

import re

from moderation.timeutil import now_iso

DUPLICATE = "duplicate"  # the pseudo flag of a comment in a duplicate group
CODE = re.compile(r"[a-z][a-z0-9_]{0,29}")
MAX_LABEL = 20
MAX_EXPLANATION = 200


class ReasonError(ValueError):
    """A reason that cannot be saved as asked (message in Chinese)."""


def list_reasons(db, active_only: bool = False) -> list[dict]:
    """The reasons in order."""
    where = "WHERE active = 1" if active_only else ""
    return list(db.query(f"SELECT * FROM reasons {where} ORDER BY position, code"))


def labels(db, active_only: bool = True) -> dict[str, str]:
    """{code: label}, in order."""
    return {row["code"]: row["label"] for row in list_reasons(db, active_only)}


def save_reason(db, code: str, label: str, explanation: str, flag_codes: str, actor: str):
    """Add a reason or change one (the code stays: decisions refer to it)."""
    label, explanation = " ".join(label.split()), " ".join(explanation.split())
    if not CODE.fullmatch(code):
        raise ReasonError("代码须为小写字母开头的字母、数字或下划线，最多 30 个")
    if not label or len(label) > MAX_LABEL:
        raise ReasonError(f"名称须为 1 到 {MAX_LABEL} 个字")
    if len(explanation) > MAX_EXPLANATION:
        raise ReasonError(f"说明不超过 {MAX_EXPLANATION} 字")
    flags = " ".join(dict.fromkeys(flag_codes.split()))[:200]
    with db.atomic():
        position = db.execute("SELECT COALESCE(MAX(position), 0) + 1 FROM reasons").fetchone()[0]
        db.execute(
            "INSERT INTO reasons (code, label, explanation, flag_codes, position, updated_by, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET "
            "label = excluded.label, explanation = excluded.explanation, "
            "flag_codes = excluded.flag_codes, updated_by = excluded.updated_by, "
            "updated_at = excluded.updated_at, active = 1",
            [code, label, explanation, flags, position, actor, now_iso()],
        )


def set_active(db, code: str, active: bool) -> bool:
    """Retire a reason (past decisions keep it) or bring it back; True if it exists."""
    return (
        db.execute("UPDATE reasons SET active = ? WHERE code = ?", [int(active), code]).rowcount > 0
    )


def preselect_map(db) -> dict[str, str]:
    """{flag code: the reason it preselects}, from the active reasons."""
    found = {}
    for row in list_reasons(db, active_only=True):
        for flag in row["flag_codes"].split():
            found.setdefault(flag, row["code"])
    return found


def preselected(flag_codes, in_duplicate_group: bool, by_flag: dict[str, str]) -> str:
    """The reason a card preselects: the first fired flag's, else duplicate's; "" for none."""
    for flag in flag_codes:
        if flag in by_flag:
            return by_flag[flag]
    return by_flag.get(DUPLICATE, "") if in_duplicate_group else ""
