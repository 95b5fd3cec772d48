"""Group comments: duplicates (exact and near), mass posting, and topics within one story.

Near duplicates are found two ways, both on ``textnorm.normalize_text`` output and both
through hash buckets, never by comparing every pair:

- SimHash (64 bits, character bigram shingles, weighted by count) within ``max_distance``
  bits (default 3), looked up in ``max_distance + 1`` bands: two hashes within d bits agree
  exactly on at least one of d + 1 bands. This catches reworded longer comments.
- one inserted, deleted or replaced character, looked up by the two thirds it leaves alone.
  SimHash cannot see that in a short comment: one changed character in a 20-character
  comment flips 6–12 of 64 bits, far past any safe threshold.

Comments under ``MIN_NEAR_CHARS`` normalised characters only group on exact equality.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .textnorm import normalize_text

SHINGLE_SIZE = 2
MIN_NEAR_CHARS = 5
# Buckets this crowded are compared with their nearest neighbours only, to stay near-linear.
MAX_BUCKET = 1000
_NEIGHBOURS = 32

# Each of the 64 hash bits gets a 32-bit counter field inside one big integer, so summing the
# shingles of a comment is a single C-level ``sum`` (pure Python, no numpy).
_FIELD_BITS = 32
_ONES = sum(1 << (bit * _FIELD_BITS) for bit in range(64))
_TOP_BITS = _ONES << (_FIELD_BITS - 1)
_SPREAD = [
    [
        sum(1 << ((8 * byte_index + bit) * _FIELD_BITS) for bit in range(8) if value >> bit & 1)
        for value in range(256)
    ]
    for byte_index in range(8)
]
_TOP_BYTE_TO_DIGIT = bytes.maketrans(b"\x00\x80", b"01")


class _SpreadCache(dict):
    """Shingle -> spread hash, computed on first use; cleared when it grows too big."""

    def __missing__(self, feature: str) -> int:
        digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
        spread = 0
        for byte_index, value in enumerate(digest):
            spread |= _SPREAD[byte_index][value]
        if len(self) > 300_000:
            self.clear()
        self[feature] = spread
        return spread


_spread_cache = _SpreadCache()

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


def _simhash_normalized(normalized: str) -> int:
    """SimHash of already normalised text; 0 for empty text."""
    if not normalized:
        return 0
    size = SHINGLE_SIZE
    features = [normalized[i : i + size] for i in range(max(1, len(normalized) - size + 1))]
    packed = sum(map(_spread_cache.__getitem__, features))
    # A bit is set when more than half the shingles set it: add (2**31 - needed) to every
    # counter and read each counter's top bit.
    needed = len(features) // 2 + 1
    top = (packed + ((1 << (_FIELD_BITS - 1)) - needed) * _ONES) & _TOP_BITS
    top_bytes = top.to_bytes(64 * _FIELD_BITS // 8, "little")[_FIELD_BITS // 8 - 1 :: 4]
    return int(top_bytes.translate(_TOP_BYTE_TO_DIGIT)[::-1], 2)


def simhash(text: str) -> int:
    """64-bit SimHash over normalised character bigrams, so near-identical texts hash close.

    Shingle size 2 (``SHINGLE_SIZE``), each shingle hashed with BLAKE2b-64 and weighted by
    its count; ``duplicate_groups`` treats hashes within 3 bits (its ``max_distance``) as
    near duplicates. Normalisation first, so punctuation, emoji, width, case and
    traditional/simplified differences do not change the hash.
    """
    return _simhash_normalized(normalize_text(text))


def hamming(a: int, b: int) -> int:
    """Count the bits in which two SimHashes differ."""
    return (a ^ b).bit_count()


class UnionFind:
    """Disjoint sets of integers for single-linkage grouping; a set's root is its smallest.

    Items need no declaring: one never united is its own set. Also used by
    ``storage.duplicates`` to group a batch of comments by id.
    """

    def __init__(self):
        self.parent: dict[int, int] = {}

    def find(self, item: int) -> int:
        """Return the set representative of ``item``, compressing the path."""
        root = item
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while item != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: int, b: int) -> None:
        """Merge the sets of ``a`` and ``b``."""
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[max(root_a, root_b)] = min(root_a, root_b)


def _bucket_pairs(members: list[int], order_key: Callable[[int], object]):
    """Yield the pairs of one bucket to compare: all of them, or neighbours if crowded."""
    if len(members) <= MAX_BUCKET:
        for i, first in enumerate(members):
            for second in members[i + 1 :]:
                yield first, second
        return
    ordered = sorted(members, key=order_key)
    for i, first in enumerate(ordered):
        for second in ordered[i + 1 : i + 1 + _NEIGHBOURS]:
            yield first, second


def _band_masks(max_distance: int) -> list[tuple[int, int]]:
    """Split 64 bits into ``max_distance + 1`` bands of (shift, mask)."""
    bands = min(max_distance + 1, 64)
    edges = [round(64 * i / bands) for i in range(bands + 1)]
    return [(start, (1 << (end - start)) - 1) for start, end in zip(edges, edges[1:], strict=False)]


def _link_simhash(keys: list[str], sets: UnionFind, max_distance: int) -> None:
    """Union distinct keys whose SimHashes are within ``max_distance`` bits."""
    hashes = {index: _simhash_normalized(key) for index, key in enumerate(keys)}
    bands = list(enumerate(_band_masks(max_distance)))
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, value in hashes.items():
        for band, (shift, mask) in bands:
            buckets[band, value >> shift & mask].append(index)
    for members in buckets.values():
        if len(members) == 1:
            continue
        for first, second in _bucket_pairs(members, hashes.__getitem__):
            if (hashes[first] ^ hashes[second]).bit_count() <= max_distance:
                sets.union(first, second)


def one_edit_apart(a: str, b: str) -> bool:
    """Tell whether one character inserted, deleted or replaced turns ``a`` into ``b``."""
    if len(a) > len(b):
        a, b = b, a
    if len(b) - len(a) > 1:
        return False
    low, high = 0, len(a)
    while low < high:  # length of the common prefix, by slice comparison
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    if len(a) == len(b):
        return a[low + 1 :] == b[low + 1 :]
    return a[low:] == b[low + 1 :]


def _edit_keys(key: str):
    """Bucket keys such that texts one edit apart share at least one bucket.

    Cut the shorter length ``m`` in thirds at ``p1`` and ``p2``; one edit leaves two thirds
    alone: the first two thirds, or the first and last thirds, or the last two thirds (the
    last ones counted from the end, so an insertion does not shift them).
    """
    for shorter in (len(key) - 1, len(key)):
        cut1, cut2 = shorter // 3, 2 * shorter // 3
        yield shorter, 0, hash(key[:cut2])
        yield shorter, 1, hash((key[:cut1], key[len(key) - (shorter - cut2) :]))
        yield shorter, 2, hash(key[len(key) - (shorter - cut1) :])


def _link_one_edit(keys: list[str], sets: UnionFind) -> None:
    """Union distinct keys that differ by a single character."""
    buckets: dict[tuple, list[int]] = defaultdict(list)
    for index, key in enumerate(keys):
        for bucket in _edit_keys(key):
            buckets[bucket].append(index)
    for members in buckets.values():
        if len(members) == 1:
            continue
        for first, second in _bucket_pairs(members, keys.__getitem__):
            close = abs(len(keys[first]) - len(keys[second])) <= 1
            if close and sets.find(first) != sets.find(second):
                if one_edit_apart(keys[first], keys[second]):
                    sets.union(first, second)


def duplicate_groups(items: Iterable[tuple[int, str]], max_distance: int = 3) -> dict[int, int]:
    """Map every comment id to its duplicate group id (smallest member id), to fold repeats."""
    ids_by_key: dict[str, list[int]] = defaultdict(list)
    for comment_id, text in items:
        key = normalize_text(text)
        ids_by_key[key if key else "\0" + text.strip()].append(comment_id)
    keys = list(ids_by_key)
    sets = UnionFind()
    near = [i for i, key in enumerate(keys) if len(key) >= MIN_NEAR_CHARS and key[0] != "\0"]
    near_sets = UnionFind()
    _link_simhash([keys[i] for i in near], near_sets, max_distance)
    _link_one_edit([keys[i] for i in near], near_sets)
    for position, index in enumerate(near):
        sets.union(index, near[near_sets.find(position)])
    group_of_root: dict[int, int] = {}
    for index, key in enumerate(keys):
        root = sets.find(index)
        group_of_root[root] = min(group_of_root.get(root, math.inf), *ids_by_key[key])
    return {
        comment_id: group_of_root[sets.find(index)]
        for index, key in enumerate(keys)
        for comment_id in ids_by_key[key]
    }


def mass_posting(
    items: Iterable[tuple[int, str, str]], min_authors: int = 3, min_chars: int = MIN_NEAR_CHARS
) -> set[int]:
    """Ids of comments whose normalised text came from ``min_authors`` or more authors.

    Texts under ``min_chars`` normalised characters are skipped: many readers really do
    write 点赞 or 支持株洲 on their own.
    """
    authors: dict[str, set[str]] = defaultdict(set)
    ids: dict[str, list[int]] = defaultdict(list)
    for comment_id, author, text in items:
        key = normalize_text(text)
        if len(key) >= min_chars:
            authors[key].add(author)
            ids[key].append(comment_id)
    return {i for key, members in ids.items() if len(authors[key]) >= min_authors for i in members}


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
