"""WeChat collector over real HTTP against a local server speaking the documented shapes."""

from __future__ import annotations

import json
import time
from datetime import date

import pytest
from werkzeug import Response

from moderation.collectors import wechat, wechat_api
from moderation.collectors.base import BadPayload
from moderation.settings import SettingsError
from moderation.storage import comments as comment_store
from tests.collectors.conftest import FAST, channel_settings, collect, fixture

TODAY = date(2024, 1, 26)


class FakeWeChat:
    """A WeChat API on the test server: tokens, the article list, paged comments."""

    def __init__(self, httpserver, comments_per_article: int = 60):
        self.articles = fixture("wechat", "getarticletotaldetail")["list"]
        self.comments = {
            article["msgid"]: make_comments(article["msgid"], comments_per_article)
            for article in self.articles
        }
        self.tokens_issued = 0
        self.valid_tokens: set[str] = set()
        self.calls: list[tuple[str, dict]] = []
        self.before_comments = None  # hook(body, number) -> Response | None
        self.comment_calls = 0
        self.url = httpserver.url_for("").rstrip("/")
        httpserver.expect_request("/cgi-bin/stable_token", method="POST").respond_with_handler(
            self.stable_token
        )
        httpserver.expect_request(
            "/datacube/getarticletotaldetail", method="POST"
        ).respond_with_handler(self.article_list)
        httpserver.expect_request("/cgi-bin/comment/list", method="POST").respond_with_handler(
            self.comment_list
        )

    def stable_token(self, request):
        body = request.get_json()
        assert body == {
            "grant_type": "client_credential",
            "appid": "wx5f1e2d3c4b5a6978",
            "secret": "app-secret",
            "force_refresh": False,
        }
        self.tokens_issued += 1
        token = f"TOKEN_{self.tokens_issued}"
        self.valid_tokens.add(token)
        return json_response({"access_token": token, "expires_in": 7200})

    def token_problem(self, request):
        if request.args.get("access_token") not in self.valid_tokens:
            return json_response(fixture("wechat", "error_token_expired"))
        return None

    def article_list(self, request):
        body = request.get_json()
        self.calls.append(("articles", body))
        problem = self.token_problem(request)
        if problem:
            return problem
        items = [
            a for a in self.articles if body["begin_date"] <= a["ref_date"] <= body["end_date"]
        ]
        return json_response({"list": items})

    def comment_list(self, request):
        body = request.get_json()
        self.comment_calls += 1
        self.calls.append(("comments", body))
        if self.before_comments:
            answer = self.before_comments(body, self.comment_calls)
            if answer is not None:
                return answer
        problem = self.token_problem(request)
        if problem:
            return problem
        assert body["type"] == 0 and body["count"] <= 49
        # the datacube counts an article's n from 1, the comment API's index from 0
        items = self.comments[f"{body['msg_data_id']}_{body['index'] + 1}"]
        page = items[body["begin"] : body["begin"] + body["count"]]
        return json_response({"errcode": 0, "total": len(items), "comment": page})

    def total(self) -> int:
        return sum(len(items) for items in self.comments.values())


def make_comments(msgid: str, count: int) -> list[dict]:
    """`count` comments on an article, newest first as WeChat lists them."""
    return [
        {
            "user_comment_id": number,
            "openid": f"oAbC-{msgid}-{number % 7}",
            "create_time": 1706100000 + number * 60,
            "content": f"评论{number}：公交线路很方便",
            "comment_type": 1 if number == 3 else 0,
        }
        for number in range(count, 0, -1)
    ]


def json_response(payload, status: int = 200) -> Response:
    return Response(
        json.dumps(payload, ensure_ascii=False), status, content_type="application/json"
    )


def channel_toml(url: str, **extra) -> str:
    keys = {
        "name": "zzrb-wechat",
        "type": "wechat",
        "label": "株洲日报公众号",
        "appid": "wx5f1e2d3c4b5a6978",
        "base_url": url,
        "start_date": "2024-01-24",
        **extra,
    }
    lines = [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in keys.items()]
    return "[[channels]]\n" + "\n".join(lines) + "\n" + FAST


@pytest.fixture(autouse=True)
def wechat_env(monkeypatch):
    """Secrets in the environment, a fixed 'today', an empty token cache."""
    monkeypatch.setenv("ZZRB_WECHAT_SECRET", "app-secret")
    monkeypatch.setenv("MODERATION_PSEUDONYM_KEY", "pseudonym-test-key")
    monkeypatch.setattr(wechat, "local_today", lambda: TODAY)
    wechat_api.forget_tokens()
    yield
    wechat_api.forget_tokens()


@pytest.fixture
def server(httpserver):
    return FakeWeChat(httpserver)


def test_wechat_collects_articles_reads_and_every_comment(server, open_channel):
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.status == "ok", summary.errors
    assert summary.new == server.total() == 180
    assert db.table("stories").count == 3
    story = db.execute(
        "SELECT id, title, published_at, page_views, origin FROM stories WHERE native_id = ?",
        ["2247483650_1"],
    ).fetchone()
    assert story[1:] == (
        "株洲市区新增3条公交线路，1月25日起开通",
        "2024-01-24T00:00:00+08:00",
        8213 + 2550,
        "株洲日报公众号",
    )
    reads = db.execute("SELECT date, reads, shares FROM story_reads WHERE story_id = ?", [story[0]])
    assert reads.fetchall() == [("2024-01-24", 8213, 412), ("2024-01-25", 2550, 96)]
    titles = {row[0] for row in db.execute("SELECT title FROM stories")}
    assert "神农城灯会今晚亮灯 & 交通管制提示" in titles
    # 60 comments per article in pages of 49: two calls each
    assert [body["begin"] for kind, body in server.calls if kind == "comments"] == [0, 49] * 3


def test_wechat_comment_index_counts_from_0_while_the_datacube_counts_from_1(server, open_channel):
    """getarticletotaldetail names a send's first article "<msg_data_id>_1"; comment/list
    wants index 0 for it (its page: 从0开始), so each article's own comments are read."""
    settings, db = open_channel(channel_toml(server.url))
    assert collect(db, settings).status == "ok"
    calls = [body for kind, body in server.calls if kind == "comments"]
    asked = {(body["msg_data_id"], body["index"]) for body in calls}
    assert asked == {(2247483650, 0), (2247483650, 1), (2247483655, 0)}
    rows = db.execute(
        "SELECT s.native_id, c.native_id FROM comments c JOIN stories s ON s.id = c.story_id"
    )
    assert all(comment.startswith(story + ":") for story, comment in rows)


@pytest.mark.parametrize(
    "msgid, ids",
    [
        ("2247483650_1", (2247483650, 0)),
        ("2247483650_3", (2247483650, 2)),
        ("2247483650", (2247483650, 0)),
        ("2247483650_0", (2247483650, 0)),
    ],
)
def test_wechat_article_ids_from_a_datacube_msgid(msgid, ids):
    assert wechat_api.article_ids(msgid) == ids


def test_wechat_author_key_is_keyed_hash_and_openid_is_never_stored(server, open_channel):
    settings, db = open_channel(channel_toml(server.url))
    collect(db, settings)
    keys = {row[0] for row in db.execute("SELECT DISTINCT author_key FROM comments")}
    assert len(keys) == 7 * 3
    assert all(key.startswith("wx:") and len(key) == 3 + 16 for key in keys)
    dump = "\n".join(db.iterdump())
    assert "oAbC-" not in dump
    assert db.execute("SELECT COUNT(*) FROM comments WHERE featured = 1").fetchone()[0] == 3


def test_wechat_collect_twice_stores_nothing_twice(server, open_channel):
    settings, db = open_channel(channel_toml(server.url))
    collect(db, settings)
    second = collect(db, settings)
    assert second.status == "ok"
    assert (second.new, second.updated) == (0, 0)
    assert db.table("comments").count == 180
    assert server.tokens_issued == 1  # the token is cached across runs


def test_wechat_new_comments_are_found_on_the_next_run(server, open_channel):
    settings, db = open_channel(channel_toml(server.url))
    collect(db, settings)
    server.comments["2247483655_1"].insert(0, {**make_comments("x", 1)[0], "user_comment_id": 999})
    summary = collect(db, settings)
    assert summary.new == 1


def test_wechat_edited_comment_is_an_edit_and_leaves_approved(server, open_channel):
    settings, db = open_channel(channel_toml(server.url))
    collect(db, settings)
    comment_id = db.execute(
        "SELECT id FROM comments WHERE native_id = '2247483650_1:5'"
    ).fetchone()[0]
    comment_store.decide(db, comment_id, "approve", actor="mod")
    target = next(c for c in server.comments["2247483650_1"] if c["user_comment_id"] == 5)
    target["content"] = "评论5：修改后的内容"
    summary = collect(db, settings)
    assert summary.updated == 1
    assert comment_store.get_status(db, comment_id) == "pending"
    assert comment_store.edits(db, comment_id)[0]["old_text"] == "评论5：公交线路很方便"


def test_wechat_token_expiring_mid_paging_is_refreshed_once(server, open_channel):
    def expire_token(body, number):
        if number == 3:
            server.valid_tokens.clear()  # WeChat expired TOKEN_1 between two pages

    server.before_comments = expire_token
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.status == "ok", summary.errors
    assert server.tokens_issued == 2
    assert db.table("comments").count == 180


def test_wechat_without_stable_token_gets_the_classic_token(httpserver, open_channel):
    """A server of the classic page only (GET /cgi-bin/token, no stable_token): the
    collector asks for the token there and reads everything."""
    httpserver.expect_request("/cgi-bin/stable_token").respond_with_data("", status=404)
    asked = []

    def classic(request):
        asked.append(dict(request.args))
        return json_response({"access_token": "TOKEN_1", "expires_in": 7200})

    httpserver.expect_request("/cgi-bin/token", method="GET").respond_with_handler(classic)
    server = FakeWeChat(httpserver)
    server.valid_tokens.add("TOKEN_1")
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.status == "ok", summary.errors
    assert summary.new == 180 and server.tokens_issued == 0
    assert asked == [
        {"grant_type": "client_credential", "appid": "wx5f1e2d3c4b5a6978", "secret": "app-secret"}
    ]


def test_wechat_token_refused_twice_is_auth_failed(server, open_channel):
    server.before_comments = lambda body, number: json_response(
        fixture("wechat", "error_token_expired")
    )
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.status == "partial"  # the article pages were stored
    assert "AuthFailed" in summary.errors[0] and "42001" in summary.errors[0]


def test_wechat_repeated_page_from_shifted_offsets_is_stored_once(server, open_channel):
    def new_comment_arrives(body, number):
        if number == 2:  # after the first page: a new comment on top shifts every offset
            items = server.comments["2247483650_1"]
            items.insert(0, {**items[0], "user_comment_id": 61, "content": "刚发的新评论"})

    server.before_comments = new_comment_arrives
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.status == "ok"
    assert summary.fetched == 180  # comment 12 came twice (end of page 1, start of page 2)
    native_ids = [r[0] for r in db.execute("SELECT native_id FROM comments")]
    assert len(native_ids) == len(set(native_ids)) == 180
    assert collect(db, settings).new == 1  # the new one, at offset 0, on the next pass


def test_wechat_quota_45009_stops_the_run_and_is_recorded(server, open_channel):
    server.before_comments = lambda body, number: (
        json_response(fixture("wechat", "error_quota")) if number == 3 else None
    )
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.status == "partial"
    assert summary.retry_later
    assert "RateLimited" in summary.errors[0] and "45009" in summary.errors[0]
    run = db.execute("SELECT status, errors FROM runs WHERE id = ?", [summary.run_id]).fetchone()
    assert run[0] == "partial" and "45009" in run[1]
    assert server.comment_calls == 3


@pytest.mark.parametrize("code", [88000, 88001, 88002])
def test_wechat_article_errors_skip_only_that_article(server, code, open_channel):
    def refuse(body, number):
        if body["msg_data_id"] == 2247483650 and body["index"] == 1:  # 2247483650_2
            return json_response({"errcode": code, "errmsg": "refused"})
        return None

    server.before_comments = refuse
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.status == "ok"
    assert db.table("comments").count == 120
    assert summary.skipped == 1
    assert f"errcode {code}" in summary.notes[0] and "神农城灯会" in summary.notes[0]
    run = db.execute("SELECT skipped, errors FROM runs WHERE id = ?", [summary.run_id]).fetchone()
    assert run[0] == 1 and str(code) in run[1]


def test_wechat_http_500_then_success_is_retried(server, open_channel):
    server.before_comments = lambda body, number: (
        Response("Internal Server Error", 500) if number in (2, 3) else None
    )
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.status == "ok"
    assert db.table("comments").count == 180


def test_wechat_timeout_then_success_is_retried(server, open_channel):
    def slow_once(body, number):
        if number == 1:
            time.sleep(0.7)  # longer than the 0.5 s read timeout
        return None

    server.before_comments = slow_once
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.status == "ok", summary.errors
    assert db.table("comments").count == 180


def test_wechat_invalid_json_is_a_recorded_bad_payload(server, open_channel):
    server.before_comments = lambda body, number: Response('{"errcode": 0, "total": 6', 200)
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.status == "partial"
    assert "BadPayload" in summary.errors[0] and "invalid JSON" in summary.errors[0]


def test_wechat_five_megabyte_comment_page_is_read(server, open_channel):
    for number, item in enumerate(server.comments["2247483650_1"]):
        item["content"] = f"{number}" + "长评论龘" * 9_000  # 49 x 108 kB: a 5.3 MB page
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.status == "ok", summary.errors
    assert db.table("comments").count == 180


def test_wechat_missing_secret_fails_with_the_variable_name(server, monkeypatch, open_channel):
    monkeypatch.delenv("ZZRB_WECHAT_SECRET")
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.status == "failed"
    assert "set the environment variable ZZRB_WECHAT_SECRET" in summary.errors[0]


def test_wechat_killed_run_resumes_with_every_comment_once(server, open_channel):
    def crash_after_three_pages(body, number):
        if number > 3:
            raise RuntimeError("server fell over")  # the test server answers 500

    server.before_comments = crash_after_three_pages
    settings, db = open_channel(channel_toml(server.url))
    first = collect(db, settings)
    assert first.status == "partial"
    assert 0 < db.table("comments").count < 180
    cursor = json.loads(db.execute("SELECT cursor FROM channels").fetchone()[0])
    assert cursor["resume"] == {"article": "2247483650_2", "offset": 49}
    server.before_comments = None
    server.calls.clear()
    second = collect(db, settings)
    assert second.status == "ok"
    native_ids = [r[0] for r in db.execute("SELECT native_id FROM comments")]
    assert len(native_ids) == len(set(native_ids)) == 180
    resumed = [body for kind, body in server.calls if kind == "comments"]
    assert (resumed[0]["msg_data_id"], resumed[0]["index"], resumed[0]["begin"]) == (
        2247483650,
        1,  # 2247483650_2: the send's second article
        49,
    )


def test_wechat_comment_parsing_from_documented_payload():
    channel = type("Channel", (), {"name": "zzrb-wechat", "label": "株洲日报公众号"})()
    collector = wechat.Collector.__new__(wechat.Collector)
    collector.channel, collector.origin = channel, "株洲日报公众号"
    collector.author_hash_key = wechat.pseudonym_key(channel, None)
    items = fixture("wechat", "comment_list")["comment"]
    comments = [collector.comment("2247483650_1", item) for item in items]
    assert comments[0].text == "终于有直达高铁站的公交了 👍 <点赞> & 感谢"
    assert comments[0].featured and not comments[1].featured
    assert comments[1].text == "生僻字测试 𠀀 𪚥 龘，家门口的站牌还没换"
    assert comments[1].created_at == "2024-01-24T23:00:00+00:00"  # string timestamp
    assert comments[0].native_id == "2247483650_1:10003"
    assert comments[0].raw["openid"] == comments[0].author_key
    assert comments[0].raw["reply"]["content"] == "感谢您的关注！"


@pytest.mark.parametrize(
    "item, message",
    [
        (
            {"user_comment_id": 1, "openid": 5, "create_time": 1706133600, "content": "x"},
            "'openid' should be str",
        ),
        (
            {"user_comment_id": 1, "openid": "o", "create_time": "soon", "content": "x"},
            "could not convert",
        ),
        (
            {"user_comment_id": 1, "openid": "o", "create_time": 1706133600, "content": 5},
            "'content' should be str",
        ),
        ("not an object", "expected an object"),
    ],
)
def test_wechat_malformed_comment_is_skipped_with_reason(item, message):
    collector = wechat.Collector.__new__(wechat.Collector)
    collector.origin, collector.author_hash_key = "x", "k"
    page = wechat.Page()
    collector.add_comment(page, "1_1", item, set())
    assert page.comments == []
    assert message in page.skipped[0]


def test_wechat_comment_without_openid_is_kept_under_an_author_of_its_own(server, open_channel):
    """comment/list omits openid for a reader commenting under a non-WeChat identity (its
    page: 不返回openid); such a comment is stored, each one its own pseudonymous author."""
    for item in server.comments["2247483650_1"][:2]:
        del item["openid"]
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.status == "ok" and summary.skipped == 0, summary.notes
    assert summary.new == server.total() == 180
    rows = db.execute(
        "SELECT author_key FROM comments WHERE native_id IN (?, ?)",
        ["2247483650_1:60", "2247483650_1:59"],
    ).fetchall()
    keys = {row[0] for row in rows}
    assert len(keys) == 2 and all(key.startswith("wx:") for key in keys)


def test_wechat_raw_control_characters_and_a_bad_byte_in_a_page_keep_the_comments(
    server, open_channel
):
    """WeChat is known to send a reader's line break raw inside a JSON string (and now and
    then a byte that is not UTF-8): the page is read, not refused on every run."""

    def sloppy(body, number):
        if body["index"] != 0 or body["begin"] != 0 or body["msg_data_id"] != 2247483650:
            return None
        page = server.comments["2247483650_1"][: body["count"]]
        page[0] = {**page[0], "content": "第一行\n第二行\t完"}
        data = json.dumps({"errcode": 0, "total": 60, "comment": page}, ensure_ascii=False)
        data = data.encode().replace(b"\\n", b"\n").replace(b"\\t", b"\t")
        data = data.replace("完".encode(), b"\xff")
        return Response(data, 200, content_type="text/plain")

    server.before_comments = sloppy
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.status == "ok", summary.errors
    assert summary.new == 180
    text = db.execute("SELECT text FROM comments WHERE native_id = '2247483650_1:60'").fetchone()
    assert text[0] == "第一行\n第二行\t\ufffd"


def test_wechat_wrong_envelope_is_bad_payload(server, open_channel):
    server.before_comments = lambda body, number: json_response({"errcode": 0, "total": "many"})
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert "field 'total' should be int" in summary.errors[0]


def test_wechat_numbers_sent_as_strings_are_read(server, open_channel):
    """A gateway that quotes errcode and total ("0", "60") loses nothing; only a value that
    is not a number stops the run (above)."""

    def quoted(body, number):
        items = server.comments[f"{body['msg_data_id']}_{body['index'] + 1}"]
        page = items[body["begin"] : body["begin"] + body["count"]]
        return json_response({"errcode": "0", "total": str(len(items)), "comment": page})

    server.before_comments = quoted
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.status == "ok", summary.errors
    assert summary.new == server.total() == 180


def test_wechat_malformed_article_is_skipped_others_kept(server, open_channel):
    server.articles[1] = {**server.articles[1], "title": None}
    server.articles.append({"ref_date": "2024-01-25", "msgid": 7, "title": "x"})
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.status == "ok"
    assert db.table("stories").count == 2
    assert any("'title' is missing" in note for note in summary.notes)
    assert any("'msgid' should be str" in note for note in summary.notes)
    with pytest.raises(BadPayload, match="expected an object"):
        wechat.Collector.story(None, ["not", "an", "article"])


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"comment_page_size": 50}, "comment_page_size"),
        ({"appsecret": "inline"}, "appsecret: unknown key"),
        ({"start_date": "24/01/2024"}, "start_date"),
    ],
)
def test_wechat_bad_options_are_rejected_at_load(tmp_path, extra, message):
    with pytest.raises(SettingsError, match=message):
        channel_settings(tmp_path, channel_toml("http://127.0.0.1:1", **extra))
