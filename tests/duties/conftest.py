"""Fixtures for the operator duties: a jsonfeed channel (the site) with comments stored as
collected, its shared secret in the environment, the app served over real HTTP, and a
signed poster speaking the intake protocol."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import requests

from moderation import create_app
from moderation.collectors.base import CollectedComment, CollectedStory
from moderation.db import open_db
from moderation.push.jsonfeed import SIGNATURE_HEADER, body_bytes, signature
from moderation.settings import load_settings
from moderation.storage import channels as channel_store
from moderation.storage import comments as comment_store
from moderation.storage import stories as story_store
from tests.browser_support import live_server
from tests.helpers import write_config
from tests.push.conftest import FAST_HTTP

SECRET = "site-secret"
NATIVE_IDS = ["c-1", "c-2", "c-3", "c-4"]


def site_channel(url: str = "http://127.0.0.1:9", push: str = "off") -> str:
    """A [[channels]] table for the site, its moderation endpoint at `url`/moderation."""
    return (
        f'[[channels]]\nname = "site"\ntype = "jsonfeed"\nfeed_url = "{url}/feed.json"\n'
        f'comments_url = "{url}/comments"\npush = "{push}"\n'
        f'moderation_url = "{url}/moderation"\nmoderation_secret_env = "ZZRB_SITE_SECRET"\n'
        f"{FAST_HTTP}"
    )


def store_site_comments(db) -> dict[str, int]:
    """Comments of one site story as collected; native id -> comment id."""
    channel_store.ensure_channel(db, "site", "jsonfeed")
    with db.atomic():
        stories = story_store.upsert_stories(db, "site", [CollectedStory("s-88", "公交新线路")])
        comment_store.save_comments(
            db,
            "site",
            [
                CollectedComment(
                    native_id=native,
                    story_native_id="s-88",
                    text=f"评论{native}：公交线路调整后等车更久了",
                    created_at="2026-11-30T01:00:00+00:00",
                    author_key=f"site:u-{native}",
                    author_name=f"读者{native}",
                )
                for native in NATIVE_IDS
            ],
            stories,
        )
    return {row["native_id"]: row["id"] for row in db.query("SELECT id, native_id FROM comments")}


class Site:
    """The desk as the site sees it: signed posts to /intake/site over real HTTP."""

    def __init__(self, base_url: str, secret: str = SECRET):
        self.base_url = base_url
        self.secret = secret

    def post(self, fields: dict, secret: str | None = None, raw: bytes | None = None):
        """POST one signed body (timestamp now unless given); the requests Response."""
        fields = {"timestamp": datetime.now(UTC).isoformat(timespec="seconds"), **fields}
        body = raw if raw is not None else body_bytes(fields)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            SIGNATURE_HEADER: signature(secret or self.secret, body),
        }
        return requests.post(f"{self.base_url}/intake/site", data=body, headers=headers, timeout=10)

    def report(self, comment_id: str, reporter: str, reason: str = "广告", **extra):
        """File a report."""
        return self.post(
            {
                "type": "report",
                "comment_id": comment_id,
                "reporter": reporter,
                "reason": reason,
                **extra,
            }  # fmt: skip
        )


@pytest.fixture
def site_env(monkeypatch):
    """The channel's shared secret in the environment."""
    monkeypatch.setenv("ZZRB_SITE_SECRET", SECRET)


def make_desk(tmp_path, channel: str, extra: str = ""):
    """Settings, an open database with the site's comments, the app."""
    settings = load_settings(write_config(tmp_path, extra=extra, channels=channel))
    db = open_db(settings)
    ids = store_site_comments(db)
    app = create_app(settings, TESTING=True, WTF_CSRF_ENABLED=False, SECRET_KEY="test")
    return settings, db, ids, app


@pytest.fixture
def desk(tmp_path, site_env):
    """(settings, db, {native id: comment id}, app, Site poster) served over real HTTP."""
    settings, db, ids, app = make_desk(tmp_path, site_channel())
    with live_server(app) as base_url:
        yield settings, db, ids, app, Site(base_url)
    db.close()


def as_json(response) -> dict:
    """A response's JSON body (with the status for assertion messages)."""
    return {"http": response.status_code, **json.loads(response.text)}


@pytest.fixture(scope="session")
def httpserver_listen_address():
    """pytest-httpserver listens on loopback only."""
    return ("127.0.0.1", 0)
