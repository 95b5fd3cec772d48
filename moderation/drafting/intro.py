"""The intro a drafted section starts with, so no section reaches the builder empty.

The story's own intro (导语) when the channel gave one; otherwise one plain sentence naming
the day, the outlet and the story, for the editor to rewrite. Either way the builder lists
it until an editor has read it, as every intro is the editor's to sign.
"""

from __future__ import annotations

from moderation.timeutil import BEIJING, parse_iso


def draft_intro(story: dict) -> str:
    """The story's intro, or "1月22日，掌上株洲发布《…》后，引发网友热议。"."""
    if (story.get("intro") or "").strip():
        return story["intro"].strip()
    published = parse_iso(story.get("published_at"))
    local = published.astimezone(BEIJING) if published else None
    day = f"{local.month}月{local.day}日，" if local else ""
    outlet = story.get("origin") or ""
    return f"{day}{outlet}发布《{story['title']}》后，引发网友热议。"
