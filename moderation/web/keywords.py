"""A story's keywords and topic groups, from words cut by the project's exact segmenter.

snownlp's own segmenter (re-implemented exactly in ``fast_segment``) gives the words a reader
recognises (下雪, 人才, 湿地公园), where character pairs cut across them (造名, 迎你). Its
tables load from the data folder's cache in a fraction of a second once the scorer built
them; the one TF-IDF lives in ``scoring.groups``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from moderation.scoring.groups import top_terms
from moderation.scoring.groups import topic_groups as scorer_topics

_segmenters: list = []
_lock = threading.Lock()


def segmenter(cache_dir: str) -> Callable[[str], list[str]]:
    """snownlp's words of a text; tables cached in ``cache_dir``, loaded once per process.

    The segmenter model is snownlp's bundled one whatever the folder, so the first load wins.
    """
    with _lock:
        if not _segmenters:
            from moderation.scoring.fast_segment import load_segmenter

            _segmenters.append(load_segmenter(cache_dir=cache_dir).seg)
        return _segmenters[0]


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
