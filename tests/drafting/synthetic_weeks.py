"""Several weeks of synthetic comments, with editions printed from them by a hidden rule.

The hidden rule stands in for this paper's editors and is never shown to the drafter: they
prize concrete detail and give one critical voice per story its place, care a little for
length and hardly at all for likes (which are drawn independently of quality). Everything is
written through the project's storage functions, as collection and the builder would.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

from moderation.collectors.base import CollectedComment, CollectedStory
from moderation.storage import comments as comment_store
from moderation.storage import editions, scores
from moderation.storage import stories as story_store

CHANNELS = (("site", "株洲新闻网"), ("app", "掌上株洲"), ("wx", "株洲日报微信公众号"))
PLACES = (
    "河西",
    "红港路",
    "神农公园",
    "株洲大道",
    "炎帝广场",
    "湘江风光带",
    "建宁驿站",
    "醴陵",
    "攸县",
)
PEOPLE = ("环卫工人", "交警", "老师", "司机师傅", "社区志愿者", "物业")
GENERIC = (
    "这篇报道写得很用心，看完之后很有感触，希望以后多多报道这样的新闻。",
    "这个事情确实值得关注，大家都说说自己的看法吧，支持一下小编。",
    "说得太对了，我身边的朋友也都是这么想的，希望越办越好。",
    "看了新闻心里暖暖的，生活在这座城市真的很幸福，点个赞。",
)
FIRST_WEEK = date(2024, 3, 1)


def _text(rng: random.Random, topic: str, details: int, critical: bool) -> str:
    if details == 0 and not critical:
        return f"{topic}这件事，" + rng.choice(GENERIC)
    parts = [f"{rng.choice(PLACES)}这边{topic}"]
    for _ in range(details - 1):
        parts.append(f"{rng.choice(PEOPLE)}忙了{rng.randrange(2, 12)}个小时")
    if critical:
        parts.append(
            f"可是{rng.choice(PLACES)}的问题拖了{rng.randrange(2, 9)}天冇人管，太让人失望了"
        )
    return "，".join(parts) + "。"


def _story_comments(rng, week: int, story: int, topics: tuple[str, ...], day: date):
    """(channel, comment, hidden quality) for one story's week."""
    made = []
    for number in range(rng.randrange(24, 36)):
        details = rng.choice((0, 0, 1, 2, 3))
        critical = rng.random() < 0.2
        channel, origin = rng.choice(CHANNELS)
        author = f"w{week}s{story}a{rng.randrange(40)}"
        moment = day + timedelta(days=rng.randrange(0, 6))
        comment = CollectedComment(
            native_id=f"w{week}-s{story}-{number}",
            story_native_id=f"story-{week}-{story}",
            text=_text(rng, rng.choice(topics), details, critical),
            created_at=f"{moment.isoformat()}T{rng.randrange(1, 15):02d}:00:00+00:00",
            author_key=author,
            author_name=f"读者{author}",
            likes=int(rng.paretovariate(1.2)) - 1,
            origin=origin,
        )
        hidden = 1.2 * details + 0.8 * (len(comment.text) >= 40) + rng.gauss(0, 0.4)
        made.append((channel, comment, critical, hidden + 0.15 * math.log1p(comment.likes)))
    return made


def _store(db, made, story_ids) -> dict[str, int]:
    ids = {}
    for channel, comment, critical, _ in made:
        comment_store.save_comments(db, channel, [comment], story_ids[channel])
        (comment_id,) = db.execute(
            "SELECT id FROM comments WHERE channel = ? AND native_id = ?",
            [channel, comment.native_id],
        ).fetchone()
        ids[comment.native_id] = comment_id
        scores.save_scores(
            db,
            [
                {
                    "comment_id": comment_id,
                    "sentiment": 0.1 if critical else 0.9,
                    "label": "negative" if critical else "positive",
                    "model_version": "synthetic",
                    "flags": [{"code": "negative"}] if critical else [],
                    "dup_group": comment_id,
                }
            ],
        )
    comment_store.decide_many(db, ids.values(), "approve", actor="mod")
    return ids


def _editors_pick(made, ids, per_story: int = 4) -> list[int]:
    """The hidden rule: best hidden quality, one critical voice first, one per author."""
    ranked = sorted(made, key=lambda item: -item[3])
    critical = [item for item in ranked if item[2]][:1]
    picked, authors = [], set()
    for _channel, comment, _, _ in critical + [i for i in ranked if i not in critical]:
        if comment.author_key not in authors and len(picked) < per_story:
            picked.append(ids[comment.native_id])
            authors.add(comment.author_key)
    return picked


def build_weeks(db, weeks: int = 9, stories_per_week: int = 3, seed: int = 5) -> list[str]:
    """Write the weeks and print one edition per week (the Friday after); returns the dates."""
    rng = random.Random(seed)
    dates = []
    for week in range(weeks):
        day = FIRST_WEEK + timedelta(days=7 * week)
        edition_date = (day + timedelta(days=7)).isoformat()
        edition = editions.create_edition(db, edition_date, "融媒·观察", "editor")
        for story in range(stories_per_week):
            topics = tuple(rng.sample(("下雪", "放假", "人才", "公园", "公交", "供暖"), 3))
            story_ids = {
                channel: {
                    f"story-{week}-{story}": story_store.upsert_story(
                        db,
                        channel,
                        CollectedStory(
                            native_id=f"story-{week}-{story}",
                            title=f"第{week + 1}周稿件{story + 1}",
                            published_at=f"{day.isoformat()}T08:00:00+08:00",
                        ),
                    )
                }
                for channel, _ in CHANNELS
            }
            made = _story_comments(rng, week, story, topics, day)
            ids = _store(db, made, story_ids)
            section_id = editions.add_section(
                db, edition, story_ids["site"][f"story-{week}-{story}"], "editor"
            )
            for comment_id in _editors_pick(made, ids):
                editions.select_quote(db, edition, section_id, comment_id, "editor")
        editions.sign_off(  # printed history: the builder's checks are not under test
            db, editions.get_edition(db, edition_date), "chief", lambda *_: []
        )
        editions.mark_printed(db, editions.get_edition(db, edition_date), "chief")
        dates.append(edition_date)
    return dates
