"""Each scoring term of the desk's draft, on its own."""

import pytest

from moderation.drafting import terms

SNOW = "昨天晚上12点前我都不敢睡觉，就想等下雪。直到看见由雨夹雪变雪花，才安心上床。"
LONG = (
    "早上六点多出门，看到环卫工人已经在株洲大道上一锹一锹地铲冰，手套都湿透了。"
    "我们在朋友圈晒雪景、拍美照的时候，其实有很多人在寒风里忙了一整夜：电力抢修的、开公交的、"
    "在路口指挥交通的、驿站里烧热水的。建议大家出门前看看天气和路况，能不开车就不开车。"
)


def comment(**fields):
    """A candidate with harmless defaults."""
    return {"id": 1, "author_key": "a", "dup_group": None, "likes": 0, **fields}


@pytest.mark.parametrize(
    "text, expected",
    [("太好了", 0.0), ("a" * 20, 0.5), ("a" * 30, 0.75), ("a" * 40, 1.0), ("a" * 120, 1.0)],
)
def test_printable_length_rewards_column_length(text, expected):
    assert terms.printable_length(text) == pytest.approx(expected)


def test_printable_length_offers_long_ones_with_a_trim():
    assert terms.printable_length(LONG) == 0.8
    assert terms.printable_length("好" * 150) == 0.0  # no sentence end to cut at


def test_propose_trim_cuts_after_a_sentence_and_keeps_short_ones():
    plain = LONG.replace("建议大家", "大家记得")  # no suggestion: cut from the start
    trim = terms.propose_trim(plain)
    assert plain.startswith(trim) and trim.endswith("。")
    assert terms.PRINTABLE_MIN <= len(trim) <= terms.PRINTABLE_MAX
    assert terms.propose_trim(SNOW) is None


def test_propose_trim_keeps_the_sentence_that_carries_a_suggestion():
    """The report's trim cut "建议…" off at 100 characters; the trim now keeps it, as a run of
    whole consecutive sentences."""
    trim = terms.propose_trim(LONG)
    assert trim.endswith("建议大家出门前看看天气和路况，能不开车就不开车。")
    assert trim in LONG and len(trim) <= terms.PRINTABLE_MAX
    assert terms.sentences(LONG)[1] in trim  # as much as fits before it


@pytest.mark.parametrize(
    "sentence, constructive",
    [("建议增加公交班次。", True), ("希望下次有机会再来株洲。", True),
     ("瓷器批发能不能和快递公司对接一下？", True), ("雪景太美了！", False),
     ("昨天晚上12点前我都不敢睡觉。", False)],
)  # fmt: skip
def test_is_constructive(sentence, constructive):
    assert terms.is_constructive(sentence) is constructive


def test_propose_trim_keeps_a_closing_quote_with_its_sentence():
    text = "他说“株洲欢迎你！”" + "这是一句很长的后话" * 20
    assert terms.propose_trim(text, limit=40, minimum=5) == "他说“株洲欢迎你！”"


@pytest.mark.parametrize(
    "codes, text, clean",
    [
        ("", SNOW, True),
        ("negative", SNOW, True),  # a low sentiment is a viewpoint
        ("suspect", SNOW, False),
        ("mass_posting", SNOW, False),
        ("low_information negative", SNOW, False),
        ("", "车主看到快联系我 13912345678", False),  # personal data even when not flagged
    ],
)
def test_is_clean_keeps_out_flags_and_personal_data(codes, text, clean):
    assert terms.is_clean(codes, text) is clean


def test_never_printed():
    assert terms.never_printed([])
    assert not terms.never_printed(["2024-01-19"])


@pytest.mark.parametrize("text", ["@理性路人 我就是前几年回来的", "＠某人 对", "回复张三：好"])
def test_replies_do_not_stand_alone(text):
    assert not terms.stands_alone(text)
    assert terms.stands_alone(SNOW)


def test_likes_value_is_log_scaled_against_the_story_best():
    assert terms.likes_value(0, 100) == 0
    assert terms.likes_value(100, 100) == 1
    assert 0.5 < terms.likes_value(10, 100) < 0.6  # log scale: 10 of 100 is half way
    assert terms.likes_value(5, 0) == 0


@pytest.mark.parametrize(
    "text", ["太好了", "点赞！！", "加油株洲👍", "666", "好美好美", "辛苦了，致敬！"]
)
def test_stock_praise_is_generic(text):
    assert terms.is_generic(text)
    assert terms.specificity(text) == 0


def test_specific_beats_generic():
    detailed = "红港路那个坡结冰了，早上亲眼看到两台车溜下来，环卫工人还冒来撒盐。"
    vague = "这次活动办得真是不错，希望以后能够多多举办。"
    assert terms.specificity(detailed) == 1.0
    assert terms.specificity(detailed) > terms.specificity(vague)
    assert {"两台", "环卫"} <= terms.details(detailed)


def test_conflicts_on_same_author_or_duplicate_group():
    chosen = [comment(id=1, author_key="a", dup_group=7)]
    assert terms.conflicts(comment(id=2, author_key="a", dup_group=8), chosen)
    assert terms.conflicts(comment(id=2, author_key="b", dup_group=7), chosen)
    assert not terms.conflicts(comment(id=2, author_key="b", dup_group=8), chosen)
    assert not terms.conflicts(comment(id=2, author_key="b", dup_group=None), [comment()])


@pytest.mark.parametrize("key", ["channel_label", "topic", "sentiment"])
def test_adds_new_rewards_spread(key):
    chosen = [{key: "x"}]
    assert terms.adds_new(key, {key: "y"}, chosen) == 1.0
    assert terms.adds_new(key, {key: "x"}, chosen) == 0.0
    assert terms.adds_new(key, {key: None}, []) == 0.0  # no topic is no new topic


def test_channel_of_prefers_the_label_readers_saw():
    assert terms.channel_of({"origin": "掌上株洲", "channel": "demo"}) == "掌上株洲"
    assert terms.channel_of({"origin": None, "channel": "zzrb-wechat"}) == "zzrb-wechat"


def test_reason_line_says_why_in_one_line():
    line = terms.reason_line(
        {"likes": 45, "topic_label": "供暖", "channel_label": "掌上株洲", "specific": 1.0}
    )
    assert line == "点赞 45 · 话题「供暖」 · 掌上株洲 · 具体"
    trimmed = terms.reason_line(
        {"likes": 0, "channel_label": "x", "sentiment": "negative", "trim": "好" * 30}
    )
    assert trimmed == "点赞 0 · x · 偏负面 · 建议节选至 30 字"
