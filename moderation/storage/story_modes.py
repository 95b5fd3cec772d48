"""Per-story moderation modes and the sitewide emergency mode.

pre (the default): every comment waits for a person unless a rule decides it. post: a
comment no rule decided and no flag marked is approved at once. closed: comments are still
collected but held, even those a rule would approve. Emergency (敏感时期) holds every
comment a rule would approve, on every story. Stories close themselves N days after
publication, and nights can be pre whatever a story says ([modes] settings).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from moderation.storage import in_chunks
from moderation.timeutil import BEIJING, now_iso, parse_iso

PRE, POST, CLOSED, EMERGENCY = "pre", "post", "closed", "emergency"
MODES = {PRE: "先审后发", POST: "先发后审", CLOSED: "已关闭评论", EMERGENCY: "紧急模式"}


class ModeError(ValueError):
    """A mode change that cannot be made as asked (message in Chinese)."""


@dataclass(frozen=True)
class ModeSettings:
    """When modes change by themselves (from the [modes] settings)."""

    close_after_days: int = 0  # 0: stories never close by themselves
    pre_hours: str = ""  # e.g. "22-7": every story is pre during these Beijing hours


def settings_from(section) -> ModeSettings:
    """The mode settings from the [modes] section."""
    return ModeSettings(section.close_after_days, section.pre_hours)


def set_mode(db, story_id: int, mode: str, actor: str, reason: str = "") -> None:
    """Set one story's mode (pre removes the row: pre is the default), logged."""
    if mode not in (PRE, POST, CLOSED):
        raise ModeError(f"模式须为其一：{'、'.join(MODES[m] for m in (PRE, POST, CLOSED))}")
    with db.atomic():
        if mode == PRE:
            db.execute("DELETE FROM story_modes WHERE story_id = ?", [story_id])
        else:
            db.execute(
                "INSERT OR REPLACE INTO story_modes VALUES (?, ?, ?, ?)",
                [story_id, mode, actor, now_iso()],
            )
        _log(db, story_id, mode, reason, actor)


def set_emergency(db, on: bool, actor: str, reason: str = "") -> None:
    """Switch the sitewide emergency mode on or off, logged."""
    with db.atomic():
        db.execute(
            "INSERT OR REPLACE INTO site_mode (id, emergency, set_by, set_at) VALUES (1, ?, ?, ?)",
            [int(on), actor, now_iso()],
        )
        _log(db, None, EMERGENCY if on else "normal", reason, actor)


def _log(db, story_id, mode: str, reason: str, actor: str) -> None:
    db.execute(
        "INSERT INTO mode_log (story_id, mode, reason, actor, at) VALUES (?, ?, ?, ?, ?)",
        [story_id, mode, " ".join(reason.split())[:200], actor, now_iso()],
    )


def emergency(db) -> bool:
    """Whether the sitewide emergency mode is on."""
    row = db.execute("SELECT emergency FROM site_mode WHERE id = 1").fetchone()
    return bool(row and row[0])


def in_hours(window: str, moment: datetime) -> bool:
    """Whether a moment falls in a Beijing "22-7" style window ("" never)."""
    if not window:
        return False
    start, _, end = window.partition("-")
    first, last, hour = int(start), int(end), moment.astimezone(BEIJING).hour
    return first <= hour < last if first < last else hour >= first or hour < last


def effective_modes(db, story_ids, settings: ModeSettings, now: str | None = None) -> dict:
    """{story id: the mode in force now}: emergency, then closed (set, or by age), then the
    night window's pre, then the story's own mode."""
    moment = parse_iso(now or now_iso())
    ids = sorted({i for i in story_ids if i is not None})
    if emergency(db):
        return dict.fromkeys(ids, EMERGENCY)
    found = {}
    cutoff = moment - timedelta(days=settings.close_after_days)
    night = in_hours(settings.pre_hours, moment)
    for chunk, marks in in_chunks(ids):
        for story_id, mode, published in db.execute(
            "SELECT s.id, m.mode, s.published_at FROM stories s "
            f"LEFT JOIN story_modes m ON m.story_id = s.id WHERE s.id IN ({marks})",
            chunk,
        ):
            found[story_id] = _mode(mode, published, cutoff, settings, night)
    return found


def _mode(mode, published, cutoff, settings: ModeSettings, night: bool) -> str:
    if mode == CLOSED or (settings.close_after_days and _before(published, cutoff)):
        return CLOSED
    if night:
        return PRE
    return mode or PRE


def _before(published: str | None, cutoff: datetime) -> bool:
    try:
        moment = parse_iso(published)
    except ValueError:
        return False
    return moment is not None and moment < cutoff


def story_mode(db, story_id: int) -> str:
    """The mode set on a story (pre when none is)."""
    row = db.execute("SELECT mode FROM story_modes WHERE story_id = ?", [story_id]).fetchone()
    return row[0] if row else PRE


def mode_log(db, story_id: int | None) -> list[dict]:
    """Mode changes of a story (None: the sitewide ones), newest first."""
    where = "story_id IS ?" if story_id is None else "story_id = ?"
    return list(db.query(f"SELECT * FROM mode_log WHERE {where} ORDER BY id DESC", [story_id]))
