"""A story's topic groups come from words a reader recognises."""

from moderation.drafting.topics import topics_of, words

SNOW = [
    "河西这边雪下得好大，早上起来车顶上一层白",
    "神农公园的雪景绝了，拍了一早上",
    "湘江风光带一片白，雪景像水墨画一样",
    "红港路那个坡结冰了，两台车溜下来",
    "株洲大桥引桥上全是冰，年年结冰年年讲",
    "好",
]


def test_words_drop_stop_words_single_characters_and_numbers():
    found = words("昨天晚上12点前我都不敢睡觉，就想等下雪")
    assert "下雪" in found and "睡觉" in found
    assert not {"我", "都", "12", "昨天"} & set(found)


def test_topics_group_comments_by_a_shared_word():
    topics = topics_of([{"id": n, "text": text} for n, text in enumerate(SNOW)])
    assert topics[1] == topics[2] == ("雪景", "雪景")
    assert topics[3] == topics[4] == ("结冰", "结冰")
    assert 5 not in topics  # shares no word: no topic
