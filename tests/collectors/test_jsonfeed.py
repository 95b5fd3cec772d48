"""JSON feed collector over real HTTP, and linking its stories with a WeChat channel."""

from __future__ import annotations

import json
from datetime import date

import pytest
from werkzeug import Response

from moderation.collectors import jsonfeed
from moderation.db import connect
from moderation.settings import SettingsError
from moderation.storage import comments as comment_store
from tests.collectors.conftest import FAST, channel_settings, collect, fixture

TODAY = date(2024, 1, 26)


class FakeSite:
    """The website's feed (two pages) and its comments endpoint with a change-order cursor."""

    def __init__(self, httpserver, per_story: int = 25):
        self.url = httpserver.url_for("").rstrip("/")
        self.feeds = {
            "/feed.json": fixture("jsonfeed", "feed-1"),
            "/feed-2.json": fixture("jsonfeed", "feed-2"),
        }
        self.seq = 0
        self.comments: dict[str, list[dict]] = {}
        for feed in self.feeds.values():
            for item in feed["items"]:
                for number in range(per_story):
                    self.add(item["id"], f"第{number}条评论：支持！")
        self.requests: list[dict] = []
        self.before_comments = None  # hook(args, number) -> Response | None
        for path in self.feeds:
            httpserver.expect_request(path).respond_with_handler(self.feed)
        httpserver.expect_request("/api/comments").respond_with_handler(self.comment_page)

    def add(self, story_id: str, content: str, **extra) -> dict:
        self.seq += 1
        comment = {
            "id": f"c-{self.seq}",
            "author": f"读者{self.seq % 5}",
            "author_id": f"u-{self.seq % 5}",
            "content": content,
            "created": "2024-01-25T20:00:00+08:00",
            "likes": self.seq % 3,
            "reply_to": None,
            "seq": self.seq,
            **extra,
        }
        self.comments.setdefault(story_id, []).append(comment)
        return comment

    def edit(self, story_id: str, comment_id: str, content: str) -> None:
        self.seq += 1
        comment = next(c for c in self.comments[story_id] if c["id"] == comment_id)
        comment.update(content=content, seq=self.seq)

    def feed(self, request):
        text = json.dumps(self.feeds[request.path], ensure_ascii=False)
        return Response(text.replace("BASE", self.url), content_type="application/feed+json")

    def comment_page(self, request):
        args = dict(request.args)
        self.requests.append(args)
        if self.before_comments:
            answer = self.before_comments(args, len(self.requests))
            if answer is not None:
                return answer
        after = int(args.get("cursor", "seq:0").split(":")[1])
        limit = int(args["limit"])
        changed = sorted(
            (c for c in self.comments.get(args["story_id"], []) if c["seq"] > after),
            key=lambda c: c["seq"],
        )
        page = changed[:limit]
        cursor = f"seq:{page[-1]['seq']}" if page else args.get("cursor", "seq:0")
        body = {
            "story_id": args["story_id"],
            "comments": [{k: v for k, v in c.items() if k != "seq"} for c in page],
            "next_cursor": cursor,
            "has_more": len(changed) > limit,
        }
        return Response(json.dumps(body, ensure_ascii=False), content_type="application/json")

    def total(self) -> int:
        return sum(len(items) for items in self.comments.values())


def channel_toml(url: str, name: str = "zznews", **extra) -> str:
    keys = {
        "name": name,
        "type": "jsonfeed",
        "label": "株洲新闻网",
        "feed_url": f"{url}/feed.json",
        "comments_url": f"{url}/api/comments",
        "comment_page_size": 10,
        **extra,
    }
    lines = [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in keys.items()]
    return "[[channels]]\n" + "\n".join(lines) + "\n" + FAST


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(jsonfeed, "local_today", lambda: TODAY)


@pytest.fixture
def site(httpserver):
    return FakeSite(httpserver)


def test_jsonfeed_collects_stories_across_pages_and_every_comment(site, open_channel):
    settings, db = open_channel(channel_toml(site.url))
    summary = collect(db, settings)
    assert summary.status == "ok", summary.errors
    assert summary.new == site.total() == 75
    stories = {row["native_id"]: row for row in db.query("SELECT * FROM stories")}
    assert len(stories) == 3
    bus = stories["zzxw-20240124-0012"]
    assert bus["published_at"] == "2024-01-24T01:30:00+08:00"  # 17:30Z is the next local day
    assert bus["reporter"] == "王芳、陈晨"  # no _zzrb.reporter: the feed's authors
    assert bus["page_views"] == 20418
    assert stories["zzxw-20240125-0031"]["reporter"] == "李华"
    assert stories["zzxw-20240125-0031"]["intro"].startswith("市园林局")
    comment = db.execute(
        "SELECT author_key, author_name, likes FROM comments WHERE native_id = 'c-2'"
    ).fetchone()
    assert comment == ("zznews:u-2", "读者2", 2)


def test_jsonfeed_second_run_asks_from_the_cursor_and_adds_nothing(site, open_channel):
    settings, db = open_channel(channel_toml(site.url))
    collect(db, settings)
    site.requests.clear()
    second = collect(db, settings)
    assert (second.new, second.fetched) == (0, 0)
    assert all(args["cursor"].startswith("seq:") for args in site.requests)
    assert len(site.requests) == 3  # one call per story


def test_jsonfeed_new_and_edited_comments_come_after_the_cursor(site, open_channel):
    settings, db = open_channel(channel_toml(site.url))
    collect(db, settings)
    comment_store.decide(db, 1, "approve", actor="mod")
    first_id = db.table("comments").get(1)["native_id"]
    story_id = next(s for s, items in site.comments.items() if items[0]["id"] == first_id)
    site.edit(story_id, first_id, "修改后的评论")
    site.add(story_id, "一条新评论")
    summary = collect(db, settings)
    assert (summary.new, summary.updated) == (1, 1)
    assert comment_store.get_status(db, 1) == "pending"


def test_jsonfeed_content_is_stored_as_given(site, open_channel):
    site.comments["zzxw-20240124-0012"] = []
    for item in fixture("jsonfeed", "comments")["comments"]:
        site.add("zzxw-20240124-0012", item["content"], reply_to=item["reply_to"])
    settings, db = open_channel(channel_toml(site.url))
    collect(db, settings)
    texts = {r[0] for r in db.execute("SELECT text FROM comments WHERE reply_to IS NOT NULL")}
    assert texts == {"回复老周：生僻字 𠀀 𪚥 龘 也能显示。a &lt; b 原样保存"}


def test_jsonfeed_killed_run_resumes_with_every_comment_once(site, open_channel):
    def crash(args, number):
        if number > 4:
            raise RuntimeError("comments backend died")

    site.before_comments = crash
    settings, db = open_channel(channel_toml(site.url))
    first = collect(db, settings)
    assert first.status == "partial"
    assert 0 < db.table("comments").count < 75
    site.before_comments = None
    second = collect(db, settings)
    assert second.status == "ok"
    native_ids = [r[0] for r in db.execute("SELECT native_id FROM comments")]
    assert len(native_ids) == len(set(native_ids)) == 75
    assert first.new + second.new == 75


def test_jsonfeed_old_stories_stop_the_walk(site, monkeypatch, open_channel):
    monkeypatch.setattr(jsonfeed, "local_today", lambda: date(2024, 2, 4))
    site.feeds["/feed-2.json"]["next_url"] = "BASE/feed-3.json"  # not served: never asked for
    settings, db = open_channel(channel_toml(site.url, story_days=10))  # horizon 2024-01-25
    summary = collect(db, settings)
    assert summary.status == "ok", summary.errors
    assert db.table("stories").count == 3  # feed-2 is all older: the walk ends there
    assert summary.new == 25
    assert {args["story_id"] for args in site.requests} == {"zzxw-20240125-0031"}


@pytest.mark.parametrize(
    "item, message",
    [
        ({"id": "s1", "date_published": "2024-01-25T10:00:00+08:00"}, "'title' is missing"),
        ({"id": "s1", "title": "t", "date_published": "yesterday"}, "Invalid isoformat"),
        ({"id": "s1", "title": "t", "_zzrb": {"page_views": "many"}}, "'page_views' should be"),
        (["not", "a", "story"], "expected an object"),
    ],
)
def test_jsonfeed_bad_feed_item_is_skipped_with_reason(site, item, message, open_channel):
    site.feeds["/feed.json"]["items"].append(item)
    settings, db = open_channel(channel_toml(site.url))
    summary = collect(db, settings)
    assert summary.status == "ok"
    assert db.table("stories").count == 3
    assert message in summary.notes[0]


def test_jsonfeed_bad_comment_is_skipped_others_kept(site, open_channel):
    site.add("zzxw-20240122-0007", "ok", likes="lots")
    site.add("zzxw-20240122-0007", "ok", created="2024-13-45")
    settings, db = open_channel(channel_toml(site.url))
    summary = collect(db, settings)
    assert summary.new == 75 and summary.skipped == 2
    assert any("'likes' should be int" in note for note in summary.notes)


@pytest.mark.parametrize(
    "body, message",
    [
        ("<html>维护中</html>", "invalid JSON"),
        ('{"version": "x"}', "field 'items' is missing"),
        ('{"items": {"a": 1}}', "field 'items' should be list"),
    ],
)
def test_jsonfeed_broken_feed_is_a_recorded_bad_payload(httpserver, body, message, open_channel):
    httpserver.expect_request("/feed.json").respond_with_data(body)
    settings, db = open_channel(channel_toml(httpserver.url_for("").rstrip("/")))
    summary = collect(db, settings)
    assert summary.status == "failed"
    assert "BadPayload" in summary.errors[0] and message in summary.errors[0]


def test_jsonfeed_http_500_then_success(site, open_channel):
    site.before_comments = lambda args, number: Response("busy", 503) if number == 1 else None
    settings, db = open_channel(channel_toml(site.url))
    assert collect(db, settings).new == 75


def test_jsonfeed_missing_token_env_names_the_variable(site, monkeypatch, open_channel):
    monkeypatch.delenv("ZZNEWS_API_TOKEN", raising=False)
    settings, db = open_channel(channel_toml(site.url, token_env="ZZNEWS_API_TOKEN"))
    summary = collect(db, settings)
    assert summary.status == "failed" and "ZZNEWS_API_TOKEN" in summary.errors[0]


def test_jsonfeed_requires_its_urls(tmp_path):
    with pytest.raises(SettingsError, match="comments_url: missing"):
        channel_settings(tmp_path, '[[channels]]\nname = "a"\ntype = "jsonfeed"\nfeed_url = "x"\n')


def test_same_story_on_website_and_wechat_is_linked(tmp_path, site, httpserver, monkeypatch):
    from moderation.collectors import wechat, wechat_api
    from tests.collectors import test_wechat

    monkeypatch.setenv("ZZRB_WECHAT_SECRET", "app-secret")
    monkeypatch.setenv("MODERATION_PSEUDONYM_KEY", "k")
    monkeypatch.setattr(wechat, "local_today", lambda: TODAY)
    wechat_api.forget_tokens()
    test_wechat.FakeWeChat(httpserver, comments_per_article=2)
    channels = channel_toml(site.url) + test_wechat.channel_toml(site.url)
    settings = channel_settings(tmp_path, channels)
    db = connect(settings.database_path)
    assert collect(db, settings).status == "ok"
    assert collect(db, settings, "zzrb-wechat").status == "ok"
    rows = db.execute(
        "SELECT channel, canonical_id FROM stories WHERE title LIKE '株洲市区新增3条公交线路%'"
    ).fetchall()
    assert {channel for channel, _ in rows} == {"zznews", "zzrb-wechat"}
    assert len({canonical for _, canonical in rows}) == 1  # one story, two channels
    cherry = db.execute(
        "SELECT COUNT(DISTINCT canonical_id) FROM stories WHERE title LIKE '湘江风光带樱花%'"
    ).fetchone()
    assert cherry[0] == 1
    wechat_api.forget_tokens()
