"""A story's keywords and topic groups, from ``scoring.keywords``: words, never pieces.

The same extraction names the topics of reports and of the draft; the one TF-IDF lives in
``scoring.groups``.
"""

from __future__ import annotations

from collections.abc import Callable

from moderation.scoring.groups import top_terms
from moderation.scoring.groups import topic_groups as scorer_topics
from moderation.scoring.keywords import words_of


def segmenter(cache_dir: str) -> Callable[[str], list[str]]:
    """The keyword words of a text (``scoring.keywords.words_of``), loaded once per process."""
    return words_of(cache_dir)


def top_keywords(
    texts: list[str], segment: Callable[[str], list[str]], limit: int = 12
) -> list[tuple[str, float]]:
    """The words that weigh most across the texts (summed TF-IDF), shared by two or more."""
    return top_terms(texts, segment, limit)


def topic_groups(
    comments: list[dict], segment: Callable[[str], list[str]], max_topics: int = 6
) -> list[dict]:
    """[{keywords, ids}] of the comments grouped by their strongest keyword."""
    items = [(comment["id"], comment["text"]) for comment in comments]
    return [
        {"keywords": list(topic.keywords), "ids": list(topic.member_ids)}
        for topic in scorer_topics(items, segment, max_topics=max_topics)
        if topic.keywords
    ]
