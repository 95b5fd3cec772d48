"""Topics within one story's comments: keywords shared by several comments, for the editor.

Duplicate groups live in ``scoring.duplicates``.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .textnorm import normalize_text

STOP_WORDS = frozenset(
    "的 了 是 在 我 你 他 她 它 们 我们 你们 他们 这 那 这个 那个 这些 那些 这里 那里 就 都 也 还"
    " 又 和 与 及 而 但 但是 可是 因为 所以 如果 虽然 一个 一些 一下 什么 怎么 为什么 没有 不 很 太"
    " 真 真的 啊 呀 吧 吗 呢 啦 哦 嗯 哈 哈哈 还是 就是 可以 能 会 要 有 给 对 把 被 让 到 从 向 为"
    " 为了 之 其 等 上 下 里 中 去 来 说 看 好 多 大 小 更 最 再 已经 这么 那么 自己 大家 现在 今天"
    " 昨天 明天 时候 觉得 感觉 非常 特别 一定 应该 还有 以及 或者 而且 然后 一样 这样 那样"
    " 如此 不是 也是 都是 有点 希望 还是 因为 一下 而已 这种 那种 出来 起来 知道 不要 不会 不能"
    " 没 个 着 过 啥 咋 呗 么 嘛 哟".split()
)


@dataclass(frozen=True)
class Topic:
    """One topic of a story's comments: its keywords (strongest first) and member ids."""

    keywords: tuple[str, ...]
    member_ids: tuple[int, ...]


def content_words(text: str, segment: Callable[[str], list[str]]) -> list[str]:
    """Segment one comment and keep content words: 2+ characters, letters, no stop words."""
    terms = []
    for word in segment(text):
        term = normalize_text(word)
        if len(term) >= 2 and not term.isdigit() and term not in STOP_WORDS:
            terms.append(term)
    return terms


def tfidf(docs: dict[int, list[str]]) -> dict[int, dict[str, float]]:
    """TF-IDF weight of every term in every comment (smoothed idf, tf by comment length).

    The one TF-IDF of the project: story keywords and topic groups both rank by it.
    """
    frequency = Counter(term for terms in docs.values() for term in set(terms))
    total = len(docs)
    weights = {}
    for comment_id, terms in docs.items():
        counts = Counter(terms)
        weights[comment_id] = {
            term: count / len(terms) * (math.log((1 + total) / (1 + frequency[term])) + 1)
            for term, count in counts.items()
        }
    return weights


def top_terms(
    texts: Iterable[str], segment: Callable[[str], list[str]], limit: int = 12
) -> list[tuple[str, float]]:
    """The content words that weigh most across texts (summed TF-IDF), shared by two or more."""
    docs = {index: content_words(text, segment) for index, text in enumerate(texts)}
    weights = tfidf({i: terms for i, terms in docs.items() if terms})
    total: Counter[str] = Counter()
    shared: Counter[str] = Counter()
    for terms in weights.values():
        total.update(terms)
        shared.update(terms.keys())
    ranked = sorted((t for t in total if shared[t] >= 2), key=lambda t: (-total[t], t))
    return [(term, round(total[term], 3)) for term in ranked[:limit]]


def _pick_seeds(weights: dict[int, dict[str, float]], max_topics: int) -> list[str]:
    """Choose up to ``max_topics`` keywords shared by 2+ comments, skipping near-synonyms."""
    score: Counter[str] = Counter()
    members: dict[str, set[int]] = defaultdict(set)
    for comment_id, terms in weights.items():
        for term, weight in terms.items():
            score[term] += weight
            members[term].add(comment_id)
    seeds: list[str] = []
    for term in sorted(score, key=lambda t: (-score[t], t)):
        if len(seeds) == max_topics:
            break
        covered = members[term]
        if len(covered) < 2:
            continue
        if any(len(covered & members[s]) * 2 >= len(covered | members[s]) for s in seeds):
            continue  # same comments as a chosen seed: a phrase fragment, not a new topic
        seeds.append(term)
    return seeds


def topic_groups(
    items: Iterable[tuple[int, str]],
    segment: Callable[[str], list[str]],
    max_topics: int = 6,
) -> list[Topic]:
    """Group one story's comments by their strongest TF-IDF keyword, for the editor's overview.

    Keywords are terms shared by at least two comments, ranked by summed TF-IDF; each comment
    joins the keyword that weighs most in it. Comments with none of the keywords come last as
    a topic with no keywords. Output is sorted (largest topic first) and deterministic.
    """
    docs = {comment_id: content_words(text, segment) for comment_id, text in sorted(items)}
    weights = tfidf({i: terms for i, terms in docs.items() if terms})
    seeds = _pick_seeds(weights, max_topics)
    assigned: dict[str, list[int]] = {seed: [] for seed in seeds}
    rest = []
    for comment_id in docs:
        own = weights.get(comment_id, {})
        best = max(seeds, key=lambda s: own.get(s, 0.0), default=None)
        if best is not None and own.get(best, 0.0) > 0:
            assigned[best].append(comment_id)
        else:
            rest.append(comment_id)
    topics = [
        Topic(_keywords(seed, ids, weights), tuple(ids)) for seed, ids in assigned.items() if ids
    ]
    topics.sort(key=lambda topic: (-len(topic.member_ids), topic.keywords))
    if rest:
        topics.append(Topic((), tuple(rest)))
    return topics


def _keywords(seed: str, ids: list[int], weights: dict[int, dict[str, float]]) -> tuple[str, ...]:
    """The seed plus the two terms that weigh most across the topic's comments."""
    total: Counter[str] = Counter()
    for comment_id in ids:
        total.update(weights[comment_id])
    others = sorted((t for t in total if t != seed), key=lambda t: (-total[t], t))
    return (seed, *others[:2])
