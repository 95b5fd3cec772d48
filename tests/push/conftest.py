"""Fixtures for pushing: a WeChat account's articles and comments stored as collected, the
fake channel servers, and settings whose channels point at them."""

from __future__ import annotations

import pytest

from moderation.collectors.base import CollectedComment, CollectedStory
from moderation.collectors.wechat_api import forget_tokens
from moderation.db import open_db
from moderation.settings import load_settings
from moderation.storage import channels as channel_store
from moderation.storage import comments as comment_store
from moderation.storage import stories as story_store
from tests.helpers import write_config
from tests.push.servers import FakeWeChat, serving

MSG_DATA_ID = 2247483700
ARTICLES = {(MSG_DATA_ID, 0): list(range(1, 61)), (MSG_DATA_ID, 1): [1, 2, 3]}
# Retries are fast; the read timeout leaves a loaded machine time to answer (a test that
# counts calls must not see a resend caused by a slow CI box), and stays under HANG_SECONDS.
FAST_HTTP = (
    "connect_timeout = 2\nread_timeout = 2.5\ncall_timeout = 4\nmax_attempts = 3\n"
    "backoff_seconds = 0.01\nmax_wait_seconds = 1\n"
)
# For a test that holds WeChat's answer (a `gate`) while it works: the sender waits as long
# as the test holds it, not a read timeout that a loaded machine could run out first.
PATIENT_HTTP = FAST_HTTP.replace("read_timeout = 2.5", "read_timeout = 120").replace(
    "call_timeout = 4", "call_timeout = 120"
)


def wechat_channel(url: str, push: str = "on", extra: str = "", http: str = FAST_HTTP) -> str:
    """A [[channels]] table for a WeChat account served at `url`."""
    return (
        f'[[channels]]\nname = "wx"\ntype = "wechat"\nappid = "wx123"\nbase_url = "{url}"\n'
        f'push = "{push}"\n{http}{extra}\n'
    )


def store_wechat(db, articles=ARTICLES) -> dict[tuple[int, int, int], int]:
    """The fake's articles and comments stored as the collector would; key -> comment id.

    Keys are the comment API's (msg_data_id, index from 0, user_comment_id); the stories
    are stored under the datacube's msgid, whose n counts from 1."""
    channel_store.ensure_channel(db, "wx", "wechat")
    ids = {}
    with db.atomic():
        for (msg_data_id, index), comment_ids in articles.items():
            msgid = f"{msg_data_id}_{index + 1}"  # as the datacube names it: n counts from 1
            story = CollectedStory(native_id=msgid, title=f"第{index}篇", published_at=None)
            story_ids = story_store.upsert_stories(db, "wx", [story])
            comments = [
                CollectedComment(
                    native_id=f"{msgid}:{cid}",
                    story_native_id=msgid,
                    text=f"第{index}篇第{cid}条评论：公交线路很方便",
                    created_at="2026-11-30T01:00:00+00:00",
                    author_key=f"wx:{cid}",
                )
                for cid in comment_ids
            ]
            comment_store.save_comments(db, "wx", comments, story_ids)
    for row in db.query("SELECT id, native_id FROM comments WHERE channel = 'wx'"):
        msgid, _, cid = row["native_id"].partition(":")
        msg_data_id, _, number = msgid.partition("_")
        ids[(int(msg_data_id), int(number) - 1, int(cid))] = row["id"]
    return ids


@pytest.fixture(autouse=True)
def secrets(monkeypatch):
    """Channel secrets in the environment; no token cached from another test."""
    monkeypatch.setenv("ZZRB_WECHAT_SECRET", "app-secret")
    monkeypatch.setenv("ZZRB_WEIBO_TOKEN", "weibo-token")
    monkeypatch.setenv("ZZRB_SITE_SECRET", "site-secret")
    forget_tokens()
    yield
    forget_tokens()


@pytest.fixture
def wechat():
    """The fake WeChat account, serving."""
    with serving(FakeWeChat(ARTICLES)) as fake:
        yield fake


@pytest.fixture
def wechat_setup(tmp_path, wechat):
    """(settings, db, comment ids) for a pushing WeChat channel at the fake."""
    return setup_wechat(tmp_path, wechat.url)


def setup_wechat(folder, url: str, push: str = "on", extra: str = "", http: str = FAST_HTTP):
    """Settings, an open database with the fake's comments stored, and their ids."""
    channel = wechat_channel(url, push, extra, http)
    settings = load_settings(write_config(folder, channels=channel))
    db = open_db(settings)
    return settings, db, store_wechat(db)
