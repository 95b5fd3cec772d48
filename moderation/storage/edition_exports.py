"""The archive of printed editions: each export's bytes as they went to print."""

from __future__ import annotations

import hashlib

from moderation.timeutil import now_iso


def store_export(db, edition: dict, fmt: str, encoding: str, content: bytes, actor: str) -> dict:
    """Keep an export's bytes in the archive (one per format and encoding)."""
    row = {
        "edition_id": edition["id"],
        "format": fmt,
        "encoding": encoding,
        "sha256": hashlib.sha256(content).hexdigest(),
        "size": len(content),
        "content": content,
        "actor": actor,
        "at": now_iso(),
    }
    db.execute(
        "DELETE FROM edition_exports WHERE edition_id = ? AND format = ? AND encoding = ?",
        [edition["id"], fmt, encoding],
    )
    db.table("edition_exports").insert(row)
    return row


def list_exports(db, edition: dict) -> list[dict]:
    """The archived exports of an edition, without their bytes."""
    return list(
        db.query(
            "SELECT id, format, encoding, sha256, size, actor, at FROM edition_exports "
            "WHERE edition_id = ? ORDER BY format, encoding",
            [edition["id"]],
        )
    )


def get_export(db, edition: dict, export_id: int) -> dict | None:
    """One archived export with its bytes, or None."""
    rows = list(
        db.query(
            "SELECT * FROM edition_exports WHERE id = ? AND edition_id = ?",
            [export_id, edition["id"]],
        )
    )
    return rows[0] if rows else None
