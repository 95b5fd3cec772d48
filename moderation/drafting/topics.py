"""A story's topic groups for viewpoint spread, from words of the exact snownlp segmenter."""

from __future__ import annotations

import functools

from moderation.scoring.groups import STOP_WORDS, topic_groups


@functools.cache
def _segmenter():
    from moderation.scoring.fast_segment import load_segmenter

    return load_segmenter()


def words(text: str) -> list[str]:
    """The words of a text a reader would recognise as topics (no stop words, no single
    characters)."""
    return [
        word
        for word in _segmenter().seg(text)
        if len(word) > 1 and word not in STOP_WORDS and not word.isdigit()
    ]


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
