"""The editor's side of a draft: start one, swap a quote for an alternate, drop or add a story,
and accept it into a new edition of the existing builder.

Every swap and every accepted quote is a row in the decisions log; accepting goes through the
edition builder's own functions, so sections, display names, consent and sign-off work as for
a column built by hand. Each section starts with the story's intro, or a plain sentence for
the editor to rewrite (see `intro.draft_intro`).
"""

from __future__ import annotations

from datetime import date as Date

from moderation.drafting import select as selection
from moderation.drafting.draft import build_draft, draft_section, utc_range
from moderation.drafting.intro import draft_intro
from moderation.drafting.weights import weights_from
from moderation.states import APPROVED
from moderation.storage import decisions, editions, stories
from moderation.storage import drafts as store


class DraftError(ValueError):
    """A change a draft cannot take; the message says why, for the editor."""


def start_draft(db, first: Date, last: Date, draft_settings, actor: str, progress=None) -> int:
    """Draft the column for [first, last] and store it for the editor; returns its id."""
    body = build_draft(db, first, last, draft_settings, progress=progress)
    return store.save_draft(db, body["start"], body["end"], body, actor)


def open_draft(db, draft_id: int) -> dict:
    """A stored draft the editor may still change."""
    draft = store.get_draft(db, draft_id)
    if draft is None:
        raise DraftError(f"没有编号为 {draft_id} 的草稿")
    if draft["status"] != store.OPEN:
        raise DraftError("这份草稿已采用为专栏，请在专栏编辑页继续修改")
    return draft


def _section(body: dict, story_id: int) -> dict:
    for section in body["sections"]:
        if section["story_id"] == story_id:
            return section
    raise DraftError("草稿里没有这篇稿件")


def _take(quotes: list[dict], comment_id: int, what: str) -> int:
    for index, quote in enumerate(quotes):
        if quote["id"] == comment_id:
            return index
    raise DraftError(f"这条评论不是该稿件的{what}")


def swap(db, draft_id: int, story_id: int, pick_id: int, alternate_id: int, actor: str) -> dict:
    """Put an alternate in a proposed quote's place (same print position); the displaced
    quote becomes the first alternate. Recorded as `draft_swap` on the incoming comment,
    naming what it displaced. Returns the displaced quote."""
    with db.atomic():
        draft = open_draft(db, draft_id)
        section = _section(draft["body"], story_id)
        at = _take(section["picks"], pick_id, "推荐评论")
        alt = _take(section["alternates"], alternate_id, "备选评论")
        displaced, incoming = section["picks"][at], section["alternates"].pop(alt)
        section["picks"][at] = incoming
        section["alternates"].insert(0, displaced)
        store.update_body(db, draft_id, draft["body"])
        decisions.record(
            db, incoming["id"], actor, "draft_swap", APPROVED, APPROVED, displaced_note(displaced)
        )
    return displaced


def displaced_note(quote: dict) -> str:
    """What a swap displaced, for the decision log and the editor: name, start, reason."""
    name = quote.get("author_name") or "（无昵称）"
    text = quote["text"] if len(quote["text"]) <= 24 else quote["text"][:24] + "…"
    return f"换下 网友@{name}：{text}（{quote['reason']}）"


def drop_story(db, draft_id: int, story_id: int) -> None:
    """Take a story out of the draft."""
    with db.atomic():
        draft = open_draft(db, draft_id)
        _section(draft["body"], story_id)
        draft["body"]["sections"] = [
            s for s in draft["body"]["sections"] if s["story_id"] != story_id
        ]
        store.update_body(db, draft_id, draft["body"])


def add_story(db, draft_id: int, story_id: int, draft_settings) -> None:
    """Draft one more story of the range (chosen by the editor) as the last section."""
    with db.atomic():
        draft = open_draft(db, draft_id)
        body = draft["body"]
        if any(s["story_id"] == story_id for s in body["sections"]):
            raise DraftError("这篇稿件已在草稿里")
        span = utc_range(Date.fromisoformat(body["start"]), Date.fromisoformat(body["end"]))
        rows = [row for row in store.story_response(db, *span) if row["story_id"] == story_id]
        if not rows or not rows[0]["approved"]:
            raise DraftError("这篇稿件在该时间段内没有已通过的评论")
        counts = selection.counts_from(draft_settings)
        section = draft_section(db, rows[0], span, weights_from(draft_settings), counts)
        body["sections"].append(section)
        store.update_body(db, draft_id, body)


def accept(db, draft_id: int, edition_date: str, title: str, actor: str) -> dict:
    """Create the edition of `edition_date` from the draft as the editor left it: one section
    per story (its intro drafted), the proposed quotes in order (a proposed trim as the print
    excerpt, the original kept). Each quote is recorded `draft_accept` with its reason."""
    with db.atomic():
        draft = open_draft(db, draft_id)
        if not any(section["picks"] for section in draft["body"]["sections"]):
            raise DraftError("草稿里没有任何评论可采用")
        try:
            edition = editions.create_edition(db, edition_date, title, actor)
        except editions.EditionError as error:
            raise DraftError(str(error)) from None
        for section in draft["body"]["sections"]:
            if section["picks"]:
                _accept_section(db, edition, section, actor)
        store.mark_accepted(db, draft_id, edition["id"])
    return editions.get_edition(db, edition["date"])


def _accept_section(db, edition: dict, section: dict, actor: str) -> None:
    section_id = editions.add_section(db, edition, section["story_id"], actor)
    intro = draft_intro(stories.get_story(db, section["story_id"]))
    editions.update_section(db, edition, section_id, section["title"] or "（无标题）", intro, actor)
    for quote in section["picks"]:
        try:
            quote_id = editions.select_quote(db, edition, section_id, quote["id"], actor)["id"]
        except editions.EditionError as error:
            raise DraftError(f"“{quote['text'][:20]}”不能采用：{error}") from None
        decisions.record(
            db, quote["id"], actor, "draft_accept", APPROVED, editions.SELECTED, quote["reason"]
        )
        if quote.get("trim"):
            editions.update_quote(
                db, edition, quote_id, quote["trim"], quote.get("author_name") or "", False, actor
            )
