"""Modes in the dashboard: an editor sets a story's mode on its page, the queue card shows
it; an admin switches the emergency mode and every page says so."""

from __future__ import annotations

from moderation.storage import story_modes
from tests.test_scoring_pipeline import add


def test_editor_sets_a_story_mode_and_pages_show_it(client, auth, db):
    comment_id = add(db, "web", "1", "一条待审的评论")
    story = db.execute("SELECT story_id FROM comments WHERE id = ?", [comment_id]).fetchone()[0]
    auth.login("moderator")
    assert client.post(f"/stories/{story}/mode", data={"mode": "post"}).status_code == 403
    auth.login("editor")
    response = client.post(f"/stories/{story}/mode", data={"mode": "post", "reason": "读者活跃"})
    page = client.get(response.location).get_data(as_text=True)
    assert 'class="mode-now">先发后审<' in page and "本稿件的评论改为“先发后审”" in page
    assert story_modes.mode_log(db, story)[0]["reason"] == "读者活跃"
    queue = client.get("/").get_data(as_text=True)
    assert '<span class="story-mode">先发后审</span>' in queue
    client.post(f"/stories/{story}/mode", data={"mode": "closed"})
    switch = db.execute("SELECT action, actor FROM comment_switches").fetchall()
    assert switch == [("close_comments", "editor")]  # recorded for the channels that can switch


def test_admin_switches_emergency_mode_and_the_banner_shows(client, auth, db):
    add(db, "web", "1", "一条待审的评论")
    auth.login("admin")
    client.post("/admin/emergency-mode/on", data={"reason": "敏感时期"})
    assert story_modes.emergency(db)
    assert "紧急模式（敏感时期）" in client.get("/").get_data(as_text=True)
    client.post("/admin/emergency-mode/off")
    assert "emergency-banner" not in client.get("/").get_data(as_text=True)
