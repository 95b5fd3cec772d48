"""Length caps: every collected field bounded in one place, the text's original kept in the
raw payload up to its own cap, the comment flagged `truncated` (issue 20, item 1)."""

from __future__ import annotations

import json

from moderation import pipeline
from moderation.collectors.base import CollectedComment, CollectedStory, Page
from moderation.collectors.limits import ORIGINAL_TEXT_KEY, bound_comment, bound_page
from moderation.db import connect
from moderation.settings import LimitsSettings
from tests.collectors.conftest import channel_settings

CHANNEL = '[[channels]]\nname = "exports"\ntype = "file"\nfolder = "inbox"\n'
SMALL = "[limits]\ntext_chars = 50\nfield_chars = 10\nraw_payload_chars = 120\n"


def comment(text: str, **fields) -> CollectedComment:
    values = {
        "native_id": "c1",
        "story_native_id": "s1",
        "created_at": "2024-01-22T00:00:00+00:00",
        "author_key": "a",
        **fields,
    }
    return CollectedComment(text=text, **values)


def test_bound_comment_cuts_the_text_and_keeps_the_original_in_raw():
    limits = LimitsSettings(text_chars=5, field_chars=4, raw_payload_chars=8)
    bounded = bound_comment(comment("一二三四五六七八九十", author_name="很长的作者名字"), limits)
    assert bounded.text == "一二三四五"
    assert bounded.truncated
    assert bounded.author_name == "很长的作"
    assert bounded.raw[ORIGINAL_TEXT_KEY] == "一二三四五六七八"


def test_bound_comment_leaves_a_short_comment_alone():
    short = comment("好评")
    assert bound_comment(short, LimitsSettings()) is short


def test_bound_page_caps_story_fields():
    story = CollectedStory(native_id="s" * 900, title="标" * 900, intro="导" * 30_000)
    page = bound_page(Page(stories=[story]), LimitsSettings())
    assert len(page.stories[0].title) == 500
    assert len(page.stories[0].native_id) == 500
    assert len(page.stories[0].intro) == 20_000


def test_import_stores_a_huge_comment_cut_and_flagged(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    rows = [
        {"story_id": "s1", "content": "长" * 400, "created": "2024-01-22 08:00",
         "author": "作" * 40, "story_title": "题" * 40},
        {"story_id": "s1", "content": "短评论", "created": "2024-01-22 08:01"},
    ]  # fmt: skip
    (inbox / "big.jsonl").write_text(
        "\n".join(json.dumps(row, ensure_ascii=False) for row in rows), encoding="utf-8"
    )
    settings = channel_settings(tmp_path, CHANNEL, SMALL)
    db = connect(settings.database_path)
    summary = pipeline.collect_channel(db, settings, settings.channel("exports"))
    assert (summary.status, summary.new) == ("ok", 2)
    stored = {
        row["text"][:2]: row
        for row in db.query("SELECT text, truncated, author_name, raw_digest FROM comments")
    }
    assert len(stored["长长"]["text"]) == 50 and stored["长长"]["truncated"] == 1
    assert stored["长长"]["author_name"] == "作" * 10
    assert stored["短评"]["truncated"] == 0
    assert db.execute("SELECT MAX(LENGTH(title)) FROM stories").fetchone()[0] == 10
    payloads = [row[0] for row in db.execute("SELECT payload FROM raw_payloads")]
    assert max(len(payload) for payload in payloads) == 120
    assert any(ORIGINAL_TEXT_KEY in payload for payload in payloads)


def test_a_truncated_comment_says_so_on_its_card(tmp_path, client, auth, db, settings):
    db.execute(
        "INSERT INTO stories (id, channel, native_id, title, collected_at) "
        "VALUES (1, 'demo', 's1', '株洲新闻', '2024-01-22T00:00:00+00:00')"
    )
    page = Page(comments=[comment("长" * 25_000, native_id="big"), comment("短评", native_id="s")])
    pipeline._store_page(db, "demo", page, pipeline.RunSummary("demo"), settings.limits)
    auth.login("moderator")
    body = client.get("/").get_data(as_text=True)
    assert body.count("原文过长，只保存了前 20000 字") == 1
