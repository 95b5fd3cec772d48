import random

import pytest

from moderation.scoring.duplicates import duplicate_groups, hamming, mass_posting, simhash
from moderation.scoring.groups import Topic, topic_groups

SNOW = "昨天晚上12点前我都不敢睡觉，就想等下雪。直到看见由雨夹雪变雪花，才安心上床。"
TRIP = (
    "株洲之旅真的好好玩，醴陵瓷器果然名不虚传，希望下次有机会再来株洲。另外，有一个小小的提议，"
    "瓷器批发能不能和快递公司对接一下？因为我多想买点瓷器，可是根本带不走，只能留下一丝遗憾。"
)
YOUTH = "株洲是一座年轻而又充满活力的城市，希望可以吸引更多的年轻人来认识株洲，宣传株洲，落户株洲！"
HEAT = "建宁驿站也能给大家供暖，不愧是我们大株洲的特色景点！"
PROUD = "大美株洲宛如一幅自然画卷，生活在这里，我感到无比幸福和自豪。"


def bigrams(text):
    return [text[i : i + 2] for i in range(len(text) - 1)]


def test_simhash_ignores_normalisation_differences():
    assert simhash(SNOW) == simhash(SNOW.replace("，", ",").replace("。", "") + "👍👍")
    assert simhash("发票真多") == simhash("發票真多")
    assert simhash("ＡＢＣ 株洲") == simhash("abc株洲")


def test_simhash_is_64_bit_and_stable():
    value = simhash(TRIP)
    assert 0 <= value < 2**64
    assert value == simhash(TRIP)
    assert simhash("") == 0


def test_simhash_far_apart_for_unrelated_text():
    assert hamming(simhash(SNOW), simhash(TRIP)) > 10
    assert hamming(simhash(YOUTH), simhash(HEAT)) > 10


def test_simhash_close_for_small_edit_of_long_text():
    edited = TRIP.replace("快递公司", "物流公司")
    assert hamming(simhash(TRIP), simhash(edited)) < hamming(simhash(TRIP), simhash(SNOW))


def test_hamming():
    assert hamming(0b1011, 0b0001) == 2
    assert hamming(2**64 - 1, 0) == 64


@pytest.mark.parametrize(
    "variant",
    [
        SNOW,  # exact
        SNOW + "👍",  # emoji added
        SNOW.replace("，", "！"),  # punctuation changed
        SNOW.replace("。", " "),  # punctuation dropped
        SNOW.replace("下雪", "下鱼"),  # one character changed
        SNOW.replace("安心", "安安心"),  # one character added
        SNOW.replace("不敢", "敢"),  # one character removed
        "  " + SNOW.upper() + "\u200b",  # case and zero-width
        TRIP,  # control: unrelated, stays apart
    ],
)
def test_duplicate_groups_variants(variant):
    groups = duplicate_groups([(7, SNOW), (3, variant)])
    if variant is TRIP:
        assert groups == {7: 7, 3: 3}
    else:
        assert groups == {7: 3, 3: 3}


def test_duplicate_groups_near_duplicate_by_simhash_only():
    reworded = TRIP.replace("快递公司", "物流公司").replace("小小的", "小的")
    assert duplicate_groups([(1, TRIP), (2, reworded)], max_distance=64) == {1: 1, 2: 1}
    assert duplicate_groups([(1, TRIP), (2, SNOW)], max_distance=0) == {1: 1, 2: 2}


def test_duplicate_groups_unrelated_comments_stay_apart():
    items = list(enumerate([SNOW, TRIP, YOUTH, HEAT, PROUD], start=1))
    assert duplicate_groups(items) == {1: 1, 2: 2, 3: 3, 4: 4, 5: 5}


def test_duplicate_groups_short_texts_only_exact():
    items = [(1, "点赞！"), (2, "点赞"), (3, "点赞啊"), (4, "好赞"), (5, "👍"), (6, "👍"), (7, "❤️")]
    assert duplicate_groups(items) == {1: 1, 2: 1, 3: 3, 4: 4, 5: 5, 6: 5, 7: 7}


def test_duplicate_groups_ids_are_smallest_member_and_order_free():
    items = [
        (40, SNOW),
        (12, SNOW + "！"),
        (33, TRIP),
        (5, SNOW.replace("下雪", "下鱼")),
        (9, TRIP),
    ]
    expected = {40: 5, 12: 5, 5: 5, 33: 9, 9: 9}
    assert duplicate_groups(items) == expected
    shuffled = items[:]
    random.Random(3).shuffle(shuffled)
    assert duplicate_groups(shuffled) == expected
    assert duplicate_groups(iter(items)) == expected


def test_duplicate_groups_chain_of_edits_is_one_group():
    first = "株洲的雪景真美啊大家快来看"
    second = first.replace("美", "好")
    third = second.replace("看", "玩")
    assert duplicate_groups([(1, first), (2, second), (3, third)]) == {1: 1, 2: 1, 3: 1}


def test_duplicate_groups_empty():
    assert duplicate_groups([]) == {}


def _random_comment(rng, clauses):
    return "，".join(rng.choice(clauses) for _ in range(rng.randint(1, 4)))


@pytest.mark.slow
def test_duplicate_groups_50k_items_completes():
    clauses = [c for c in (SNOW + TRIP + YOUTH + HEAT + PROUD).replace("。", "，").split("，") if c]
    rng = random.Random(11)
    chars = "株洲雪景瓷器青年人才城市幸福温暖下雨公交湿地阅读龙年春节"
    items = [
        (i, _random_comment(rng, clauses) + "".join(rng.choices(chars, k=rng.randint(0, 20))))
        for i in range(50_000)
    ]
    items.append((50_000, items[0][1] + "！"))
    groups = duplicate_groups(items)
    assert len(groups) == 50_001
    assert groups[50_000] == 0
    assert all(group <= comment_id for comment_id, group in groups.items())


def test_duplicate_groups_hostile_input():
    items = [
        (1, "\x00\ud800<script>alert(1)</script>"),
        (2, "\x00\ud800<script>alert(1)</script>"),
        (3, "垃圾" * 500_000),
        (4, "垃圾" * 500_000 + "！"),
        (5, ""),
    ]
    groups = duplicate_groups(items)
    assert groups[2] == 1
    assert groups[4] == 3
    assert groups[5] == 5


def test_mass_posting_needs_distinct_authors():
    items = [
        (1, "alice", "兼职日结，详情私聊我哦"),
        (2, "bob", "兼职日结,详情私聊我哦！"),
        (3, "carol", "兼職日結 詳情私聊我哦"),
        (4, "dave", SNOW),
        (5, "dave", "点赞点赞点赞"),
        (6, "dave", "点赞点赞点赞"),
        (7, "dave", "点赞点赞点赞"),
        (8, "erin", "点赞"),
        (9, "frank", "点赞"),
        (10, "grace", "点赞"),
    ]
    assert mass_posting(items) == {1, 2, 3}
    assert mass_posting(items, min_authors=4) == set()
    assert mass_posting(items, min_authors=1, min_chars=2) == set(range(1, 11))


def test_topic_groups_by_keyword():
    items = [
        (1, "下雪了，雪景真美"),
        (2, "雪景太漂亮，终于下雪"),
        (3, "今年的雪景拍照好看"),
        (4, "醴陵瓷器名不虚传"),
        (5, "瓷器很精美，想买瓷器"),
        (6, "瓷器批发能否快递"),
        (7, "公交结婚好浪漫"),
    ]
    topics = topic_groups(items, bigrams)
    assert [topic.member_ids for topic in topics] == [(4, 5, 6), (1, 2, 3), (7,)]
    assert topics[0].keywords[0] == "瓷器"
    assert topics[1].keywords[0] == "雪景"
    assert topics[2] == Topic((), (7,))


def test_topic_groups_is_deterministic_and_limited():
    items = [(i, f"话题{i % 9}的讨论和话题{i % 9}的看法") for i in range(90)]
    topics = topic_groups(items, bigrams, max_topics=3)
    assert topics == topic_groups(list(reversed(items)), bigrams, max_topics=3)
    assert len([topic for topic in topics if topic.keywords]) == 3
    members = sorted(i for topic in topics for i in topic.member_ids)
    assert members == list(range(90))


def test_topic_groups_drops_stop_words_and_punctuation():
    items = [(1, "我们，我们！"), (2, "我们……我们"), (3, "？？？")]
    assert topic_groups(items, bigrams) == [Topic((), (1, 2, 3))]


def test_topic_groups_empty():
    assert topic_groups([], bigrams) == []


def test_topic_groups_with_snownlp_segmenter():
    snownlp = pytest.importorskip("snownlp")
    items = [
        (1, "终于下雪了，雪景真美"),
        (2, "雪景太漂亮了，拍了好多照片"),
        (3, "醴陵瓷器果然名不虚传"),
        (4, "瓷器批发能不能和快递公司对接"),
    ]
    topics = topic_groups(items, lambda text: snownlp.SnowNLP(text).words)
    by_keyword = {topic.keywords[0]: topic.member_ids for topic in topics if topic.keywords}
    assert by_keyword == {"雪景": (1, 2), "瓷器": (3, 4)}


def test_mass_posting_and_topics_hostile_input():
    hostile = ["\x00\ud800<script>alert(1)</script>", "\udfff" * 10, "垃圾" * 500_000, ""]
    items = [(i, f"author{i % 3}", text) for i, text in enumerate(hostile * 3)]
    assert mass_posting(items) == {0, 4, 8, 2, 6, 10}  # script text and the flood
    topics = topic_groups([(i, text) for i, _, text in items], bigrams)
    assert sorted(i for topic in topics for i in topic.member_ids) == list(range(12))
