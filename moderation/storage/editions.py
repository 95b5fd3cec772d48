"""Editions of the 融媒·观察 column: sections, picked quotes, sign-off, printing, archive.

A quote's edition state follows its edition: `selected` while the edition is a draft,
`signed_off` once a chief editor signed it off, `printed` once it went to print. Every
transition of every quote is a row in the decisions table; `comments.status` stays
`approved`. Changing a signed-off edition clears the sign-off; a printed edition is archived
and cannot change any more.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date as Date
from typing import Any

from moderation.states import APPROVED
from moderation.storage import decisions, in_chunks
from moderation.timeutil import now_iso

DRAFT, SIGNED_OFF, PRINTED = "draft", "signed_off", "printed"
SELECTED = "selected"
QUOTE_STATE = {DRAFT: SELECTED, SIGNED_OFF: SIGNED_OFF, PRINTED: PRINTED}
STATUS_NAMES = {DRAFT: "编辑中", SIGNED_OFF: "已签发", PRINTED: "已付印"}


class EditionError(ValueError):
    """A change that cannot apply to an edition; the message says why, for the editor."""


def parse_date(text: str) -> str:
    """A YYYY-MM-DD edition date, or EditionError."""
    try:
        return Date.fromisoformat(text).isoformat()
    except (TypeError, ValueError):
        raise EditionError(f"{text!r}: expected a date like 2024-01-25") from None


def create_edition(db, date: str, title: str, actor: str) -> dict:
    """A new, empty draft edition for `date` under `title` (the caller picks the default)."""
    date = parse_date(date)
    title = title.strip()
    if not title:
        raise EditionError("请填写栏目名（如“融媒·观察”）后再新建")
    if get_edition(db, date):
        raise EditionError(f"an edition for {date} exists already")
    now = now_iso()
    db.table("editions").insert(
        {
            "date": date,
            "title": title,
            "status": DRAFT,
            "created_by": actor,
            "created_at": now,
            "updated_at": now,
        }
    )
    return get_edition(db, date)


def get_edition(db, date: str) -> dict | None:
    """The edition of a date, or None."""
    rows = list(db.query("SELECT * FROM editions WHERE date = ?", [date]))
    return rows[0] if rows else None


def list_editions(db) -> list[dict]:
    """Every edition, newest first, with its section and quote counts."""
    return list(
        db.query(
            "SELECT e.*, "
            "(SELECT COUNT(*) FROM edition_sections s WHERE s.edition_id = e.id) AS sections, "
            "(SELECT COUNT(*) FROM edition_quotes q WHERE q.edition_id = e.id) AS quotes "
            "FROM editions e ORDER BY e.date DESC"
        )
    )


QUOTE_SELECT = """
SELECT q.*, c.channel, c.native_id, c.text AS original, c.author_name, c.author_key,
       c.status AS comment_status, c.created_at AS comment_created_at, c.origin,
       c.story_id AS comment_story_id, sc.flag_codes, sc.offensive, sc.dup_group
FROM edition_quotes q
JOIN comments c ON c.id = q.comment_id
LEFT JOIN scores sc ON sc.comment_id = c.id
"""


def sections(db, edition: dict) -> list[dict]:
    """The edition's sections in order, each with its story and its quotes in order."""
    result = list(
        db.query(
            "SELECT s.*, st.title AS story_title, st.channel AS story_channel, "
            "st.native_id AS story_native_id, st.published_at AS story_published_at "
            "FROM edition_sections s JOIN stories st ON st.id = s.story_id "
            "WHERE s.edition_id = ? ORDER BY s.position, s.id",
            [edition["id"]],
        )
    )
    by_id = {section["id"]: {**section, "quotes": []} for section in result}
    state = QUOTE_STATE[edition["status"]]
    for quote in db.query(
        QUOTE_SELECT + " WHERE q.edition_id = ? ORDER BY q.position, q.id", [edition["id"]]
    ):
        by_id[quote["section_id"]]["quotes"].append({**quote, "state": state})
    return list(by_id.values())


def _section(db, edition: dict, section_id: int) -> dict:
    rows = list(
        db.query(
            "SELECT * FROM edition_sections WHERE id = ? AND edition_id = ?",
            [section_id, edition["id"]],
        )
    )
    if not rows:
        raise EditionError(f"no section {section_id} in the edition of {edition['date']}")
    return rows[0]


def _quote(db, edition: dict, quote_id: int) -> dict:
    rows = list(
        db.query(QUOTE_SELECT + " WHERE q.id = ? AND q.edition_id = ?", [quote_id, edition["id"]])
    )
    if not rows:
        raise EditionError(f"no quote {quote_id} in the edition of {edition['date']}")
    return rows[0]


def _quote_ids(db, edition: dict) -> list[int]:
    return [
        row["comment_id"]
        for row in db.query(
            "SELECT comment_id FROM edition_quotes WHERE edition_id = ? ORDER BY id",
            [edition["id"]],
        )
    ]


def _changing(db, edition: dict, actor: str) -> None:
    """Every change goes through here: a printed edition is refused, a signed-off one
    loses its sign-off (each quote recorded back to `selected`)."""
    edition = get_edition(db, edition["date"])
    if edition["status"] == PRINTED:
        raise EditionError(f"the edition of {edition['date']} is printed and archived")
    if edition["status"] == SIGNED_OFF:
        for comment_id in _quote_ids(db, edition):
            decisions.record(
                db,
                comment_id,
                actor,
                "unsign",
                SIGNED_OFF,
                SELECTED,
                f"edition {edition['date']} changed after sign-off",
            )
        db.execute(
            "UPDATE editions SET status = ?, signed_off_by = NULL, signed_off_at = NULL "
            "WHERE id = ?",
            [DRAFT, edition["id"]],
        )
    db.execute("UPDATE editions SET updated_at = ? WHERE id = ?", [now_iso(), edition["id"]])


def add_section(db, edition: dict, story_id: int, actor: str) -> int:
    """Add a story as the last section, with the story's title and intro as defaults."""
    story = next(db.query("SELECT title, intro FROM stories WHERE id = ?", [story_id]), None)
    if story is None:
        raise EditionError(f"no story {story_id}")
    with db.atomic():
        _changing(db, edition, actor)
        if db.execute(
            "SELECT 1 FROM edition_sections WHERE edition_id = ? AND story_id = ?",
            [edition["id"], story_id],
        ).fetchone():
            raise EditionError("this story is already a section of the edition")
        return (
            db.table("edition_sections")
            .insert(
                {
                    "edition_id": edition["id"],
                    "story_id": story_id,
                    "position": _next_position(db, "edition_sections", "edition_id", edition["id"]),
                    "heading": story["title"],
                    "intro": story["intro"],
                }
            )
            .last_pk
        )


def _next_position(db, table: str, parent: str, parent_id: int) -> int:
    (row,) = db.query(
        f"SELECT COALESCE(MAX(position), 0) + 1 AS next FROM {table} WHERE {parent} = ?",
        [parent_id],
    )
    return row["next"]


def update_section(db, edition: dict, section_id: int, heading: str, intro: str, actor: str):
    """Change a section's heading and the editor's intro paragraph."""
    heading = heading.strip()
    if not heading:
        raise EditionError("a section needs a heading")
    with db.atomic():
        section = _section(db, edition, section_id)
        if (section["heading"], section["intro"] or "") == (heading, intro.strip()):
            return
        _changing(db, edition, actor)
        db.table("edition_sections").update(
            section_id, {"heading": heading, "intro": intro.strip() or None}
        )


def remove_section(db, edition: dict, section_id: int, actor: str) -> None:
    """Drop a section; its quotes go back to approved (each recorded as `unselect`)."""
    with db.atomic():
        _section(db, edition, section_id)
        _changing(db, edition, actor)
        for quote in list(
            db.query("SELECT id FROM edition_quotes WHERE section_id = ?", [section_id])
        ):
            _unselect(db, edition, quote["id"], actor)
        db.execute("DELETE FROM edition_sections WHERE id = ?", [section_id])


def select_quote(db, edition: dict, section_id: int, comment_id: int, actor: str) -> dict:
    """Pick an approved comment into a section (last place); returns the new quote with
    `printed_in`: dates of earlier printed editions that carried it (to warn the editor)."""
    with db.atomic():
        _section(db, edition, section_id)
        comment = next(
            db.query("SELECT status, text, author_name FROM comments WHERE id = ?", [comment_id]),
            None,
        )
        if comment is None:
            raise EditionError(f"no comment {comment_id}")
        if comment["status"] != APPROVED:
            raise EditionError("only approved comments can be picked for the column")
        if db.execute(
            "SELECT 1 FROM edition_quotes WHERE edition_id = ? AND comment_id = ?",
            [edition["id"], comment_id],
        ).fetchone():
            raise EditionError("this comment is already in the edition")
        _changing(db, edition, actor)
        quote_id = (
            db.table("edition_quotes")
            .insert(
                {
                    "edition_id": edition["id"],
                    "section_id": section_id,
                    "comment_id": comment_id,
                    "position": _next_position(db, "edition_quotes", "section_id", section_id),
                    "excerpt": comment["text"],
                    "display_name": comment["author_name"],
                    "consent": 0,
                }
            )
            .last_pk
        )
        decisions.record(
            db, comment_id, actor, "select", APPROVED, SELECTED, f"edition {edition['date']}"
        )
    return {"id": quote_id, "printed_in": printed_in(db, [comment_id]).get(comment_id, [])}


def unselect_quote(db, edition: dict, quote_id: int, actor: str) -> None:
    """Take a quote out of the edition; the comment stays approved."""
    with db.atomic():
        _quote(db, edition, quote_id)
        _changing(db, edition, actor)
        _unselect(db, edition, quote_id, actor)


def _unselect(db, edition: dict, quote_id: int, actor: str) -> None:
    comment_id = db.table("edition_quotes").get(quote_id)["comment_id"]
    db.execute("DELETE FROM edition_quotes WHERE id = ?", [quote_id])
    decisions.record(
        db, comment_id, actor, "unselect", SELECTED, APPROVED, f"edition {edition['date']}"
    )


def update_quote(
    db, edition: dict, quote_id: int, excerpt: str, display_name: str, consent: bool, actor: str
) -> None:
    """Change the print excerpt, the name after 网友@ and the consent box of one quote.

    The original comment text is never touched; an edited excerpt is recorded as `edit`.
    """
    excerpt = excerpt.strip()
    display_name = display_name.strip() or None
    if not excerpt:
        raise EditionError("the print excerpt cannot be empty (take the quote out instead)")
    with db.atomic():
        quote = _quote(db, edition, quote_id)
        old = (quote["excerpt"], quote["display_name"], bool(quote["consent"]))
        if old == (excerpt, display_name, bool(consent)):
            return
        _changing(db, edition, actor)
        db.table("edition_quotes").update(
            quote_id, {"excerpt": excerpt, "display_name": display_name, "consent": int(consent)}
        )
        if excerpt != quote["excerpt"]:
            decisions.record(
                db,
                quote["comment_id"],
                actor,
                "edit",
                SELECTED,
                SELECTED,
                f"edition {edition['date']}: print excerpt edited",
            )


def move(db, edition: dict, kind: str, item_id: int, delta: int, actor: str) -> None:
    """Move a section or a quote one place up (-1) or down (+1)."""
    table, parent = _order_table(kind)
    with db.atomic():
        item = _section(db, edition, item_id) if kind == "section" else _quote(db, edition, item_id)
        ids = _ordered_ids(db, table, parent, item[parent])
        index = ids.index(item_id)
        target = index + delta
        if not 0 <= target < len(ids):
            return
        ids[index], ids[target] = ids[target], ids[index]
        _changing(db, edition, actor)
        _renumber(db, table, ids)


def reorder(db, edition: dict, kind: str, parent_id: int, ordered: list[int], actor: str):
    """Put all sections of an edition (or quotes of a section) in the given order."""
    table, parent = _order_table(kind)
    with db.atomic():
        if kind == "quote":
            _section(db, edition, parent_id)
        else:
            parent_id = edition["id"]
        ids = _ordered_ids(db, table, parent, parent_id)
        if sorted(ids) != sorted(ordered):
            raise EditionError("the new order must list exactly the items it reorders")
        if ids == ordered:
            return
        _changing(db, edition, actor)
        _renumber(db, table, ordered)


def _order_table(kind: str) -> tuple[str, str]:
    if kind == "section":
        return "edition_sections", "edition_id"
    if kind == "quote":
        return "edition_quotes", "section_id"
    raise EditionError(f"cannot reorder {kind!r}")


def _ordered_ids(db, table: str, parent: str, parent_id: int) -> list[int]:
    return [
        row["id"]
        for row in db.query(
            f"SELECT id FROM {table} WHERE {parent} = ? ORDER BY position, id", [parent_id]
        )
    ]


def _renumber(db, table: str, ids: list[int]) -> None:
    for position, item_id in enumerate(ids, start=1):
        db.execute(f"UPDATE {table} SET position = ? WHERE id = ?", [position, item_id])


def sign_off(db, edition: dict, actor: str, check: Callable[[Any, dict], list]) -> None:
    """A chief editor signs the edition off; every quote is recorded `sign_off`.

    `check(db, edition)` lists what still stops the sign-off (the builder's checks); it runs
    inside the transaction, so nothing can change between the check and the sign-off.
    """
    with db.atomic():
        edition = get_edition(db, edition["date"])
        if edition["status"] != DRAFT:
            raise EditionError(f"the edition is {STATUS_NAMES[edition['status']]} already")
        blocking = check(db, edition)
        if blocking:
            raise EditionError("；".join(map(str, blocking)))
        for comment_id in _quote_ids(db, edition):
            decisions.record(
                db,
                comment_id,
                actor,
                "sign_off",
                SELECTED,
                SIGNED_OFF,
                f"edition {edition['date']}",
            )
        now = now_iso()
        db.table("editions").update(
            edition["id"],
            {"status": SIGNED_OFF, "signed_off_by": actor, "signed_off_at": now, "updated_at": now},
        )


def mark_printed(db, edition: dict, actor: str) -> None:
    """The signed-off edition went to print; every quote is recorded `print`."""
    with db.atomic():
        edition = get_edition(db, edition["date"])
        if edition["status"] != SIGNED_OFF:
            raise EditionError("only a signed-off edition can go to print")
        for comment_id in _quote_ids(db, edition):
            decisions.record(
                db, comment_id, actor, "print", SIGNED_OFF, PRINTED, f"edition {edition['date']}"
            )
        now = now_iso()
        db.table("editions").update(
            edition["id"],
            {"status": PRINTED, "printed_by": actor, "printed_at": now, "updated_at": now},
        )


def printed_in(db, comment_ids: list[int]) -> dict[int, list[str]]:
    """{comment id: dates of printed editions that carried it} for the given comments."""
    found: dict[int, list[str]] = {}
    for chunk, marks in in_chunks(comment_ids):
        for comment_id, date in db.execute(
            "SELECT q.comment_id, e.date FROM edition_quotes q "
            "JOIN editions e ON e.id = q.edition_id "
            f"WHERE e.status = ? AND q.comment_id IN ({marks}) ORDER BY e.date",
            [PRINTED, *chunk],
        ):
            found.setdefault(comment_id, []).append(date)
    return found


def quote_decisions(db, comment_ids: list[int]) -> dict[int, list[dict]]:
    """{comment id: every decision on it, oldest first}."""
    return {comment_id: decisions.history(db, comment_id) for comment_id in comment_ids}
