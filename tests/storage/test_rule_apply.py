"""Rules applied in the scoring pass: every action as stored, the default set, undo, the dry
run against the same comments decided for real, author levels and their expiry."""

from __future__ import annotations

import shutil

import pytest

from moderation import pipeline
from moderation.db import connect
from moderation.rules.model import Rule, RuleError
from moderation.states import APPROVED, PENDING, REJECTED
from moderation.storage import authors, decisions, rule_apply
from moderation.storage import comments as comment_store
from moderation.storage import queue as queue_store
from moderation.storage import rules as rule_store
from tests.test_scoring_pipeline import add

THRESHOLDS = authors.HistoryThresholds()


def last(db, comment_id: int) -> dict:
    """The latest decision on a comment."""
    return decisions.history(db, comment_id)[-1]


def test_default_rules_are_seeded_in_order(db):
    names = [rule.name for rule in rule_store.list_rules(db)]
    assert names == ["禁用词", "禁言作者", "观察作者", "信任作者且无标记"]


def test_banned_word_rejected_by_rule_one_with_the_words(db, settings):
    comment_id = add(db, "web", "1", "你就是个傻逼吧")
    pipeline.score_pending(db, settings)
    decision = last(db, comment_id)
    assert (decision["actor"], decision["to_state"]) == ("rule:1", REJECTED)
    assert decision["reason"] == "banned:傻逼"
    (firing,) = rule_apply.firings_for(db, [comment_id])[comment_id]
    assert firing["words"] == "规则 1：禁用词 → 拒绝（banned）"


def test_approve_action(db, settings):
    rule_id = rule_store.add_rule(db, Rule("长评通过", "approve", {"length_above": 10}), "admin")
    long_one = add(db, "web", "1", "这是一条足够长的、讲道理的读者评论内容")
    short_one = add(db, "web", "2", "说得对")
    pipeline.score_pending(db, settings)
    assert comment_store.get_status(db, long_one) == APPROVED
    assert last(db, long_one)["actor"] == f"rule:{rule_id}"
    assert comment_store.get_status(db, short_one) == PENDING


def test_reject_action_gives_its_reason(db, settings):
    rule_store.add_rule(
        db, Rule("微博负面", "reject", {"channels": ["weibo"], "sentiment_below": 0.3},
                 reason="abuse"), "admin"
    )  # fmt: skip
    angry = add(db, "weibo", "1", "太差劲了，恶心，垃圾，气死人了，什么破玩意")
    pipeline.score_pending(db, settings)
    assert comment_store.get_status(db, angry) == REJECTED
    assert last(db, angry)["reason"] == "abuse"


def test_hold_action_puts_the_comment_in_a_named_queue(db, settings):
    rule_id = rule_store.add_rule(
        db, Rule("含链接", "hold", {"has_link": True}, queue="链接"), "admin", position=1
    )
    linked = add(db, "web", "1", "详情见 www.example.com 吧")
    pipeline.score_pending(db, settings)
    assert comment_store.get_status(db, linked) == PENDING
    decision = last(db, linked)
    assert (decision["actor"], decision["action"], decision["reason"]) == (
        f"rule:{rule_id}", "hold", "链接",
    )  # fmt: skip
    assert rule_apply.held_queues(db) == {"链接": 1}
    pipeline.rescore(db, settings)  # scored again: held once, not twice
    assert len([d for d in decisions.history(db, linked) if d["action"] == "hold"]) == 1
    assert len(rule_apply.firings_for(db, [linked])[linked]) == 1


def test_flag_editor_action_shows_in_the_editor_queue(db, settings):
    rule_store.add_rule(db, Rule("积极评论", "flag_editor", {"sentiment_above": 0.6},
                                 why="可选入专栏"), "admin")  # fmt: skip
    praise = add(db, "web", "1", "感谢环卫工人，雪夜坚守太辛苦了，为你们点赞，真好！")
    pipeline.score_pending(db, settings)
    rows, _ = queue_store.list_queue(db, queue_store.QueueFilter(queue="editor"))
    assert [row["id"] for row in rows] == [praise]


def test_set_level_action_mutes_and_later_rules_see_it(db, settings):
    rule_store.add_rule(
        db,
        Rule("广告者禁言", "set_level", {"flags": ["spam_solicit"]}, level="muted"),
        "admin",
        position=1,
    )
    spam = add(db, "web", "1", "兼职日结，加微信详聊", author="spammer")
    pipeline.score_pending(db, settings)
    assert authors.explicit_levels(db, ["spammer"]) == {"spammer": "muted"}
    assert last(db, spam)["actor"] == "rule:2" and last(db, spam)["reason"] == "muted"
    change = authors.level_changes(db, "spammer")[0]
    assert change["actor"] == "rule:5" and change["to_level"] == "muted"


def test_trusted_author_is_approved_unless_a_flag_fires(db, settings):
    authors.set_level(db, "regular", "trusted", "mod", "多年老读者")
    plain = add(db, "web", "1", "株洲的雪景真美，大家出行注意安全", author="regular")
    flagged = add(db, "web", "2", "有事打我电话13912345678", author="regular")
    pipeline.score_pending(db, settings)
    assert comment_store.get_status(db, plain) == APPROVED
    assert last(db, plain)["actor"] == "rule:4"
    assert comment_store.get_status(db, flagged) == PENDING
    assert decisions.history(db, flagged) == []


def test_watched_author_is_held_in_its_queue_and_muted_rejected(db, settings):
    authors.set_level(db, "w", "watch", "mod", "多次争吵")
    authors.set_level(db, "m", "muted", "mod", "辱骂他人")
    watched = add(db, "web", "1", "今天的报道写得不错", author="w")
    muted = add(db, "web", "2", "今天的报道写得不错啊", author="m")
    pipeline.score_pending(db, settings)
    assert rule_apply.held_queues(db) == {"观察": 1} and last(db, watched)["action"] == "hold"
    assert comment_store.get_status(db, muted) == REJECTED and last(db, muted)["reason"] == "muted"


def test_new_authors_held_until_enough_approvals(db, settings):
    rule_store.add_rule(db, Rule("新用户", "hold", {"author_levels": ["new"]}, queue="新用户"), "a")
    first = add(db, "web", "1", "第一次来评论，支持株洲日报", author="fresh")
    pipeline.score_pending(db, settings)
    assert last(db, first)["reason"] == "新用户"
    for n in range(3):
        earlier = add(db, "web", f"old{n}", f"以前的评论第{n}条，内容不同", author="veteran")
        comment_store.decide(db, earlier, "approve", "mod")
    later = add(db, "web", "9", "老读者又来评论了，支持", author="veteran")
    pipeline.score_pending(db, settings)
    assert all(d["action"] != "hold" for d in decisions.history(db, later))


def test_undoing_a_rule_decision_stands_on_rescoring(db, settings):
    comment_id = add(db, "web", "1", "你就是个傻逼吧")
    pipeline.score_pending(db, settings)
    comment_store.decide(db, comment_id, "reopen", "mod")
    pipeline.rescore(db, settings)
    assert comment_store.get_status(db, comment_id) == PENDING
    assert [d["actor"] for d in decisions.history(db, comment_id)] == ["rule:1", "mod"]


def test_level_expires_when_lifted_after_its_time(db):
    authors.set_level(db, "a", "muted", "mod", "刷屏", expires_at="2026-01-01T00:00:00+00:00")
    authors.set_level(db, "b", "muted", "mod", "刷屏", expires_at="2099-01-01T00:00:00+00:00")
    assert authors.explicit_levels(db, ["a", "b"]) == {"b": "muted"}  # not in force any more
    assert authors.lift_expired(db, now="2025-12-31T23:59:59+00:00") == 0
    assert authors.lift_expired(db, now="2026-01-01T00:00:00+00:00") == 1
    assert authors.explicit_levels(db, ["a", "b"], include_expired=True) == {"b": "muted"}
    change = authors.level_changes(db, "a")[0]
    assert (change["from_level"], change["to_level"], change["actor"]) == (
        "muted",
        None,
        "scheduler",
    )


def test_set_level_needs_a_reason_and_a_known_level(db):
    with pytest.raises(authors.AuthorLevelError):
        authors.set_level(db, "a", "muted", "mod", "  ")
    with pytest.raises(authors.AuthorLevelError):
        authors.set_level(db, "a", "king", "mod", "why")


TEXTS = [
    "你就是个傻逼吧", "详情见 www.example.com 吧", "株洲的雪景真美，大家出行注意安全",
    "太差劲了，恶心，气死人了", "好", "兼职日结，加微信详聊", "感谢环卫工人，辛苦了",
]  # fmt: skip
CANDIDATE = Rule("短评或链接", "hold", {"length_below": 8}, queue="短评")


def _fill(db) -> None:
    for n in range(42):
        add(db, ("web", "weibo")[n % 2], str(n), f"{TEXTS[n % len(TEXTS)]}{'！' * (n // 7)}",
            author=f"a{n % 5}")  # fmt: skip


def test_dry_run_counts_match_the_same_comments_decided_for_real(settings, tmp_path):
    before = connect(settings.database_path)
    _fill(before)
    before.close()
    shutil.copy(settings.database_path, tmp_path / "copy.db")
    dry = connect(settings.database_path)
    pipeline.score_pending(dry, settings)  # decided by the default rules only
    report = rule_apply.dry_run(dry, CANDIDATE, 1000, THRESHOLDS)
    real = connect(tmp_path / "copy.db")
    rule_id = rule_store.add_rule(real, CANDIDATE, "admin")
    pipeline.score_pending(real, settings)
    held = real.execute(
        "SELECT COUNT(DISTINCT comment_id) FROM decisions WHERE actor = ?", [f"rule:{rule_id}"]
    ).fetchone()[0]
    assert report["checked"] == 42 and 0 < report["candidate"] < 42
    assert report["candidate"] == held
    assert (
        report["by_rule"]["禁用词"]
        == real.execute("SELECT COUNT(*) FROM decisions WHERE actor = 'rule:1'").fetchone()[0]
    )
    assert len(report["examples"]) == 5 and all(len(e["text"]) < 8 for e in report["examples"])
    assert rule_store.list_rules(dry)[-1].name == "信任作者且无标记"  # nothing saved


def test_rules_are_moved_disabled_deleted_and_imported(db):
    rule_id = rule_store.add_rule(db, CANDIDATE, "admin", position=2)
    assert [r.id for r in rule_store.list_rules(db)] == [1, rule_id, 2, 3, 4]
    rule_store.move_rule(db, rule_id, -1)
    assert [r.id for r in rule_store.list_rules(db)][:2] == [rule_id, 1]
    rule_store.set_enabled(db, rule_id, False)
    assert not rule_store.get_rule(db, rule_id).enabled
    assert rule_store.delete_rule(db, rule_id)
    assert [r.position for r in rule_store.list_rules(db)] == [1, 2, 3, 4]
    with pytest.raises(RuleError):
        rule_store.replace_rules(db, [CANDIDATE, Rule("bad", "reject")], "admin")
    assert len(rule_store.list_rules(db)) == 4  # all or nothing
    assert rule_store.replace_rules(db, [CANDIDATE], "admin") == 1
    assert [r.name for r in rule_store.list_rules(db)] == ["短评或链接"]


def test_story_age_and_beijing_hour_come_from_the_stored_comment(db, settings):
    late = rule_store.add_rule(
        db, Rule("旧稿夜评", "hold", {"story_age_days_above": 3, "hours": "22-7"}, queue="旧稿"),
        "admin",
    )  # fmt: skip
    night = add(db, "web", "1", "半夜来看旧新闻")  # 2024-01-22 10:00 UTC = 18:00 Beijing
    db.execute("UPDATE stories SET published_at = '2024-01-01T00:00:00+00:00'")
    db.execute("UPDATE comments SET created_at = '2024-01-22T15:30:00+00:00' WHERE id = ?", [night])
    day = add(db, "web", "2", "白天来看旧新闻")
    pipeline.score_pending(db, settings)
    assert last(db, night)["actor"] == f"rule:{late}"  # 23:30 Beijing, story 21 days old
    assert decisions.history(db, day) == []  # 18:00 Beijing
