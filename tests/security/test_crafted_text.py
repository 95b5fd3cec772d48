"""Issue 24 item 2: crafted reader text costs scoring time linear in its length (the link
pattern was quadratic), and a comment past its time budget is flagged, not waited for."""

from __future__ import annotations

import dataclasses
import time

import pytest

from moderation import pipeline
from moderation.collectors.base import CollectedComment
from moderation.scoring import hashed_model, offensive
from moderation.scoring.flags import SCORING_TIMEOUT, SPAM_LINK, FlagChecker, FlagRules
from moderation.scoring.scorer import Scorer
from moderation.settings import ScoringSettings
from moderation.storage import comments as comment_store
from tests.helpers import write_config

# Each of these is 20,000 characters (the longest comment stored). Before the link pattern
# was bounded, the first took ~10 s in the link check alone: far past the 2 s budget.
CRAFTED = ["a。", "1-。", "x.", "http://", "a@", "微信a", "qq1", "aa-", "。ab"]


@pytest.fixture(scope="module")
def scorer(built_segmenter_cache):
    """A Scorer with snownlp's default sentiment model and the shipped offensive model."""
    from moderation.scoring import fast_sentiment

    model = fast_sentiment.load(cache_dir=str(built_segmenter_cache))
    shipped = hashed_model.load(offensive.SHIPPED_MODEL, offensive.SHIPPED_VERSION)
    return Scorer(ScoringSettings(), model.classify, "snownlp-default", shipped)


def codes(result) -> set[str]:
    return {flag["code"] for flag in result.flags}


@pytest.mark.parametrize("unit", CRAFTED)
def test_crafted_text_scores_within_the_default_budget(scorer, unit):
    text = (unit * 20_000)[:20_000]
    assert SCORING_TIMEOUT not in codes(scorer.score(text))


@pytest.mark.parametrize(
    ("text", "link"),
    [
        ("看这里a.b.c.d.e.f.g.h.example.com.cn/x?y=1领奖", "a.b.c.d.e.f.g.h.example.com.cn/x?y=1"),
        ("加我 shop。vip 有优惠", "shop。vip"),
        ("a。" * 5000 + "com", None),  # a label list, then a top-level domain: still a link
        ("a。" * 5000, None),
    ],
)
def test_the_bounded_link_pattern_still_finds_links(text, link):
    flags = [f for f in FlagChecker(FlagRules()).check(text) if f.code == SPAM_LINK]
    if link is None and not text.endswith("com"):
        assert flags == []
    elif link is None:
        assert flags and flags[0].spans[0].text.endswith("a。com")
    else:
        assert [span.text for span in flags[0].spans] == [link]


def slow_classify(text: str) -> float:
    """A sentiment model that takes longer than the whole budget."""
    time.sleep(0.05)
    return 0.6


def test_a_comment_past_its_budget_is_flagged_with_what_was_skipped():
    settings = dataclasses.replace(
        ScoringSettings(), seconds_per_comment=0.01, banned_words=["代开发票"]
    )
    shipped = hashed_model.load(offensive.SHIPPED_MODEL, offensive.SHIPPED_VERSION)
    result = Scorer(settings, slow_classify, "slow", shipped).score("代开发票 www.fapiao.com")
    by_code = {flag["code"]: flag for flag in result.flags}
    assert set(by_code) == {"banned", SCORING_TIMEOUT}  # the word lists always run
    assert by_code[SCORING_TIMEOUT]["action"] == "review"
    assert "链接" in by_code[SCORING_TIMEOUT]["reason"]
    assert "冒犯模型" in by_code[SCORING_TIMEOUT]["reason"]
    assert result.offensive is None and result.sentiment == 0.6


def test_the_scoring_pass_records_timeouts_and_scores_every_comment(tmp_path):
    from moderation.db import connect
    from moderation.settings import load_settings

    settings = load_settings(write_config(tmp_path, "[scoring]\nseconds_per_comment = 0.001\n"))
    db = connect(settings.database_path)
    texts = ["雪后路滑，大家出行注意安全" * 1500, "今天株洲的雪真美", "点赞"]
    comment_store.save_comments(
        db,
        "web",
        [
            CollectedComment(str(number), "s1", text, "2024-01-02T08:00:00+08:00", f"a{number}")
            for number, text in enumerate(texts)
        ],
        {},
    )
    assert pipeline.score_pending(db, settings) == 3
    flags = dict(db.execute("SELECT c.text, s.flag_codes FROM scores s JOIN comments c "
                            "ON c.id = s.comment_id").fetchall())  # fmt: skip
    assert SCORING_TIMEOUT in flags[texts[0]].split()
    assert db.execute("SELECT COUNT(*) FROM score_queue").fetchone()[0] == 0
    db.close()
