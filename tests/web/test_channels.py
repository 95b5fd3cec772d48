"""The Channels page: anyone logged in may look; only admins run, pause and resume."""

import re

import pytest

from moderation.storage import channels as channel_store
from tests.helpers import ROOT


def test_channels_page_lists_configured_channels(client, auth, db):
    auth.login("moderator")
    page = client.get("/channels").get_data(as_text=True)
    assert "demo" in page and "每 10 分钟" in page and "尚未采集" in page
    assert "没有正在运行的调度器" in page
    assert "立即采集" not in page  # a moderator sees no buttons


def test_channels_page_needs_login(client):
    assert client.get("/channels").status_code == 302


@pytest.mark.parametrize("action", ["run", "pause", "resume"])
def test_channel_actions_need_admin(client, auth, action):
    auth.login("chief_editor")
    assert client.post(f"/channels/demo/{action}").status_code == 403


def test_admin_pauses_resumes_and_requests_a_run(client, auth, db):
    auth.login("admin")
    assert "立即采集" in client.get("/channels").get_data(as_text=True)
    response = client.post("/channels/demo/pause")
    assert response.status_code == 302 and response.headers["Location"].endswith("/channels")
    assert channel_store.get_channel(db, "demo")["paused"] == 1
    page = client.get("/channels").get_data(as_text=True)
    assert "已暂停" in page and "恢复" in page
    client.post("/channels/demo/resume")
    assert channel_store.get_channel(db, "demo")["paused"] == 0
    client.post("/channels/demo/run")
    assert channel_store.requested_runs(db) == ["demo"]
    assert "即将采集（已请求）" in client.get("/channels").get_data(as_text=True)


def test_unknown_channel_is_404(client, auth):
    auth.login("admin")
    assert client.post("/channels/nope/run").status_code == 404


def test_channels_page_shows_last_run_and_errors(client, auth, db):
    run_id = channel_store.start_run(db, "demo", "schedule")
    channel_store.ensure_channel(db, "demo", "demo")
    channel_store.finish_run(db, run_id, "failed", {"fetched": 0}, ["ChannelUnavailable: 超时"])
    auth.login("moderator")
    page = client.get("/channels").get_data(as_text=True)
    assert "失败" in page and "最近的错误（1）" in page and "ChannelUnavailable: 超时" in page


def test_channels_template_is_csp_clean():
    text = (ROOT / "templates" / "channels" / "index.html").read_text(encoding="utf-8")
    assert "<script" not in text and "style=" not in text
    assert not re.search(r"\son[a-z]+=", text)


def test_channels_page_shows_the_raw_payload_table_size(client, auth, db):
    db.execute(
        "INSERT INTO raw_payloads (channel, native_id, payload, collected_at) "
        "VALUES ('demo', 'n1', ?, '2024-01-22T00:00:00+00:00')",
        ["长" * 2_000_000],
    )
    auth.login("moderator")
    page = client.get("/channels").get_data(as_text=True)
    assert "原始数据表：1 条" in page
    assert "约 5." in page or "约 6." in page  # 2 million CJK characters: 6 MB of UTF-8


def test_channel_type_is_named_in_chinese(client, auth, db):
    auth.login("moderator")
    page = client.get("/channels").get_data(as_text=True)
    cells = re.findall(r'<td class="meta">([^<]*)</td>', page)
    assert "演示数据" in cells and "demo" not in cells


def test_running_a_disabled_channel_says_what_to_do(tmp_path):
    from moderation import create_app
    from moderation.db import open_db
    from moderation.settings import load_settings
    from tests.helpers import Auth, write_config

    channels = '[[channels]]\nname = "demo"\ntype = "demo"\nenabled = false\n'
    settings = load_settings(write_config(tmp_path, channels=channels))
    db = open_db(settings)
    app = create_app(settings, TESTING=True, WTF_CSRF_ENABLED=False, SECRET_KEY="test")
    client = app.test_client()
    Auth(client, db).login("admin")
    response = client.post("/channels/demo/run")
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "请管理员修改 config.toml" in text
    assert "disabled" not in text
    db.close()


def test_recent_errors_lead_with_a_chinese_summary(client, auth, db):
    run_id = channel_store.start_run(db, "demo", "schedule")
    channel_store.ensure_channel(db, "demo", "demo")
    error = (
        "ChannelUnavailable: jsonfeed zznews: GET http://127.0.0.1:5078/feed.json failed "
        "after 4 attempt(s): connection failed (ConnectionError)"
    )
    channel_store.finish_run(db, run_id, "failed", {"fetched": 0}, [error])
    auth.login("moderator")
    page = client.get("/channels").get_data(as_text=True)
    [listed] = re.findall(r"<li>[^<]*失败：([^<]*)</li>", page)
    assert listed.startswith("无法连接（ChannelUnavailable")
