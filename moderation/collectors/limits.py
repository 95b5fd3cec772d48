"""Length caps on every collected field, applied in one place before anything is stored.

A channel or an import file can hand over a comment of a hundred million characters; stored
whole it would make every queue page and every scoring pass slow for everyone. The text is
cut to `text_chars` and the comment marked `truncated` (the original goes into the raw
payload, itself capped); every other field is cut to `field_chars`.
"""

from __future__ import annotations

import dataclasses
from typing import Protocol

from moderation.collectors.base import CollectedComment, CollectedStory, Page

COMMENT_SHORT_FIELDS = ("native_id", "story_native_id", "author_key", "author_name", "reply_to")
COMMENT_SHORT_FIELDS += ("origin", "created_at")
STORY_SHORT_FIELDS = ("native_id", "title", "url", "published_at", "reporter", "origin")
ORIGINAL_TEXT_KEY = "original_text"


class FieldLimits(Protocol):
    """The caps (the `[limits]` settings section has them)."""

    text_chars: int
    field_chars: int
    raw_payload_chars: int


def clip(value, limit: int):
    """A string cut to `limit` characters; anything else unchanged."""
    return value[:limit] if isinstance(value, str) and len(value) > limit else value


def bound_comment(comment: CollectedComment, limits: FieldLimits) -> CollectedComment:
    """The comment with every field within its cap; a cut text marks it truncated."""
    changes = {
        name: clip(getattr(comment, name), limits.field_chars) for name in COMMENT_SHORT_FIELDS
    }
    changes = {
        name: value for name, value in changes.items() if value is not getattr(comment, name)
    }
    if len(comment.text) > limits.text_chars:
        changes["text"] = comment.text[: limits.text_chars]
        changes["truncated"] = True
        changes["raw"] = _raw_with_original(comment, limits.raw_payload_chars)
    return dataclasses.replace(comment, **changes) if changes else comment


def _raw_with_original(comment: CollectedComment, raw_chars: int) -> dict:
    """The raw item led by the original text (so the raw cap cuts the rest first), without
    a second copy of it."""
    rest = {key: value for key, value in (comment.raw or {}).items() if value != comment.text}
    return {ORIGINAL_TEXT_KEY: comment.text[:raw_chars], **rest}


def bound_story(story: CollectedStory, limits: FieldLimits) -> CollectedStory:
    """The story with its title and other fields within the caps (the intro: text_chars)."""
    changes = {name: clip(getattr(story, name), limits.field_chars) for name in STORY_SHORT_FIELDS}
    changes["intro"] = clip(story.intro, limits.text_chars)
    changes = {key: value for key, value in changes.items() if value is not getattr(story, key)}
    return dataclasses.replace(story, **changes) if changes else story


def bound_page(page: Page, limits: FieldLimits) -> Page:
    """The page with every story and comment bounded (the cursor and notes unchanged)."""
    page.stories = [bound_story(story, limits) for story in page.stories]
    page.comments = [bound_comment(comment, limits) for comment in page.comments]
    page.skipped = [clip(note, limits.field_chars) for note in page.skipped]
    page.unreadable = [clip(note, limits.field_chars) for note in page.unreadable]
    return page
