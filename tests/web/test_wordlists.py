"""Admins edit the word lists in the dashboard; new comments are scored with them at once."""

from moderation import pipeline
from moderation.collectors.base import CollectedComment, CollectedStory
from moderation.states import REJECTED
from moderation.storage import comments, stories


def add_comment(db, native_id: str, text: str) -> int:
    """Store one comment and return its id."""
    story = stories.upsert_story(db, "web", CollectedStory(native_id="s", title="下雪啦"))
    comments.save_comments(
        db,
        "web",
        [
            CollectedComment(
                native_id=native_id,
                story_native_id="s",
                text=text,
                created_at="2024-01-22T10:00:00+00:00",
                author_key="a",
            )
        ],
        {"s": story},
    )
    return db.execute("SELECT id FROM comments WHERE native_id = ?", [native_id]).fetchone()[0]


def test_admin_adds_and_removes_words_and_scoring_uses_them(client, auth, db, settings):
    auth.login("admin")
    assert (
        client.post("/admin/words", data={"kind": "banned", "word": " 黑 心 商 "}).status_code
        == 302
    )
    assert client.post("/admin/words", data={"kind": "suspect", "word": "坑爹"}).status_code == 302
    page = client.get("/admin/words").get_data(as_text=True)
    assert "黑 心 商" in page and "坑爹" in page and "代开发票" in page  # config words shown too
    banned = add_comment(db, "1", "这家店是黑-心-商，别去")
    suspect = add_comment(db, "2", "真是坑爹的安排")
    pipeline.score_pending(db, settings)
    assert comments.get_status(db, banned) == REJECTED
    codes = db.execute("SELECT flag_codes FROM scores WHERE comment_id = ?", [suspect]).fetchone()
    assert "suspect" in codes[0]
    response = client.post("/admin/words/suspect/remove", data={"word": "坑爹"})
    assert response.status_code == 302
    later = add_comment(db, "3", "又是坑爹的安排")
    pipeline.score_pending(db, settings)
    codes = db.execute("SELECT flag_codes FROM scores WHERE comment_id = ?", [later]).fetchone()
    assert "suspect" not in codes[0]


def test_word_list_input_is_validated(client, auth):
    auth.login("admin")
    assert client.post("/admin/words", data={"kind": "banned", "word": "  "}).status_code == 400
    assert client.post("/admin/words", data={"kind": "other", "word": "x"}).status_code == 400
    assert (
        client.post("/admin/words", data={"kind": "banned", "word": "长" * 31}).status_code == 400
    )
    assert client.post("/admin/words/banned/remove", data={"word": "没有"}).status_code == 404


def test_only_admins_edit_word_lists(client, auth):
    auth.login("chief_editor")
    assert client.get("/admin/words").status_code == 403
    assert client.post("/admin/words", data={"kind": "banned", "word": "x"}).status_code == 403


def test_admin_edits_the_insult_lexicon_and_report_phrases(client, auth, db, settings):
    auth.login("admin")
    page = client.get("/admin/words").get_data(as_text=True)
    assert "侮辱性称呼" in page and "乡巴佬" in page and "骗子电话" in page  # shipped entries
    assert client.post("/admin/words", data={"kind": "insult", "word": "憨包"}).status_code == 302
    insult = add_comment(db, "1", "这个憨包司机又闯红灯")
    pipeline.score_pending(db, settings)
    codes = db.execute("SELECT flag_codes FROM scores WHERE comment_id = ?", [insult]).fetchone()
    assert "insult" in codes[0].split()
    response = client.post("/admin/words/insult/remove", data={"word": "憨包"})
    assert response.status_code == 302
    assert client.post("/admin/words", data={"kind": "report", "word": "已立案"}).status_code == 302
    assert "已立案" in client.get("/admin/words").get_data(as_text=True)
