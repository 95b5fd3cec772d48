"""Authors' levels: set by moderators (trusted, watch, muted) with reason and expiry, or
derived from their history (new, regular, risky); every change audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from moderation.rules.model import (
    LEVELS,
    NEW,
    REGULAR,
    RISKY,
    SANCTION_LEVELS,
    AuthorFacts,
)
from moderation.storage import in_chunks
from moderation.timeutil import iso, now_iso, parse_iso

MAX_REASON = 200


class AuthorLevelError(ValueError):
    """A level change that cannot be made as asked (message in Chinese)."""


@dataclass(frozen=True)
class HistoryThresholds:
    """When history makes an author new or risky (from the [authors] settings)."""

    new_until_approvals: int = 3
    window_days: int = 30
    risky_rejection_rate: float = 0.5
    risky_min_decided: int = 5


def thresholds_from(section) -> HistoryThresholds:
    """The thresholds from the [authors] settings."""
    return HistoryThresholds(
        section.new_until_approvals,
        section.window_days,
        section.risky_rejection_rate,
        section.risky_min_decided,
    )


def set_level(db, author_key: str, level: str | None, actor: str, reason: str, expires_at=None):
    """Set (or with level None, clear) an author's level, recording who, why and until when."""
    reason = " ".join(reason.split())[:MAX_REASON]
    if level is not None and level not in SANCTION_LEVELS:
        raise AuthorLevelError(f"级别须为其一：{'、'.join(SANCTION_LEVELS)}")
    if not reason:
        raise AuthorLevelError("请写明原因")
    if expires_at is not None and parse_iso(expires_at) is None:
        raise AuthorLevelError("到期时间无效")
    with db.atomic():
        before = explicit_levels(db, [author_key], include_expired=True).get(author_key)
        if level is None:
            db.execute("DELETE FROM author_levels WHERE author_key = ?", [author_key])
        else:
            db.table("author_levels").upsert(
                {
                    "author_key": author_key,
                    "level": level,
                    "reason": reason,
                    "set_by": actor,
                    "set_at": now_iso(),
                    "expires_at": expires_at,
                },
                pk="author_key",
            )
        _audit(db, author_key, before, level, reason, actor, expires_at)


def _audit(db, author_key, before, after, reason, actor, expires_at=None) -> None:
    db.table("author_level_changes").insert(
        {
            "author_key": author_key,
            "from_level": before,
            "to_level": after,
            "reason": reason,
            "actor": actor,
            "expires_at": expires_at,
            "at": now_iso(),
        }
    )


def lift_expired(db, now: str | None = None) -> int:
    """Clear every level whose expiry has passed (audited as the scheduler's); return how many."""
    now = now or now_iso()
    with db.atomic():
        expired = list(
            db.query(
                "SELECT author_key, level FROM author_levels "
                "WHERE expires_at IS NOT NULL AND expires_at <= ?",
                [now],
            )
        )
        for row in expired:
            db.execute("DELETE FROM author_levels WHERE author_key = ?", [row["author_key"]])
            _audit(db, row["author_key"], row["level"], None, "到期自动解除", "scheduler")
    return len(expired)


def explicit_levels(db, author_keys, include_expired: bool = False) -> dict[str, str]:
    """{author key: level set by a person or rule} for the keys that have one in force."""
    found = {}
    now = now_iso()
    for chunk, marks in in_chunks(sorted(set(author_keys))):
        for key, level, expires in db.execute(
            f"SELECT author_key, level, expires_at FROM author_levels "
            f"WHERE author_key IN ({marks})",
            chunk,
        ):
            if include_expired or expires is None or expires > now:
                found[key] = level
    return found


def histories(db, author_keys, window_days: int) -> dict[str, dict]:
    """{author key: approved, rejected, recent_rejected, recent_decided} over all comments."""
    since = iso(parse_iso(now_iso()) - timedelta(days=window_days))
    found = {}
    for chunk, marks in in_chunks(sorted(set(author_keys))):
        for row in db.query(
            "SELECT author_key, SUM(status = 'approved') AS approved, "
            "SUM(status = 'rejected') AS rejected, "
            "SUM(status = 'rejected' AND created_at >= ?) AS recent_rejected, "
            "SUM(status != 'pending' AND created_at >= ?) AS recent_decided "
            f"FROM comments WHERE author_key IN ({marks}) GROUP BY author_key",
            [since, since, *chunk],
        ):
            found[row.pop("author_key")] = row
    return found


def derived_level(history: dict | None, thresholds: HistoryThresholds) -> str:
    """new until enough approvals, risky above the rejection rate in the window, else regular."""
    history = history or {}
    if (history.get("approved") or 0) < thresholds.new_until_approvals:
        return NEW
    decided = history.get("recent_decided") or 0
    rejected = history.get("recent_rejected") or 0
    if (
        decided >= thresholds.risky_min_decided
        and rejected > thresholds.risky_rejection_rate * decided
    ):
        return RISKY
    return REGULAR


def author_facts(db, author_keys, with_history: bool, thresholds: HistoryThresholds):
    """{author key: AuthorFacts} for a batch: one query for levels, one for history if asked."""
    keys = sorted(set(author_keys))
    levels = explicit_levels(db, keys)
    history = histories(db, keys, thresholds.window_days) if with_history else {}
    facts = {}
    for key in keys:
        counts = history.get(key, {})
        level = levels.get(key) or (derived_level(counts, thresholds) if with_history else "")
        facts[key] = AuthorFacts(
            key, level, counts.get("approved") or 0, counts.get("rejected") or 0
        )
    return facts


def levels_for_cards(db, author_keys, thresholds: HistoryThresholds) -> dict[str, str]:
    """{author key: level name in Chinese} for a page of cards."""
    facts = author_facts(db, author_keys, True, thresholds)
    return {key: LEVELS.get(fact.level, fact.level) for key, fact in facts.items()}


def level_changes(db, author_key: str) -> list[dict]:
    """An author's level changes, newest first."""
    return list(
        db.query(
            "SELECT * FROM author_level_changes WHERE author_key = ? ORDER BY id DESC",
            [author_key],
        )
    )
