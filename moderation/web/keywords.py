"""Top keywords of a set of comments: character-bigram TF-IDF, no segmenter needed.

(snownlp is too slow to load in a request; the scorer's topic grouping runs over these
bigrams.)
"""

from __future__ import annotations

import math
import re
from collections import Counter

from moderation.scoring import groups

HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
# Bigrams that are grammar rather than topic.
STOP_BIGRAMS = {
    "我们", "你们", "他们", "这个", "那个", "什么", "一个", "没有", "就是", "还是", "不是",
    "可以", "已经", "自己", "这些", "那些", "真的", "大家", "因为", "所以", "但是", "如果",
    "也是", "都是", "有点", "希望", "一下", "这样", "怎么", "现在",
}  # fmt: skip


def bigrams(text: str) -> list[str]:
    """The overlapping two-character Han sequences of a text (the terms of TF-IDF)."""
    terms = []
    for run in HAN_RUN.findall(text):
        terms.extend(run[i : i + 2] for i in range(len(run) - 1))
    return [term for term in terms if term not in STOP_BIGRAMS]


def top_keywords(texts: list[str], limit: int = 12) -> list[tuple[str, float]]:
    """The bigrams that weigh most across the texts (summed TF-IDF), shared by two or more."""
    docs = [Counter(bigrams(text)) for text in texts]
    frequency = Counter(term for doc in docs for term in doc)
    total = len(docs)
    weights: Counter = Counter()
    for doc in docs:
        size = sum(doc.values()) or 1
        for term, n in doc.items():
            if frequency[term] >= 2:
                weights[term] += n / size * math.log(1 + total / frequency[term])
    return [(term, round(weight, 3)) for term, weight in weights.most_common(limit)]


def topic_groups(comments: list[dict], max_topics: int = 6) -> list[dict]:
    """[{keywords, ids}] of the comments' main topics (the scorer's grouping over bigrams)."""
    items = [(comment["id"], comment["text"]) for comment in comments]
    topics = groups.topic_groups(items, bigrams, max_topics=max_topics)
    return [
        {"keywords": list(topic.keywords), "ids": list(topic.member_ids)}
        for topic in topics
        if topic.keywords
    ]
