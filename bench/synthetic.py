"""Realistic synthetic data for benchmarks: Chinese news comments across channels and stories.

Lengths follow a log-normal distribution (median ~25 characters, long tail to ~300), the
register mixes praise, complaints, questions, emoji and the occasional phone number or ad.
Deterministic for a given seed.
"""

from __future__ import annotations

import functools
import math
import random
import re
from collections.abc import Iterator
from pathlib import Path

from moderation.collectors.base import CollectedComment, CollectedStory

OPENERS = [
    "终于",
    "今天",
    "听说",
    "看到新闻",
    "作为株洲人",
    "说实话",
    "希望",
    "建议",
    "请问",
    "昨天晚上",
    "我家附近",
    "天元区",
    "芦淞区",
    "荷塘区",
    "石峰区",
    "醴陵",
    "攸县",
]
TOPICS = [
    "下雪了",
    "学校放假",
    "公交晚点",
    "道路结冰",
    "湿地公园",
    "青年人才",
    "高速扩容",
    "龙地名",
    "全民阅读",
    "市长对接",
    "省两会",
    "供暖",
    "菜价",
    "停车难",
    "地铁规划",
    "老旧小区改造",
    "医保报销",
    "就业驿站",
    "城市绿化",
    "夜市",
]
VERDICTS = [
    "真不错",
    "太好了",
    "点赞",
    "辛苦了",
    "有点失望",
    "什么时候能解决",
    "希望快点落实",
    "说得好",
    "支持",
    "不太方便",
    "越来越好",
    "这个必须顶",
    "问题还是很多",
    "感动",
    "实在太堵了",
    "服务很周到",
    "要加强管理",
    "为家乡骄傲",
    "不敢相信",
    "终于等到了",
]
FILLERS = [
    "，",
    "。",
    "！",
    "？",
    "～",
    "，真的",
    "，大家",
    "，我们",
    "，而且",
    "，但是",
    "，其实",
    "，记得",
    "，感觉",
]
EXTRAS = ["👍", "😂", "❤️", "[赞]", "[微笑]", "哈哈哈", "2024", "12点", "350名", "🙏"]
CHANNELS = ["website", "app", "wechat-zzrb", "wechat-zzwb", "weibo"]
ORIGINS = ["株洲新闻网", "掌上株洲", "株洲日报微信公众号", "株洲晚报微信公众号", "株洲日报微博"]


CLAUSE = re.compile(r"[^，。！？；、…\s]{2,}")
SEED_PAGE = Path(__file__).resolve().parents[2] / "shared" / "seed" / "zhuzhou-daily-page.txt"


@functools.cache
def real_clauses() -> tuple[str, ...]:
    """Clauses of real newsroom Chinese: the demo comments and, when present, the seed page.

    Read at run time (nothing is copied); comments assembled from them have the vocabulary
    of real text rather than of a short phrase list.
    """
    from moderation.collectors.demo import load_sample

    texts = [comment["text"] for comment in load_sample()["comments"]]
    if SEED_PAGE.exists():
        texts.append(SEED_PAGE.read_text(encoding="utf-8"))
    return tuple(dict.fromkeys(c for text in texts for c in CLAUSE.findall(text) if len(c) < 40))


def comment_text(rng: random.Random, corpus: str = "clauses") -> str:
    """One comment with a log-normal length (median ~25 characters).

    corpus "clauses" joins clauses of real text; "template" joins ~100 stock phrases (a
    worst case for near-duplicate detection: everything looks alike).
    """
    if corpus == "template":
        return _template_text(rng)
    target = min(300, max(2, int(rng.lognormvariate(math.log(25), 0.7))))
    clauses = real_clauses()
    parts: list[str] = []
    while sum(map(len, parts)) < target:
        parts.append(rng.choice(clauses))
    text = "".join(part + rng.choice("，，，。！？") for part in parts)[: max(target, 2)]
    if rng.random() < 0.05:
        text += rng.choice(EXTRAS)
    return text if rng.random() > 0.01 else text + "，电话1391234" + f"{rng.randrange(10000):04d}"


def _template_text(rng: random.Random) -> str:
    target = min(300, max(2, int(rng.lognormvariate(math.log(25), 0.7))))
    parts: list[str] = []
    length = 0
    while length < target:
        piece = rng.choice(
            (rng.choice(OPENERS), rng.choice(TOPICS), rng.choice(VERDICTS), rng.choice(FILLERS))
        )
        if rng.random() < 0.05:
            piece = rng.choice(EXTRAS)
        parts.append(piece)
        length += len(piece)
    text = "".join(parts)[:target]
    return text if rng.random() > 0.01 else text + "，电话1391234" + f"{rng.randrange(10000):04d}"


def stories(count: int, seed: int = 1) -> list[tuple[str, CollectedStory]]:
    """(channel, story) pairs: `count` stories spread over the channels."""
    rng = random.Random(seed)
    result = []
    for number in range(count):
        day = 1 + number % 28
        channel = CHANNELS[number % len(CHANNELS)]
        result.append(
            (
                channel,
                CollectedStory(
                    native_id=f"story-{number}",
                    title=f"{rng.choice(TOPICS)}：{rng.choice(OPENERS)}{rng.choice(VERDICTS)}（{number}）",
                    published_at=f"2024-01-{day:02d}T08:00:00+08:00",
                    reporter=rng.choice(["孙晓静", "王娜", "陈正明", "罗小玲", "胡文洁", "廖明"]),
                    page_views=rng.randrange(1000, 3_000_000),
                    origin=ORIGINS[CHANNELS.index(channel)],
                ),
            )
        )
    return result


def comments(
    count: int,
    story_count: int = 2000,
    seed: int = 2,
    corpus: str = "clauses",
    prefix: str = "c",
    month: int = 1,
) -> Iterator[tuple[str, CollectedComment]]:
    """(channel, comment) pairs, deterministic for a seed, in the order a collector meets them.

    Comments arrive over the first 28 days of `month` (2024) in time order (a collector reads
    what is new since its cursor), a few minutes out of order within a page, each on a story
    published that day or up to two days before.
    """
    rng = random.Random(seed)
    span = 28 * 24 * 60  # minutes in the 28 days
    per_day = max(story_count // 28, 1)
    for number in range(count):
        minute = min(span - 1, max(0, number * span // count + rng.randrange(-10, 11)))
        day = 1 + minute // (24 * 60)
        published = max(1, day - rng.choice((0, 0, 0, 1, 2)))
        story = min((published - 1) + 28 * rng.randrange(per_day), story_count - 1)
        channel = CHANNELS[story % len(CHANNELS)]
        author = rng.randrange(count // 8 + 1)
        hour, rest = divmod(minute % (24 * 60), 60)
        yield (
            channel,
            CollectedComment(
                native_id=f"{prefix}{number}",
                story_native_id=f"story-{story}",
                text=comment_text(rng, corpus),
                created_at=f"2024-{month:02d}-{day:02d}T{hour:02d}:{rest:02d}:00+00:00",
                author_key=f"{channel}:{author}",
                author_name=f"读者{author}" if channel != "wechat-zzrb" else None,
                likes=int(rng.paretovariate(1.5)) - 1,
                origin=ORIGINS[CHANNELS.index(channel)],
            ),
        )
