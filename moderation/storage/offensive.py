"""Offensive-language corrections and the newsroom's labels the offensive model learns from."""

from __future__ import annotations

from moderation.states import APPROVED, REJECTED
from moderation.storage import in_chunks
from moderation.storage.corrections import record_correction

CIVIL, OFFENSIVE = 0, 1
ABUSE_REASON = "abuse"  # REJECT_REASONS["abuse"] == "辱骂"
APPROVED_LIMIT = 20_000  # the most recent approved comments, so COLD is not drowned out


def add_correction(db, comment_id: int, label: int, actor: str) -> int:
    """Record that a comment is offensive (1) or not (0), as a moderator says."""
    return record_correction(db, "offensive_corrections", comment_id, label, actor)


def corrections_for(db, comment_id: int) -> list[dict]:
    """Every offensive correction of one comment, oldest first."""
    return list(
        db.query(
            "SELECT * FROM offensive_corrections WHERE comment_id = ? ORDER BY id", [comment_id]
        )
    )


def training_labels(db, approved_limit: int = APPROVED_LIMIT) -> list[tuple[int, str]]:
    """(label, text) per comment the newsroom judged: corrections win over decisions.

    Offensive: rejected with reason 辱骂, or corrected to offensive. Civil: the most recent
    approved comments, or corrected to civil.
    """
    corrected = dict(
        db.execute(
            "SELECT oc.comment_id, oc.label FROM offensive_corrections oc WHERE oc.id = "
            "(SELECT MAX(id) FROM offensive_corrections latest "
            "WHERE latest.comment_id = oc.comment_id)"
        ).fetchall()
    )
    rejected = db.execute(
        "SELECT DISTINCT c.id FROM decisions d JOIN comments c ON c.id = d.comment_id "
        "WHERE c.status = ? AND d.to_state = ? AND d.reason = ?",
        [REJECTED, REJECTED, ABUSE_REASON],
    ).fetchall()
    approved = db.execute(
        "SELECT id FROM comments WHERE status = ? ORDER BY created_at DESC LIMIT ?",
        [APPROVED, approved_limit],
    ).fetchall()
    labels = {comment_id: OFFENSIVE for (comment_id,) in rejected}
    labels.update({comment_id: CIVIL for (comment_id,) in approved})
    labels.update(corrected)
    texts = _texts(db, list(labels))
    return [(labels[comment_id], texts[comment_id]) for comment_id in sorted(texts)]


def _texts(db, comment_ids: list[int]) -> dict[int, str]:
    """Texts of comments by id, in chunks under SQLite's variable limit."""
    texts: dict[int, str] = {}
    for chunk, marks in in_chunks(comment_ids):
        texts.update(
            db.execute(f"SELECT id, text FROM comments WHERE id IN ({marks})", chunk).fetchall()
        )
    return texts
