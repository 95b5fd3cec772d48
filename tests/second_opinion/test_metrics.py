"""The /metrics table of second opinions on a fixed set of decisions: calls, failures,
p95 latency, cost units and agreement with the moderators, beside the built-in models."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from moderation.opinion_metrics import Thresholds, agreement_rows, opinion_table
from moderation.states import APPROVED, REJECTED
from moderation.storage import comments as comment_store
from moderation.storage import scores as score_store
from moderation.storage import second_opinions as store
from moderation.timeutil import BEIJING
from tests.second_opinion.test_pass import add_many

# (text, offensive, sentiment, aliyun's level, guard's level, the moderator's decision)
DECISIONS = [
    ("辱骂一", 0.90, 0.10, "block", "block", "reject"),
    ("辱骂二", 0.85, 0.20, "review", "pass", "reject"),
    ("广告一", 0.10, 0.60, "block", None, "reject"),
    ("正常一", 0.05, 0.80, "pass", "pass", "approve"),
    ("正常二", 0.50, 0.70, "pass", "review", "approve"),
    ("批评一", 0.20, 0.30, "review", "pass", "approve"),
    ("正常三", 0.10, 0.90, None, "pass", "approve"),
    ("辱骂三", 0.30, 0.40, "block", "block", "reject"),
]
ALIYUN_LATENCIES = [100, 120, 140, 160, 180, 200, 900]  # + one timeout below
THRESHOLDS = Thresholds(offensive_review_above=0.4, negative_below=0.5)


def fixed_decisions(db) -> None:
    """Eight decided comments, their scores, and the two providers' calls and links."""
    ids = add_many(db, [row[0] for row in DECISIONS])
    score_store.save_scores(
        db,
        [
            {
                "comment_id": cid,
                "sentiment": row[2],
                "label": "neutral",
                "model_version": "t",
                "flags": [],
                "offensive": row[1],
            }
            for cid, row in zip(ids, DECISIONS, strict=True)
        ],
    )
    aliyun = iter(ALIYUN_LATENCIES)
    with db.atomic():
        for cid, row in zip(ids, DECISIONS, strict=True):
            for provider, level in (("aliyun", row[3]), ("guard", row[4])):
                if level is None:
                    continue
                latency = next(aliyun) if provider == "aliyun" else 50
                (call,) = store.record_calls(
                    db,
                    [
                        {
                            "provider": provider,
                            "digest": f"d{cid}",
                            "status": "ok",
                            "level": level,
                            "labels": [],
                            "latency_ms": latency,
                            "cost_units": 1.5 if provider == "aliyun" else 0.0,
                        }
                    ],
                )
                store.link(db, [(cid, provider, call, False)])
        store.record_calls(
            db,
            [
                {
                    "provider": "aliyun",
                    "digest": "x",
                    "status": "timeout",
                    "latency_ms": 2000,
                    "error": "超时未答复",
                }
            ],
        )
        store.record_calls(db, [{"provider": "aliyun", "digest": "y", "status": "over_budget"}])
    for cid, row in zip(ids, DECISIONS, strict=True):
        comment_store.decide(db, cid, row[5], "王编辑", "abuse" if row[5] == "reject" else None)


def test_metrics_table_on_fixed_decisions(db):
    fixed_decisions(db)
    # The rows were written a moment ago: on today's Beijing date or, when midnight passed
    # since, yesterday's (today alone missed them all on a run across midnight).
    today = datetime.now(BEIJING).date()
    yesterday = today - timedelta(days=1)
    providers = {"aliyun": "阿里云", "guard": "本地守卫"}
    table = opinion_table(db, providers, THRESHOLDS, yesterday, today)
    rows = {row["shown"]: row for row in table}
    aliyun = rows["阿里云"]
    # 7 answers + 1 timeout are calls; the over-budget one was never sent
    assert (aliyun["calls"], aliyun["failures"], aliyun["unsent"]) == (8, 1, 1)
    assert aliyun["cost_units"] == 10.5
    # p95 (linear) of 100..200, 900, 2000
    assert aliyun["p95_ms"] == 1615
    # aliyun answered 7 decided comments; wrong only on 批评一
    assert (aliyun["decided"], aliyun["agreement"]) == (7, round(6 / 7, 3))
    # on those 7, the offensive model is wrong on 广告一, 正常二 and 辱骂三
    assert aliyun["builtin_same_comments"] == round(4 / 7, 3)
    guard = rows["本地守卫"]
    # guard: 辱骂二 said pass but rejected, 正常二 said review but approved
    assert (guard["calls"], guard["decided"], guard["agreement"]) == (7, 7, round(5 / 7, 3))
    assert guard["cost_units"] == 0 and guard["p95_ms"] == 50
    offensive = rows["冒犯模型（内置）"]
    assert (offensive["decided"], offensive["agreement"]) == (8, 0.625)
    assert offensive["calls"] is None
    sentiment = rows["情感模型（内置）"]
    # wrong on 广告一 (a cheerful advert) and 批评一 (civil criticism)
    assert (sentiment["decided"], sentiment["agreement"]) == (8, 0.75)


def test_rules_decisions_do_not_count_as_the_moderators(db):
    fixed_decisions(db)
    first = db.execute("SELECT MIN(id) FROM comments").fetchone()[0]
    comment_store.decide(db, first, "reopen", "王编辑")
    comment_store.decide(db, first, "reject", "rule:3", "abuse")
    decided = store.decided_by_people(db)
    assert first not in {row["id"] for row in decided} and len(decided) == 7


def test_agreement_reads_review_as_not_fine():
    decided = [
        {
            "id": 1,
            "status": REJECTED,
            "offensive": None,
            "sentiment": None,
            "opinions": {"p": "review"},
        },
        {
            "id": 2,
            "status": APPROVED,
            "offensive": None,
            "sentiment": None,
            "opinions": {"p": "review"},
        },
    ]
    (row, *_builtins) = agreement_rows(decided, {"p": "P"}, THRESHOLDS)
    assert (row["decided"], row["agreement"], row["builtin_same_comments"]) == (2, 0.5, None)


def test_metrics_page_shows_the_table(db, client, auth):
    fixed_decisions(db)
    auth.login("editor")
    page = client.get("/metrics").get_data(as_text=True)
    assert "第二意见与人工决定的一致率" in page
    assert "冒犯模型（内置）" in page and "62.5%" in page
    assert "aliyun" in page and "85.7%" in page  # providers seen in the calls, by name


def test_card_shows_provider_level_labels_and_latency(db, client, auth):
    (cid,) = add_many(db, ["这条评论要看第二意见"])
    with db.atomic():
        (call,) = store.record_calls(
            db,
            [
                {
                    "provider": "aliyun",
                    "digest": "d",
                    "status": "ok",
                    "level": "block",
                    "labels": ["abuse"],
                    "provider_labels": ["abuse"],
                    "latency_ms": 321,
                }
            ],
        )
        (failed,) = store.record_calls(
            db, [{"provider": "guard", "digest": "d", "status": "timeout", "latency_ms": 2000}]
        )
        store.link(db, [(cid, "aliyun", call, False), (cid, "guard", failed, False)])
    auth.login("moderator")
    page = client.get("/?queue=all").get_data(as_text=True)
    assert "第二意见 · aliyun：<strong>建议拒绝</strong>（谩骂；abuse） · 321 毫秒" in page
    assert "第二意见 · guard：超时未答复（按本台信号处理）" in page


def test_metrics_range_excludes_other_days(db):
    fixed_decisions(db)
    table = opinion_table(db, {"aliyun": "阿里云"}, THRESHOLDS, date(2020, 1, 1), date(2020, 1, 2))
    assert table[0]["calls"] == 0 and table[0]["decided"] == 0


def test_prometheus_lines_count_per_provider(db):
    from moderation.opinion_metrics import prometheus_lines

    fixed_decisions(db)
    text = prometheus_lines(db)
    assert 'moderation_second_opinion_calls_total{provider="aliyun"} 8' in text
    assert 'moderation_second_opinion_failures_total{provider="aliyun"} 1' in text
    assert 'moderation_second_opinion_unsent_total{provider="aliyun"} 1' in text
    assert 'moderation_second_opinion_cost_units_total{provider="aliyun"} 10.5' in text
    assert 'moderation_second_opinion_calls_total{provider="guard"} 7' in text
