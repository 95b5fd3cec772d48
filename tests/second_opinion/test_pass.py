"""Second opinions in the scoring pass: who is asked, the digest cache (a campaign of
1,000 copies costs one call), budgets, failures that leave the desk's own decision, rules
that act on the answer, masking, and nothing sent when nothing is configured."""

from __future__ import annotations

import json

import pytest

from moderation import pipeline
from moderation.collectors.base import CollectedComment, CollectedStory
from moderation.db import connect
from moderation.rules.model import Rule
from moderation.settings import load_settings
from moderation.states import PENDING, REJECTED
from moderation.storage import comments as comment_store
from moderation.storage import rules as rule_store
from moderation.storage import second_opinions as store
from moderation.storage import stories
from tests.helpers import write_config
from tests.second_opinion.standins import Guard, Yidun, serving

CAMPAIGN = "株洲这家店服务太差了大家千万别去，老板就是个骗子"


@pytest.fixture(autouse=True)
def secrets(monkeypatch):
    monkeypatch.setenv("SO_KEY_ID", "test-id")
    monkeypatch.setenv("SO_KEY_SECRET", "test-secret")


def configured(tmp_path, providers: str, every: list[str] | None = None):
    """Settings and a database with channel web (asking `every` about each comment)."""
    channel = '[[channels]]\nname = "web"\ntype = "demo"\nlabel = "株洲新闻网"\n'
    if every is not None:
        channel += f"second_opinion = {json.dumps(every)}\n"
    settings = load_settings(write_config(tmp_path, providers, channels=channel))
    return settings, connect(settings.database_path)


def guard_provider(url: str, **keys) -> str:
    """A [[second_opinion.providers]] table for a guard model at `url`."""
    extra = "".join(f"{key} = {json.dumps(value)}\n" for key, value in keys.items())
    return (
        f'\n[[second_opinion.providers]]\nname = "guard"\ntype = "guard"\nlabel = "本地守卫"\n'
        f'url = "{url}"\nmodel = "qwen3guard-gen-0.6b"\n{extra}'
    )


def add_many(db, texts: list[str], prefix: str = "c") -> list[int]:
    """Store comments on one story, one author each; return their ids."""
    story = stories.upsert_story(db, "web", CollectedStory(native_id="s", title="消费维权"))
    comment_store.save_comments(
        db,
        "web",
        [
            CollectedComment(
                native_id=f"{prefix}{n}",
                story_native_id="s",
                text=text,
                created_at="2026-12-01T02:00:00+00:00",
                author_key=f"{prefix}-author-{n}",
            )
            for n, text in enumerate(texts)
        ],
        {"s": story},
    )
    return [row[0] for row in db.execute("SELECT id FROM comments ORDER BY id")]


def test_a_campaign_of_a_thousand_copies_costs_one_call(tmp_path):
    with serving(Guard()) as guard:
        settings, db = configured(tmp_path, guard_provider(guard.url), every=["guard"])
        copies = [CAMPAIGN + " " * (n % 3) for n in range(1000)]  # spacing differs
        add_many(db, copies)
        pipeline.score_pending(db, settings, batch_size=300)
        add_many(db, [CAMPAIGN] * 5, prefix="late")  # a later batch: the cache answers
        pipeline.score_pending(db, settings)
    assert len(guard.seen) == 1
    assert store.call_figures(db)["guard"]["calls"] == 1
    linked = db.execute("SELECT COUNT(*), SUM(cached) FROM comment_opinions").fetchone()
    assert tuple(linked) == (1005, 705)  # the first batch of 300 shares the one call
    flags = [json.loads(row[0]) for row in db.execute("SELECT flags FROM scores")]
    assert all(any(f["code"] == "second_opinion" for f in flag) for flag in flags)


def test_rule_asks_only_where_the_desk_is_unsure_and_acts_on_block(tmp_path, monkeypatch):
    with serving(Guard()) as guard:
        settings, db = configured(tmp_path, guard_provider(guard.url))
        rule_store.add_rule(
            db, Rule("可疑词问第二意见", "ask_second_opinion", {"flags": ["suspect"]}), "admin", 1
        )
        rule_store.add_rule(
            db,
            Rule("第二意见拒绝", "reject", {"second_opinion": "block"}, reason="abuse"),
            "admin",
            2,
        )
        unsure, plain = add_many(db, ["这个骗子又来骗钱了吧", "今天株洲下雪了，路上注意安全"])
        pipeline.score_pending(db, settings)
    assert [seen["body"]["messages"][0]["content"] for seen in guard.seen] == [
        "这个骗子又来骗钱了吧"
    ]
    rows = {row["id"]: row for row in db.query("SELECT id, status FROM comments")}
    assert rows[unsure]["status"] == REJECTED and rows[plain]["status"] == PENDING
    decision = next(db.query("SELECT actor, reason FROM decisions WHERE comment_id = ?", [unsure]))
    assert decision["actor"].startswith("rule:") and decision["reason"] == "abuse"
    (opinion,) = store.for_comments(db, [unsure])[unsure]
    assert opinion["level"] == "block" and opinion["provider_labels"] == [
        "Politically Sensitive Topics"
    ]
    firings = [r["outcome"] for r in db.query("SELECT outcome FROM rule_firings ORDER BY id")]
    assert firings == ["征求第二意见", "拒绝（abuse）"]


def test_review_answer_marks_the_comment_for_the_flagged_queue(tmp_path):
    with serving(Guard()) as guard:
        guard.verdict = "review"
        settings, db = configured(tmp_path, guard_provider(guard.url), every=["guard"])
        (comment_id,) = add_many(db, ["这篇报道有点偏颇，建议核实一下"])
        pipeline.score_pending(db, settings)
    flags = json.loads(db.execute("SELECT flags FROM scores").fetchone()[0])
    (flag,) = [f for f in flags if f["code"] == "second_opinion"]
    assert flag["action"] == "review" and "本地守卫" in flag["reason"]
    status = db.execute("SELECT status FROM comments WHERE id = ?", [comment_id]).fetchone()[0]
    assert status == PENDING


def test_a_timeout_leaves_the_desks_own_decision_and_is_recorded(tmp_path):
    with serving(Guard()) as guard:
        guard.mode, guard.delay = "slow", 3.0
        settings, db = configured(
            tmp_path, guard_provider(guard.url, timeout_seconds=0.3), every=["guard"]
        )
        rule_store.add_rule(
            db, Rule("第二意见拒绝", "reject", {"second_opinion": "block"}, reason="abuse"), "a", 1
        )
        banned, plain = add_many(db, ["你就是个傻逼", "公交线路调整很方便"])
        pipeline.score_pending(db, settings)
        answered_meanwhile = guard.finished.is_set()
    assert not answered_meanwhile
    status = dict(db.execute("SELECT id, status FROM comments").fetchall())
    assert status == {banned: REJECTED, plain: PENDING}  # the banned word's rule still acts
    calls = list(db.query("SELECT status, error FROM opinion_calls"))
    assert {c["status"] for c in calls} == {"timeout"}
    flags = json.loads(
        db.execute("SELECT flags FROM scores WHERE comment_id = ?", [plain]).fetchone()[0]
    )
    assert not [f for f in flags if f["code"] == "second_opinion"]


def test_budget_per_minute_stops_sending_and_records_the_rest(tmp_path):
    with serving(Yidun()) as yidun:
        provider = (
            f'\n[[second_opinion.providers]]\nname = "yidun"\ntype = "yidun"\nurl = "{yidun.url}"\n'
            'key_id_env = "SO_KEY_ID"\nkey_secret_env = "SO_KEY_SECRET"\nservice = "biz"\n'
            "calls_per_minute = 2\n"
        )
        settings, db = configured(tmp_path, provider, every=["yidun"])
        add_many(db, [f"第{n}条不同的评论内容" for n in range(5)])
        pipeline.score_pending(db, settings)
    assert len(yidun.seen) == 2
    figures = store.call_figures(db)["yidun"]
    assert (figures["calls"], figures["unsent"]) == (2, 3)
    assert store.budget_left(db, "yidun", 2, 100, store.now_iso()) == 0


def test_personal_data_is_masked_before_sending(tmp_path):
    with serving(Guard()) as guard:
        settings, db = configured(tmp_path, guard_provider(guard.url), every=["guard"])
        add_many(db, ["有事打我电话13912345678"])
        pipeline.score_pending(db, settings)
    sent = guard.seen[0]["body"]["messages"][0]["content"]
    assert "13912345678" not in sent and "139****5678" in sent


def test_unmasked_when_the_newsroom_says_so(tmp_path):
    with serving(Guard()) as guard:
        extra = "\n[second_opinion]\nmask_before_sending = false\n" + guard_provider(guard.url)
        settings, db = configured(tmp_path, extra, every=["guard"])
        add_many(db, ["有事打我电话13912345678"])
        pipeline.score_pending(db, settings)
    assert "13912345678" in guard.seen[0]["body"]["messages"][0]["content"]


def test_nothing_is_sent_when_nothing_is_configured(tmp_path):
    with serving(Guard()) as guard:
        settings, db = configured(tmp_path, "")
        rule_store.add_rule(db, Rule("都问", "ask_second_opinion", {}), "admin", 1)
        add_many(db, ["随便一条评论，内容正常"])
        pipeline.score_pending(db, settings)
    assert guard.seen == []
    assert db.execute("SELECT COUNT(*) FROM opinion_calls").fetchone()[0] == 0


def test_a_channel_naming_an_unknown_provider_is_a_settings_error(tmp_path):
    from moderation.declare import SettingsError

    with pytest.raises(SettingsError, match="second_opinion: not a configured provider: nope"):
        configured(tmp_path, guard_provider("http://127.0.0.1:9"), every=["nope"])


def test_a_provider_without_its_secret_names_is_a_settings_error(tmp_path):
    from moderation.declare import SettingsError

    provider = '\n[[second_opinion.providers]]\nname = "ali"\ntype = "aliyun"\n'
    with pytest.raises(SettingsError, match="key_id_env"):
        configured(tmp_path, provider)
