"""Scenario: 200 comments (the demo channel and synthetic authors) through the default rules
plus three rules an admin adds; each comment ends where an independent reading of the rules
says, every automatic decision names its rule, and a rule's decision is undone like a
person's."""

from __future__ import annotations

import json

from moderation import pipeline
from moderation.rules.model import Rule
from moderation.states import APPROVED, PENDING, REJECTED
from moderation.storage import authors, decisions, rule_apply
from moderation.storage import comments as comment_store
from moderation.storage import rules as rule_store
from tests.test_scoring_pipeline import add

SYNTHETIC = [  # (author, text)
    ("trusted-reader", "株洲的雪景真美，大家出行注意安全"),
    ("trusted-reader", "有事可以打我电话13912345678"),
    ("trusted-reader", "官网 www.zzrb.cn 上有全文"),
    ("watched", "这篇报道我有不同看法，值得商榷"),
    ("muted", "我又来了，今天的新闻不错"),
    ("spammer", "兼职日结 www.hao123.top 加微信"),
    ("spammer", "详情请看 http://t.cn/abc 哦"),
    ("angry", "你就是个傻逼吧"),
    ("short", "顶"),
    ("short", "赞赞"),
    ("short", "好文章"),
]
LEVELS = {"trusted-reader": "trusted", "watched": "watch", "muted": "muted"}
ADDED = [  # the admin's three rules, with the positions they are saved at
    (Rule("含链接", "hold", {"has_link": True}, queue="链接"), 2),
    (
        Rule("极负面", "reject", {"sentiment_below": 0.05, "channels": ["demo"]}, reason="abuse"),
        None,
    ),
    (Rule("短评", "hold", {"length_below": 6}, queue="短评"), None),
]


def expected(row: dict) -> tuple[str, str | None]:
    """(state, rule name) as the rules read in order say, written out by hand."""
    flags = json.loads(row["flags"])
    level = LEVELS.get(row["author_key"])
    if any(flag["action"] == "reject" for flag in flags):
        return REJECTED, "禁用词"
    if any(flag["code"] == "spam_link" for flag in flags):
        return PENDING, "含链接"
    if level == "muted":
        return REJECTED, "禁言作者"
    if level == "watch":
        return PENDING, "观察作者"
    if level == "trusted" and not flags:
        return APPROVED, "信任作者且无标记"
    if row["sentiment"] < 0.05 and row["channel"] == "demo":
        return REJECTED, "极负面"
    if len(row["text"]) < 6:
        return PENDING, "短评"
    return PENDING, None


def test_two_hundred_comments_end_where_the_rules_say(db, settings, client, auth):
    for author, level in LEVELS.items():
        authors.set_level(db, author, level, "主编", "场景测试")
    ids = {}
    for rule, position in ADDED:
        ids[rule.name] = rule_store.add_rule(db, rule, "admin", position)
    ids.update({r.name: r.id for r in rule_store.list_rules(db)})
    pipeline.collect_channel(db, settings, settings.channel("demo"))
    for n, (author, text) in enumerate(SYNTHETIC):
        add(db, "web", f"s{n}", text, author=author)
    pipeline.score_pending(db, settings)
    rows = list(
        db.query(
            "SELECT c.id, c.channel, c.text, c.author_key, c.status, s.sentiment, s.flags "
            "FROM comments c JOIN scores s ON s.comment_id = c.id ORDER BY c.id"
        )
    )
    assert len(rows) == 200
    firings = rule_apply.firings_for(db, [row["id"] for row in rows])
    seen = set()
    for row in rows:
        state, rule_name = expected(row)
        history = decisions.history(db, row["id"])
        assert row["status"] == state, (row["text"], rule_name)
        if rule_name is None:
            assert history == [] and row["id"] not in firings
            continue
        seen.add(rule_name)
        assert [d["actor"] for d in history] == [f"rule:{ids[rule_name]}"]
        (firing,) = firings[row["id"]]
        assert firing["words"].startswith(f"规则 {ids[rule_name]}：{rule_name} → ")
    assert seen == {
        "禁用词",
        "含链接",
        "禁言作者",
        "观察作者",
        "信任作者且无标记",
        "极负面",
        "短评",
    }

    # Undo a rule's rejection from the dashboard, exactly as a person's would be undone.
    by_rule = next(r["id"] for r in rows if expected(r)[1] == "禁言作者")
    by_person = next(r["id"] for r in rows if expected(r)[1] is None)
    auth.login("moderator", "王编辑")
    client.post(f"/comments/{by_person}/reject", data={"force": "1", "reason": "off_topic"})
    for comment_id in (by_rule, by_person):
        assert client.post(f"/comments/{comment_id}/reopen", data={"force": "1"}).status_code == 302
        assert comment_store.get_status(db, comment_id) == PENDING
        undo = decisions.history(db, comment_id)[-1]
        assert (undo["actor"], undo["action"], undo["to_state"]) == ("王编辑", "reopen", PENDING)
    pipeline.rescore(db, settings)  # scored again: the person's undo stands
    assert comment_store.get_status(db, by_rule) == PENDING
