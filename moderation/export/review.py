"""The builder's review of an edition: its problems with their overrides, the one-click
fixes, and the sign-off they gate. The dashboard and the CLI both come through here, so an
edition is signed off under the same checks wherever it is signed off from.
"""

from __future__ import annotations

from dataclasses import dataclass

from moderation.export import checks
from moderation.export.masking import mask
from moderation.scoring.print_safe import make_printable
from moderation.storage import edition_overrides as overrides_store
from moderation.storage import editions as store


@dataclass(frozen=True)
class Thresholds:
    """What the checks need from the settings."""

    require_consent: bool
    offensive_review: float


def thresholds_from(settings) -> Thresholds:
    """The checks' thresholds from the service's settings."""
    return Thresholds(settings.export.require_consent, settings.scoring.offensive_review_above)


@dataclass(frozen=True)
class Review:
    """Every problem of an edition, the overrides on record, and what still blocks."""

    problems: list[checks.Problem]
    overridden: dict[str, dict]
    blocking: list[checks.Problem]


def review(db, edition: dict, thresholds: Thresholds, sections: list | None = None) -> Review:
    """The edition's problems as they stand now (`sections`: the edition's stored sections,
    when the caller has just read them)."""
    if sections is None:
        sections = store.sections(db, edition)
    problems = checks.edition_problems(
        sections, thresholds.require_consent, thresholds.offensive_review
    )
    on_record = overrides_store.overrides(db, edition["id"])
    current = {p.key: on_record[p.key] for p in problems if p.overridable and p.key in on_record}
    return Review(problems, current, checks.blocking(problems, set(current)))


def sign_off(db, edition: dict, actor: str, thresholds: Thresholds) -> None:
    """Sign the edition off, or EditionError listing what still blocks it."""
    store.sign_off(db, edition, actor, lambda db, e: review(db, e, thresholds).blocking)


def override(db, edition: dict, key: str, note: str, actor: str, thresholds: Thresholds):
    """Accept one overridable problem for print with a recorded note."""
    with db.atomic():
        edition = store.get_edition(db, edition["date"])
        if edition["status"] != store.DRAFT:
            raise store.EditionError("只有编辑中的专栏可以忽略问题")
        problem = next((p for p in review(db, edition, thresholds).problems if p.key == key), None)
        if problem is None:
            raise store.EditionError("这个问题已经不存在了（专栏已改动），请刷新后再看")
        if not problem.overridable:
            raise store.EditionError(f"这个问题不能忽略，只能修改：{problem.message}")
        try:
            overrides_store.record_override(db, edition["id"], key, problem.message, note, actor)
        except overrides_store.OverrideError as error:
            raise store.EditionError(str(error)) from None


def withdraw_override(db, edition: dict, key: str) -> None:
    """Take an override back: its problem blocks the sign-off again."""
    overrides_store.drop_override(db, edition["id"], key)


FIXES = {checks.FIX_PRINT_RULE: make_printable, checks.FIX_MASK: mask}


def apply_fix(db, edition: dict, quote_id: int, fix: str, actor: str) -> None:
    """Rewrite a quote's excerpt and name by the documented rule (`print_rule`: emoji out;
    `mask`: personal data masked). Recorded as an edit; the original comment is untouched."""
    rewrite = FIXES.get(fix)
    if rewrite is None:
        raise store.EditionError(f"unknown fix {fix!r}")
    quote = next(
        (q for s in store.sections(db, edition) for q in s["quotes"] if q["id"] == quote_id), None
    )
    if quote is None:
        raise store.EditionError(
            f"{edition['date']} 这期专栏里没有编号为 {quote_id} 的评论，请刷新后再看"
        )
    excerpt = rewrite(quote["excerpt"])
    if not excerpt.strip():
        raise store.EditionError("按规则处理后这条评论没有文字了，请移出")
    name = rewrite(quote["display_name"] or "")
    store.update_quote(db, edition, quote_id, excerpt, name, bool(quote["consent"]), actor)
