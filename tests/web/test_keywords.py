"""Story keywords and topic labels are words (the exact snownlp segmenter), not character pairs."""

from collections import defaultdict

import pytest

from moderation.collectors.demo import load_sample
from moderation.scoring.groups import STOP_WORDS
from moderation.web.keywords import segmenter, top_keywords, topic_groups

# Character pairs the old bigram keywords showed on the demo stories, cut across words.
CROSS_WORD_PAIRS = {"造名", "洲欢", "迎你", "年才", "地的", "有冇", "雪了", "的雪"}


@pytest.fixture(scope="module")
def segment(built_segmenter_cache):
    """The project's exact snownlp segmenter."""
    return segmenter(str(built_segmenter_cache))


@pytest.fixture(scope="module")
def demo_stories():
    """{title: [comment texts]} of the demo channel."""
    sample = load_sample()
    texts = defaultdict(list)
    for comment in sample["comments"]:
        texts[comment["story"]].append(comment["text"])
    return {story["title"]: texts[story["id"]] for story in sample["stories"]}


@pytest.mark.parametrize(
    ("title_part", "expected"),
    [
        ("下雪啦", {"下雪", "雪景", "致敬"}),
        ("人才", {"人才", "青年", "欢迎"}),
        ("公交结婚", {"公交", "结婚"}),
    ],
)
def test_demo_story_keywords_are_real_words(segment, demo_stories, title_part, expected):
    (texts,) = [texts for title, texts in demo_stories.items() if title_part in title]
    words = [word for word, _ in top_keywords(texts, segment)]
    assert expected <= set(words), words
    assert not CROSS_WORD_PAIRS & set(words)


def test_every_keyword_is_a_segmented_content_word(segment, demo_stories):
    for texts in demo_stories.values():
        cut = {word for text in texts for word in segment(text)}
        for word, _ in top_keywords(texts, segment):
            assert word in cut and len(word) >= 2 and word not in STOP_WORDS


def test_topic_labels_are_words(segment, demo_stories):
    (texts,) = [texts for title, texts in demo_stories.items() if "人才" in title]
    topics = topic_groups([{"id": i, "text": text} for i, text in enumerate(texts)], segment)
    labels = {word for topic in topics for word in topic["keywords"]}
    assert "人才" in labels and not CROSS_WORD_PAIRS & labels
    assert sorted(i for topic in topics for i in topic["ids"]) == sorted(
        set(i for topic in topics for i in topic["ids"])
    )


def test_keywords_need_two_comments_and_skip_stop_words(segment):
    texts = ["环卫工人辛苦了", "致敬环卫工人", "下雪了路滑", "我们都好，我们"]
    words = [word for word, _ in top_keywords(texts, segment)]
    assert "环卫" in words or "工人" in words
    assert "我们" not in words and "路滑" not in words
