"""A story's topic groups for viewpoint spread, from ``scoring.keywords`` (the extraction the
story page and the reports use)."""

from __future__ import annotations

from moderation.scoring.groups import topic_groups
from moderation.scoring.keywords import words_of


def words(text: str) -> list[str]:
    """The words of a text a reader would recognise as topics (``scoring.keywords``)."""
    return words_of()(text)


def topics_of(comments: list[dict], max_topics: int = 6) -> dict[int, tuple[str, str]]:
    """{comment id: (topic key, label)} for one story's comments; comments that share no
    keyword with others get no topic."""
    groups = topic_groups(
        ((comment["id"], comment["text"]) for comment in comments), words, max_topics
    )
    found = {}
    for group in groups:
        if not group.keywords:
            continue
        for comment_id in group.member_ids:
            found[comment_id] = (group.keywords[0], group.keywords[0])
    return found
