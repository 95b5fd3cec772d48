"""Stories, their read counts, and linking one story across channels."""

from __future__ import annotations

import re
import unicodedata

from moderation.storage.storable import clean_fields
from moderation.timeutil import now_iso

PUNCTUATION = re.compile(r"[\W_]+", re.UNICODE)
STORY_TEXT_FIELDS = ("native_id", "title", "url", "published_at", "reporter", "intro", "origin")


def link_key(title: str, published_at: str | None) -> str:
    """The key that links one story across channels: normalised title + publication date."""
    title = unicodedata.normalize("NFKC", title).lower()
    title = PUNCTUATION.sub("", title)
    return f"{title}|{(published_at or '')[:10]}"


def upsert_stories(db, channel: str, stories) -> dict[str, int]:
    """Store or refresh a channel's stories; return {native_id: story id}."""
    ids = {}
    for story in stories:
        ids[story.native_id] = upsert_story(db, channel, story)
    return ids


def upsert_story(db, channel: str, story) -> int:
    """Insert or update one story and its daily reads; link it to the same story elsewhere."""
    story = clean_fields(story, STORY_TEXT_FIELDS)
    key = link_key(story.title, story.published_at)
    row = {
        "channel": channel,
        "native_id": story.native_id,
        "title": story.title,
        "url": story.url,
        "published_at": story.published_at,
        "reporter": story.reporter,
        "intro": story.intro,
        "origin": story.origin,
        "page_views": story.page_views,
        "link_key": key,
        "collected_at": now_iso(),
    }
    existing = db.execute(
        "SELECT id, canonical_id, linked_by FROM stories WHERE channel = ? AND native_id = ?",
        [channel, story.native_id],
    ).fetchone()
    if existing:
        story_id = existing[0]
        updates = {k: v for k, v in row.items() if v is not None and k != "collected_at"}
        if existing[2]:  # linked or unlinked by hand: collection keeps the editor's choice
            updates.pop("link_key", None)
        db.table("stories").update(story_id, updates)
    else:
        story_id = db.table("stories").insert(row).last_pk
        canonical = db.execute(
            "SELECT COALESCE(canonical_id, id) FROM stories WHERE link_key = ? AND id != ? "
            "ORDER BY id LIMIT 1",
            [key, story_id],
        ).fetchone()
        db.table("stories").update(
            story_id, {"canonical_id": canonical[0] if canonical else story_id}
        )
    if story.daily_reads:
        db.table("story_reads").upsert_all(
            (
                {"story_id": story_id, "date": date, "reads": reads, "shares": shares}
                for date, reads, shares in story.daily_reads
            ),
            pk=("story_id", "date"),
        )
    return story_id


def get_story(db, story_id: int) -> dict | None:
    """One story as a dict, or None."""
    rows = list(db.query("SELECT * FROM stories WHERE id = ?", [story_id]))
    return rows[0] if rows else None


def stories_for(db, native_ids: list[str], channel: str) -> dict[str, int]:
    """{native_id: story id} for a channel's stories already stored."""
    if not native_ids:
        return {}
    marks = ",".join("?" * len(native_ids))
    return {
        row[0]: row[1]
        for row in db.execute(
            f"SELECT native_id, id FROM stories WHERE channel = ? AND native_id IN ({marks})",
            [channel, *native_ids],
        )
    }


def placeholder_story(db, channel: str, native_id: str) -> int:
    """A stub story for comments that arrive before their story; refreshed when it arrives."""
    from moderation.collectors.base import CollectedStory

    return upsert_story(db, channel, CollectedStory(native_id=native_id, title=f"({native_id})"))


class LinkError(ValueError):
    """A manual link that cannot be made (unknown story, or linking a story to itself)."""


def link_story(db, story_id: int, target_id: int, actor: str) -> int:
    """Link a story (and everything linked to it) to another story's group, by hand."""
    if story_id == target_id:
        raise LinkError("稿件不能与自身合并")
    with db.atomic():
        story, target = get_story(db, story_id), get_story(db, target_id)
        if story is None or target is None:
            raise LinkError(f"没有编号为 {story_id if story is None else target_id} 的稿件")
        group = target["canonical_id"] or target["id"]
        old_group = story["canonical_id"] or story["id"]
        db.execute(
            "UPDATE stories SET canonical_id = ?, linked_by = ? "
            "WHERE COALESCE(canonical_id, id) = ?",
            [group, actor, old_group],
        )
    return group


def unlink_story(db, story_id: int, actor: str) -> None:
    """Take a story out of its cross-channel group, by hand; collection will not relink it."""
    with db.atomic():
        story = get_story(db, story_id)
        if story is None:
            raise LinkError(f"没有编号为 {story_id} 的稿件")
        group = story["canonical_id"] or story["id"]
        if group == story_id:  # it heads the group: the next member becomes the head
            members = [
                row[0]
                for row in db.execute(
                    "SELECT id FROM stories WHERE canonical_id = ? AND id != ? ORDER BY id",
                    [story_id, story_id],
                )
            ]
            if members:
                db.execute(
                    f"UPDATE stories SET canonical_id = ? WHERE id IN "
                    f"({','.join('?' * len(members))})",
                    [members[0], *members],
                )
        db.execute(
            "UPDATE stories SET canonical_id = id, linked_by = ?, link_key = ? WHERE id = ?",
            [actor, f"manual:{story_id}", story_id],
        )
