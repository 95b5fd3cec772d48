"""Thread context on the desk: a reply shows the comment it answers (with its status), a
comment shows the replies under it (collapsed when long), the channel's own account is
marked 官方; the same on the side panel and the story page."""

from __future__ import annotations

import pytest

from moderation.collectors.base import CollectedStory
from moderation.storage import comments as comment_store
from moderation.storage import stories
from tests.helpers import write_config
from tests.web.conftest import add_comment

CHANNELS = (
    '[[channels]]\nname = "demo"\ntype = "demo"\nlabel = "演示数据"\nschedule = "10m"\n'
    'official_authors = "株洲日报, zzrb-official"\n'
)


@pytest.fixture
def config_file(tmp_path):
    """The demo channel, whose own account comments as 株洲日报."""
    return write_config(tmp_path, channels=CHANNELS)


@pytest.fixture(autouse=True)
def story(db):
    """The story every comment of these tests is on."""
    stories.upsert_story(db, "demo", CollectedStory(native_id="s1", title="下雪"))


def reply(db, parent_id: int, text: str, author: str) -> int:
    """A reply to `parent_id` in the same channel."""
    reply_id = add_comment(db, text, author=author)
    native = db.execute("SELECT native_id FROM comments WHERE id = ?", [parent_id]).fetchone()[0]
    db.execute("UPDATE comments SET reply_to = ? WHERE id = ?", [native, reply_id])
    db.conn.commit()
    return reply_id


def card(page: str, comment_id: int) -> str:
    """The HTML of one card on a page."""
    return page.split(f'id="comment-{comment_id}"', 1)[1].split("</article>", 1)[0]


def test_reply_card_shows_what_it_answers_with_its_status(client, login, db):
    parent = add_comment(db, "红港路的融雪剂什么时候撒？", author="河西上班族")
    comment_store.decide(db, parent, "approve", actor="mod")
    answer = reply(db, parent, "@河西上班族 中午已经撒了。", "株洲日报")
    login("moderator")
    page = client.get("/?queue=pending").get_data(as_text=True)
    shown = card(page, answer)
    assert "thread-parent" in shown and "红港路的融雪剂什么时候撒？" in shown
    assert "河西上班族" in shown and "已通过" in shown  # the parent's status
    assert 'class="official-badge">官方' in shown  # the reply is the channel's own account


def test_long_threads_start_collapsed_and_short_ones_open(client, login, db):
    short_parent = add_comment(db, "今天公交停运吗？", author="乘客甲")
    reply(db, short_parent, "照常运行。", "zzrb-official")
    long_parent = add_comment(db, "学校明天停课吗？", author="家长乙")
    for number in range(5):
        reply(db, long_parent, f"第{number}条回复", f"读者{number}")
    login("moderator")
    page = client.get("/?queue=all").get_data(as_text=True)
    short = card(page, short_parent)
    long = card(page, long_parent)
    assert '<details class="thread-replies" open>' in short and "照常运行。" in short
    assert "官方" in short  # matched by the author id in official_authors
    assert '<details class="thread-replies">' in long and "回复 5 条（展开）" in long
    assert all(f"第{number}条回复" in long for number in range(5))


def test_side_panel_and_story_page_carry_the_thread(client, login, db):
    parent = add_comment(db, "这段路结冰了，大家小心。", author="夜班的哥")
    answer = reply(db, parent, "谢谢提醒！", "读者丙")
    login("moderator")
    panel = client.get(f"/comments/{answer}/panel").get_data(as_text=True)
    assert "这段路结冰了，大家小心。" in panel and "待审" in panel
    panel = client.get(f"/comments/{parent}/panel").get_data(as_text=True)
    assert "谢谢提醒！" in panel
    story = client.get("/stories/1").get_data(as_text=True)
    assert "这段路结冰了，大家小心。" in card(story, answer)


def test_reply_to_a_comment_not_collected_says_so(client, login, db):
    orphan = add_comment(db, "同意楼上。", author="读者丁")
    db.execute("UPDATE comments SET reply_to = 'gone-1' WHERE id = ?", [orphan])
    db.conn.commit()
    login("moderator")
    page = client.get("/?queue=pending").get_data(as_text=True)
    assert "尚未采集" in card(page, orphan)


def test_author_profile_and_story_page_name_channels_by_label(client, login, db):
    add_comment(db, "路上注意安全", author="暴躁老爸")
    login("editor")
    profile = client.get("/authors/demo:暴躁老爸").get_data(as_text=True)
    assert "演示数据 · 暴躁老爸" in profile
    assert "<td>demo</td>" not in profile and ">demo:暴躁老爸<" not in profile
    story = client.get("/stories/1").get_data(as_text=True)
    assert '<span class="linked">演示数据' in story
