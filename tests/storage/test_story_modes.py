"""Story moderation modes in the scoring pass: post approves what nothing holds, closed and
emergency hold what a rule would approve, stories close by age, nights are pre."""

from __future__ import annotations

import pytest

from moderation import pipeline
from moderation.settings import load_settings
from moderation.states import APPROVED, PENDING, REJECTED
from moderation.storage import authors, decisions, rule_apply, story_modes
from moderation.storage import comments as comment_store
from moderation.timeutil import now_iso
from tests.helpers import write_config
from tests.test_scoring_pipeline import add


def story_of(db, comment_id: int) -> int:
    """The story a comment belongs to."""
    return db.execute("SELECT story_id FROM comments WHERE id = ?", [comment_id]).fetchone()[0]


def approve_earlier(db, author: str, count: int = 3) -> int:
    """`count` approved comments by `author` (no longer new); the story they are on."""
    for n in range(count):
        earlier = add(db, "web", f"old-{author}-{n}", f"以前的第{n}条评论", author=author)
        comment_store.decide(db, earlier, "approve", "mod")
    return story_of(db, earlier)


def test_post_mode_approves_what_no_rule_or_flag_holds(db, settings):
    story_modes.set_mode(db, approve_earlier(db, "a"), "post", "编辑", "读者活跃")
    plain = add(db, "web", "1", "株洲的雪景真美，大家出行注意安全")
    flagged = add(db, "web", "2", "有事打我电话13912345678")
    banned = add(db, "web", "3", "你就是个傻逼吧")
    pipeline.score_pending(db, settings)
    assert comment_store.get_status(db, plain) == APPROVED
    assert decisions.history(db, plain)[-1]["actor"] == "mode:post"
    (firing,) = rule_apply.firings_for(db, [plain])[plain]
    assert firing["words"] == "稿件模式“先发后审” → 通过"
    assert comment_store.get_status(db, flagged) == PENDING
    assert comment_store.get_status(db, banned) == REJECTED


def test_post_mode_holds_new_and_risky_authors(db, settings):
    story = approve_earlier(db, "veteran")
    story_modes.set_mode(db, story, "post", "编辑")
    for n in range(5):
        rejected = add(db, "web", f"r{n}", f"被拒的第{n}条", author="troll")
        comment_store.decide(db, rejected, "reject", "mod", "abuse")
    approve_earlier(db, "troll")  # 3 approved, 5 rejected: above half of the decided
    db.execute("UPDATE comments SET created_at = ? WHERE author_key = 'troll'", [now_iso()])
    veteran = add(db, "web", "1", "老读者说两句，支持", author="veteran")
    newcomer = add(db, "web", "2", "第一次来评论，株洲越来越好了，点赞！", author="newcomer")
    troll = add(db, "web", "3", "又来评论了，株洲越来越好了，点赞！", author="troll")
    pipeline.score_pending(db, settings)
    assert comment_store.get_status(db, veteran) == APPROVED
    assert comment_store.get_status(db, newcomer) == PENDING
    assert decisions.history(db, newcomer)[-1]["reason"] == "新用户"
    assert decisions.history(db, troll)[-1]["reason"] == "高拒绝率"
    assert rule_apply.firings_for(db, [newcomer])[newcomer][0]["words"] == (
        "稿件模式“先发后审：新用户” → 待审（新用户）"
    )


def test_closed_mode_holds_even_a_trusted_author(db, settings):
    first = add(db, "web", "0", "先来一条")
    story_modes.set_mode(db, story_of(db, first), "closed", "编辑", "评论区关闭")
    authors.set_level(db, "fan", "trusted", "mod", "老读者")
    trusted = add(db, "web", "1", "株洲的雪景真美，大家出行注意安全", author="fan")
    banned = add(db, "web", "2", "你就是个傻逼吧")
    pipeline.score_pending(db, settings)
    assert comment_store.get_status(db, trusted) == PENDING
    assert decisions.history(db, trusted)[-1]["reason"] == "已关闭评论"
    assert comment_store.get_status(db, banned) == REJECTED
    assert rule_apply.held_queues(db)["已关闭评论"] >= 1


def test_emergency_mode_approves_nothing_automatically(db, settings):
    first = add(db, "web", "0", "先来一条")
    story_modes.set_mode(db, story_of(db, first), "post", "编辑")
    story_modes.set_emergency(db, True, "admin", "敏感时期")
    authors.set_level(db, "fan", "trusted", "mod", "老读者")
    trusted = add(db, "web", "1", "株洲的雪景真美，大家出行注意安全", author="fan")
    plain = add(db, "web", "2", "今天的报道写得不错啊")
    pipeline.score_pending(db, settings)
    assert comment_store.get_status(db, trusted) == PENDING
    assert comment_store.get_status(db, plain) == PENDING
    story_modes.set_emergency(db, False, "admin", "解除")
    assert not story_modes.emergency(db)


@pytest.mark.parametrize(
    ("published", "expected"),
    [("2026-01-01T00:00:00+00:00", "closed"), ("2026-01-09T00:00:00+00:00", "post")],
)
def test_stories_close_by_age(db, published, expected):
    first = add(db, "web", "0", "评论")
    story = story_of(db, first)
    db.execute("UPDATE stories SET published_at = ? WHERE id = ?", [published, story])
    story_modes.set_mode(db, story, "post", "编辑")
    modes = story_modes.ModeSettings(close_after_days=7)
    now = "2026-01-10T00:00:00+00:00"
    assert story_modes.effective_modes(db, [story], modes, now) == {story: expected}


@pytest.mark.parametrize(
    ("utc", "expected"),
    [("2026-01-10T15:00:00+00:00", "pre"), ("2026-01-10T22:59:00+00:00", "pre"),
     ("2026-01-10T23:00:00+00:00", "post"), ("2026-01-10T13:59:00+00:00", "post")],
)  # fmt: skip
def test_night_hours_are_pre_whatever_the_story_says(db, utc, expected):
    first = add(db, "web", "0", "评论")
    story = story_of(db, first)
    story_modes.set_mode(db, story, "post", "编辑")
    modes = story_modes.ModeSettings(pre_hours="22-7")  # Beijing: 14:00-23:00 UTC
    assert story_modes.effective_modes(db, [story], modes, utc) == {story: expected}


def test_mode_settings_are_checked(tmp_path):
    from moderation.declare import SettingsError

    with pytest.raises(SettingsError, match="pre_hours"):
        load_settings(write_config(tmp_path, extra='[modes]\npre_hours = "evening"\n'))


def test_unknown_mode_is_refused(db):
    first = add(db, "web", "0", "评论")
    with pytest.raises(story_modes.ModeError):
        story_modes.set_mode(db, story_of(db, first), "open", "编辑")
