"""Scoring as stored: flags with spans, duplicate groups across channels, campaigns, bans."""

import json

from moderation import pipeline
from moderation.collectors.base import CollectedComment, CollectedStory
from moderation.states import REJECTED
from moderation.storage import comments as comment_store
from moderation.storage import decisions, duplicates, stories


def add(db, channel: str, native_id: str, text: str, author: str = "a") -> int:
    """Store one comment on a shared story and return its id."""
    story = stories.upsert_story(db, channel, CollectedStory(native_id="s", title="下雪啦"))
    comment_store.save_comments(
        db,
        channel,
        [
            CollectedComment(
                native_id=native_id,
                story_native_id="s",
                text=text,
                created_at="2024-01-22T10:00:00+00:00",
                author_key=author,
            )
        ],
        {"s": story},
    )
    return db.execute(
        "SELECT id FROM comments WHERE channel = ? AND native_id = ?", [channel, native_id]
    ).fetchone()[0]


def score_row(db, comment_id: int) -> dict:
    """The stored score of a comment."""
    row = next(db.query("SELECT * FROM scores WHERE comment_id = ?", [comment_id]))
    row["flags"] = json.loads(row["flags"])
    return row


def test_flags_are_stored_with_spans(db, settings):
    comment_id = add(db, "web", "1", "有事请打13912345678找我")
    pipeline.score_pending(db, settings)
    row = score_row(db, comment_id)
    assert "personal_data" in row["flag_codes"].split()
    span = row["flags"][0]["spans"][0]
    assert "有事请打13912345678找我"[span["start"] : span["end"]] == "13912345678"


def test_duplicates_group_across_channels_and_batches(db, settings):
    first = add(db, "web", "1", "雪夜里还在坚守的你们辛苦啦，为你们点赞！")
    pipeline.score_pending(db, settings)
    second = add(db, "wechat", "9", "雪夜里还在坚守的你们辛苦啦，为你们点赞！！")
    third = add(db, "app", "5", "雪夜里还在坚守的你们辛苦了，为你们点赞！")
    other = add(db, "app", "6", "公交车今天又晚点了半小时")
    pipeline.score_pending(db, settings)
    assert {score_row(db, i)["dup_group"] for i in (first, second, third)} == {first}
    assert score_row(db, other)["dup_group"] == other
    assert duplicates.group_members(db, first) == sorted([first, second, third])


def test_same_text_from_many_authors_is_flagged_as_campaign(db, settings):
    ids = [add(db, "web", str(n), "加入我们一起支持株洲建设发展", author=f"u{n}") for n in range(3)]
    pipeline.score_pending(db, settings)
    for comment_id in ids:
        assert "mass_posting" in score_row(db, comment_id)["flag_codes"].split()


def test_a_campaign_flag_reaches_later_copies_and_merged_groups(db, settings):
    text = "加入我们一起支持株洲建设发展吧朋友们"
    first = [add(db, "web", str(n), text, author=f"u{n}") for n in range(3)]
    pipeline.score_pending(db, settings)
    later = add(db, "app", "9", text + "！", author="u9")  # same normalised text, new batch
    loner = add(db, "app", "10", "今天株洲的公交车又晚点了半个小时", author="u1")
    pipeline.score_pending(db, settings)
    for comment_id in [*first, later]:
        flags = score_row(db, comment_id)["flags"]
        reasons = [f["reason"] for f in flags if f["code"] == "mass_posting"]
        assert reasons == ["同一内容至少由3个不同作者发布（疑似刷屏）"]
    assert "mass_posting" not in score_row(db, loner)["flag_codes"]
    # Two more authors post near copies of the loner: that group becomes a campaign too.
    twins = [
        add(db, "web", f"t{n}", "今天株洲的公交车又晚点了半个小时。", author=f"v{n}")
        for n in range(2)
    ]
    pipeline.score_pending(db, settings)
    for comment_id in [loner, *twins]:
        assert "mass_posting" in score_row(db, comment_id)["flag_codes"].split()


def test_a_campaign_flag_reaches_a_group_merged_into_it(db, settings):
    base = "雪夜里还在坚守的环卫工人们辛苦啦大家"
    bridge = base[:3] + "也" + base[4:]
    campaign = bridge[:3] + "冬" + bridge[4:]  # one edit from the bridge
    other = bridge[:14] + "都" + bridge[15:]  # one edit from the bridge, two from campaign
    copies = [add(db, "web", str(n), campaign, author=f"u{n}") for n in range(3)]
    alone = add(db, "app", "x", other, author="z")
    pipeline.score_pending(db, settings)
    assert "mass_posting" in score_row(db, copies[0])["flag_codes"].split()
    assert "mass_posting" not in score_row(db, alone)["flag_codes"].split()
    joiner = add(db, "app", "y", bridge, author="y")
    pipeline.score_pending(db, settings)
    assert {score_row(db, i)["dup_group"] for i in [*copies, alone, joiner]} == {copies[0]}
    for comment_id in (alone, joiner):
        assert "mass_posting" in score_row(db, comment_id)["flag_codes"].split()


def refresh_all(db, settings, batch_size: int) -> list[int]:
    """Run the background refresh until it reports nothing left; the batch sizes it did."""
    done = []
    while count := pipeline.refresh_pending(db, settings, batch_size):
        done.append(count)
    return done


def test_pending_comments_follow_new_word_lists_in_the_background(db, settings):
    from moderation.storage import wordlists

    pipeline.collect_channel(db, settings, settings.channel("demo"))
    pipeline.score_pending(db, settings)
    assert refresh_all(db, settings, 50) == []  # every score is current: nothing to do
    snow = [row[0] for row in db.execute("SELECT id FROM comments WHERE text LIKE '%下雪%'")]
    comment_store.decide(db, snow[0], "approve", "编辑甲")
    approved_before = score_row(db, snow[0])
    pending = [
        row[0]
        for row in db.execute("SELECT id FROM comments WHERE status = 'pending' ORDER BY id DESC")
    ]
    old_rules = score_row(db, pending[0])["rules"]
    wordlists.add_word(db, "suspect", "下雪", "admin")
    wordlists.add_word(db, "banned", "公交车", "admin")
    assert pipeline.refresh_pending(db, settings, 5) == 5
    new_rules = {score_row(db, i)["rules"] for i in pending[:5]}  # newest first
    assert len(new_rules) == 1 and old_rules not in new_rules
    assert score_row(db, pending[5])["rules"] == old_rules
    assert sum(refresh_all(db, settings, 50)) + 5 == len(pending)
    for comment_id in snow[1:]:
        row = score_row(db, comment_id)
        if comment_store.get_status(db, comment_id) == "pending":
            assert "suspect" in row["flag_codes"].split()
    assert score_row(db, snow[0]) == approved_before  # decided comments are left alone
    bus = [row[0] for row in db.execute("SELECT id FROM comments WHERE text LIKE '%公交车%'")]
    assert bus and all(comment_store.get_status(db, i) == REJECTED for i in bus)
    assert decisions.history(db, bus[0])[-1]["reason"].startswith("banned:公交车")
    assert refresh_all(db, settings, 50) == []  # done until the rules change again


def test_the_refresh_keeps_campaign_flags(db, settings):
    from moderation.storage import wordlists

    ids = [add(db, "web", str(n), "加入我们一起支持株洲建设发展", author=f"u{n}") for n in range(3)]
    pipeline.score_pending(db, settings)
    wordlists.add_word(db, "suspect", "株洲建设", "admin")
    assert refresh_all(db, settings, 2) == [2, 1]
    for comment_id in ids:
        assert {"mass_posting", "suspect"} <= set(score_row(db, comment_id)["flag_codes"].split())


def test_rules_version_follows_what_decides_a_score(settings):
    import dataclasses

    from moderation.scoring import scorer as text_scorer

    def scoring(**changes):
        return dataclasses.replace(
            settings, scoring=dataclasses.replace(settings.scoring, **changes)
        )

    base = text_scorer.scorer_for(settings).rules_version
    assert text_scorer.scorer_for(scoring(batch_size=7, duplicate_distance=1)).rules_version == base
    with_word = text_scorer.scorer_for(settings, {"suspect": ("下雪",)}).rules_version
    stricter = text_scorer.scorer_for(scoring(negative_below=0.2)).rules_version
    assert len({base, with_word, stricter}) == 3


def test_banned_word_rejects_as_system(db, settings):
    comment_id = add(db, "web", "1", "代开发票，价格优惠")
    pipeline.score_pending(db, settings)
    assert comment_store.get_status(db, comment_id) == REJECTED
    decision = decisions.history(db, comment_id)[-1]
    assert decision["actor"] == "rule:1" and decision["reason"].startswith("banned:")


def test_seed_comments_raise_no_flags(db, settings):
    from moderation.collectors.demo import load_sample

    pipeline.collect_channel(db, settings, settings.channel("demo"))
    pipeline.score_pending(db, settings)
    seed_ids = [c["id"] for c in load_sample()["comments"][:10]]
    marks = ",".join("?" * len(seed_ids))
    rows = db.execute(
        f"SELECT c.native_id, s.flag_codes FROM comments c JOIN scores s ON s.comment_id = c.id "
        f"WHERE c.native_id IN ({marks})",
        seed_ids,
    ).fetchall()
    assert len(rows) == 10
    assert [(native, codes) for native, codes in rows if codes not in ("", "negative")] == []


def test_rescore_applies_new_word_lists(tmp_path):
    from click.testing import CliRunner

    from moderation.cli import main
    from moderation.db import connect
    from tests.helpers import write_config

    config = write_config(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["--config", str(config), "collect", "demo"]).exit_code == 0
    db = connect(tmp_path / "test.db")
    flagged_snow = db.execute(
        "SELECT COUNT(*) FROM scores s JOIN comments c ON c.id = s.comment_id "
        "WHERE c.text LIKE '%下雪%' AND s.flag_codes LIKE '%suspect%'"
    ).fetchone()[0]
    assert flagged_snow == 0  # 下雪 is not on the default list yet
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            'suspect_words = ["垃圾", "脑残", "骗子"]', 'suspect_words = ["下雪"]'
        ),
        encoding="utf-8",
    )
    result = runner.invoke(main, ["--config", str(config), "rescore"])
    assert result.exit_code == 0, result.output
    assert f"rescored {db.table('comments').count} comments" in result.output
    flagged = db.execute(
        "SELECT COUNT(*) FROM scores s JOIN comments c ON c.id = s.comment_id "
        "WHERE c.text LIKE '%下雪%' AND s.flag_codes NOT LIKE '%suspect%'"
    ).fetchone()[0]
    assert flagged == 0
    groups = db.execute("SELECT COUNT(DISTINCT dup_group) FROM scores").fetchone()[0]
    assert 0 < groups < db.table("comments").count  # duplicate groups rebuilt
    bad = runner.invoke(main, ["--config", str(config), "rescore", "--since", "yesterday"])
    assert bad.exit_code == 2


def test_rescore_on_a_process_pool_stores_the_same_scores(db, settings, monkeypatch):
    monkeypatch.setattr(pipeline, "POOL_CHUNK", 20)  # the demo's 189 comments use the pool
    pipeline.collect_channel(db, settings, settings.channel("demo"))
    pipeline.rescore(db, settings, processes=1)
    single = db.execute(
        "SELECT comment_id, sentiment, flag_codes, dup_group FROM scores ORDER BY 1"
    ).fetchall()
    pipeline.rescore(db, settings, processes=2, batch_size=600)
    pooled = db.execute(
        "SELECT comment_id, sentiment, flag_codes, dup_group FROM scores ORDER BY 1"
    ).fetchall()
    assert len(single) == db.table("comments").count
    assert pooled == single
