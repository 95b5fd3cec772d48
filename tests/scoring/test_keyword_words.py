"""Keywords that are words: simplified first, never pieces across words, never ids."""

import pytest

from moderation.scoring.groups import top_terms
from moderation.scoring.keywords import words_of


@pytest.fixture(scope="module")
def words(built_segmenter_cache):
    return words_of(str(built_segmenter_cache))


def test_no_pieces_cut_across_word_boundaries(words):
    texts = ["京港澳长株段今天封闭了", "京港澳高速长株段大堵车", "京港澳长株段又堵车了"]
    found = {word for text in texts for word in words(text)}
    assert not found & {"株段", "澳长", "高速长"}
    assert "堵车" in found


def test_traditional_text_is_segmented_after_simplifying(words):
    found = words("新年快樂，結婚同喜")
    assert "新年" in found and "结婚" in found
    assert not {"年快", "结同"} & set(found)


@pytest.mark.parametrize(
    "text",
    [
        "我的邮箱 xiaoyu2003@163.com，有消息告诉我",
        "下雪在家冇事做？兼职日结，加V：zz8866yy 私聊",
        "联系我 13912345678 或者 QQ 123456789",
        "详情见 www.xxxdaiban.com",
    ],
)
def test_personal_data_and_spam_ids_are_never_keywords(words, text):
    assert all(not any(c.isascii() for c in word) for word in words(text))


def test_local_names_and_everyday_words_stay(words):
    assert "神农" in words("神农湖的灯光秀好漂亮")
    assert "蚊子" in words("湿地公园夏天蚊子多得要命")


def test_story_page_report_and_draft_share_the_extraction(built_segmenter_cache, tmp_path):
    import os

    from moderation.drafting import topics
    from moderation.export.report import keywords_for
    from moderation.web.keywords import segmenter, top_keywords

    texts = ["京港澳长株段堵车了", "长株段又堵车", "堵车太严重，加V zz8866yy"] * 2
    os.environ.setdefault("MODERATION_CACHE_DIR", str(built_segmenter_cache))
    story = top_keywords(texts, segmenter(str(built_segmenter_cache)))
    report = keywords_for(tmp_path)(texts)
    expected = top_terms(texts, words_of(str(built_segmenter_cache)))
    assert story == report == expected and story[0][0] == "堵车"
    assert topics.words(texts[0]) == words_of(str(built_segmenter_cache))(texts[0])
