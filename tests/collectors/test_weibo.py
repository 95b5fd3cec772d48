"""Weibo collector over real HTTP: since_id/max_id paging, rate limits, resume."""

from __future__ import annotations

import json

import pytest
from werkzeug import Response

from moderation.collectors import weibo
from moderation.settings import SettingsError
from tests.collectors.conftest import FAST, channel_settings, collect, fixture

STATUS_A = "4990000000000001"
STATUS_B = "4990000000000002"
FIRST_ID = 5_000_000_000_000_000


class FakeWeibo:
    """comments/show.json: newest first, since_id exclusive, max_id inclusive, count."""

    def __init__(self, httpserver, per_status: int = 23):
        self.url = httpserver.url_for("").rstrip("/")
        self.next_id = FIRST_ID
        self.comments: dict[str, list[dict]] = {STATUS_A: [], STATUS_B: []}
        for status in self.comments:
            for _ in range(per_status):
                self.add(status, "说得好")
        self.requests: list[dict] = []
        self.before = None  # hook(args, number) -> Response | None
        self.hidden: set[int] = set()  # ids Weibo filters out of the pages they fall on
        self.cursors = True  # answer next_cursor, as the documented payload does
        httpserver.expect_request("/2/comments/show.json").respond_with_handler(self.show)

    def add(self, status: str, text: str) -> None:
        self.next_id += 1
        self.comments[status].append(
            {
                "created_at": "Thu Jan 25 21:03:11 +0800 2024",
                "id": self.next_id,
                "idstr": str(self.next_id),
                "text": f"{text}{self.next_id - FIRST_ID}",
                "like_count": 1,
                "user": {"id": 1878000000 + self.next_id % 4, "screen_name": "株洲网友"},
            }
        )

    def show(self, request):
        args = dict(request.args)
        self.requests.append(args)
        if self.before:
            answer = self.before(args, len(self.requests))
            if answer is not None:
                return answer
        assert args["access_token"] == "weibo-token"
        since = int(args["since_id"])
        top = int(args.get("max_id", 2**62))
        matching = [c for c in self.comments[args["id"]] if since < c["id"] <= top]
        matching.sort(key=lambda c: -c["id"])
        page = matching[: int(args["count"])]
        body = {
            "comments": [c for c in page if c["id"] not in self.hidden],
            "total_number": len(matching),
        }
        if self.cursors:  # the next page's max_id, 0 at the end
            body["next_cursor"] = page[-1]["id"] - 1 if len(matching) > len(page) else 0
        return Response(json.dumps(body, ensure_ascii=False), content_type="application/json")

    def total(self) -> int:
        return sum(len(items) for items in self.comments.values())


def error(name: str, status: int = 400) -> Response:
    return Response(json.dumps(fixture("weibo", name)), status, content_type="application/json")


def channel_toml(url: str, **extra) -> str:
    keys = {
        "name": "weibo",
        "type": "weibo",
        "label": "株洲日报微博",
        "base_url": url,
        "count": 10,
        **extra,
    }
    lines = [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in keys.items()]
    statuses = (
        f'[[channels.statuses]]\nid = "{STATUS_A}"\n'
        'title = "株洲市区新增3条公交线路，1月25日起开通"\npublished = "2024-01-24"\n'
        f'[[channels.statuses]]\nid = "{STATUS_B}"\ntitle = "神农城灯会今晚亮灯"\n'
    )
    return "[[channels]]\n" + "\n".join(lines) + "\n" + FAST + statuses


@pytest.fixture(autouse=True)
def weibo_token(monkeypatch):
    monkeypatch.setenv("ZZRB_WEIBO_TOKEN", "weibo-token")


@pytest.fixture
def server(httpserver):
    return FakeWeibo(httpserver)


def saved_cursor(db) -> dict:
    return json.loads(db.execute("SELECT cursor FROM channels").fetchone()[0])


def test_weibo_collects_every_comment_paging_down(server, open_channel):
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.status == "ok", summary.errors
    assert summary.new == server.total() == 46
    assert [r["max_id"] for r in server.requests[:3] if "max_id" in r] == [
        str(FIRST_ID + 13),
        str(FIRST_ID + 3),
    ]
    cursor = saved_cursor(db)["statuses"]
    assert cursor[STATUS_A] == {"since_id": str(FIRST_ID + 23), "max_id": None, "top": None}
    story = db.execute(
        "SELECT title, published_at, origin FROM stories WHERE native_id = ?", [STATUS_A]
    ).fetchone()
    assert story == (
        "株洲市区新增3条公交线路，1月25日起开通",
        "2024-01-24T00:00:00+08:00",
        "株洲日报微博",
    )


def test_weibo_next_run_asks_since_id_and_finds_only_new(server, open_channel):
    settings, db = open_channel(channel_toml(server.url))
    collect(db, settings)
    server.add(STATUS_A, "新评论")
    server.requests.clear()
    summary = collect(db, settings)
    assert (summary.new, summary.fetched) == (1, 1)
    assert server.requests[0]["since_id"] == str(FIRST_ID + 23)
    assert len(server.requests) == 2  # one short page per status


def test_weibo_comment_fields_from_documented_payload(httpserver, open_channel):
    httpserver.expect_request("/2/comments/show.json").respond_with_json(
        fixture("weibo", "comments_show")
    )
    settings, db = open_channel(channel_toml(httpserver.url_for("").rstrip("/")))
    assert collect(db, settings).new == 3
    rows = {
        row["native_id"]: row
        for row in db.query("SELECT * FROM comments WHERE story_id = 1 ORDER BY native_id")
    }
    first = rows["5000000000000003"]
    assert first["text"] == "回复@株洲日报:早班车 & 晚班车都要加 😀 <建议>"
    assert first["author_name"] == "株洲吃货小分队"
    assert first["author_key"] == "wb:1878000001"
    assert first["created_at"] == "2024-01-25T13:03:11+00:00"
    assert first["reply_to"] == "5000000000000001"
    assert first["likes"] == 4
    assert rows["5000000000000002"]["text"] == "𠀀 𪚥 龘 这几个字都能显示吗"


def test_weibo_ids_and_counts_given_as_strings_keep_the_comment(httpserver, open_channel):
    """An id sent as digits in a string (without idstr) and a like_count as a string or of
    an odd type: the comment is stored, not skipped."""
    payload = fixture("weibo", "comments_show")
    first, second, third = payload["comments"]
    first["like_count"] = "4"
    second["like_count"] = {"total": 9}
    third["id"] = str(third["id"])
    httpserver.expect_request("/2/comments/show.json").respond_with_json(payload)
    settings, db = open_channel(channel_toml(httpserver.url_for("").rstrip("/")))
    summary = collect(db, settings)
    assert summary.new == 3 and summary.skipped == 0, summary.notes
    likes = dict(db.execute("SELECT native_id, likes FROM comments").fetchall())
    assert likes == {"5000000000000003": 4, "5000000000000002": 0, "5000000000000001": 0}


@pytest.mark.parametrize("code", [10022, 10023, 10024])
def test_weibo_rate_limit_stops_until_next_run(server, code, open_channel):
    def limited(args, number):
        if number == 2:
            return Response(json.dumps({"error_code": code, "error": "out of rate limit"}), 403)
        return None

    server.before = limited
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.status == "partial" and summary.retry_later
    assert f"error_code {code}" in summary.errors[0] and "next run" in summary.errors[0]
    assert len(server.requests) == 2  # no retries inside the run
    server.before = None
    collect(db, settings)
    assert db.table("comments").count == 46


@pytest.mark.parametrize("status", [403, 503, 500])
def test_weibo_rate_limit_in_any_status_is_a_rate_limit_not_an_outage(server, status, open_channel):
    def limited(args, number):
        if number == 2:
            body = {"error_code": 10023, "error": "User requests out of rate limit!"}
            return Response(json.dumps(body), status)
        return None

    server.before = limited
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.status == "partial" and summary.retry_later
    assert "RateLimited" in summary.errors[0] and "10023" in summary.errors[0]
    assert len(server.requests) == 2  # a spent quota is not asked again within the run
    server.before = None
    collect(db, settings)
    assert db.table("comments").count == 46


def test_weibo_plain_503_is_retried_then_an_outage(server, open_channel):
    server.before = lambda args, number: Response("Service Unavailable", 503)
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.status == "failed" and "ChannelUnavailable" in summary.errors[0]
    assert len(server.requests) > 1


def test_weibo_expired_token_is_auth_failed(server, open_channel):
    server.before = lambda args, number: error("error_token_expired")
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.status == "failed"
    assert "AuthFailed" in summary.errors[0] and "21327" in summary.errors[0]


def test_weibo_deleted_post_is_skipped_with_reason(server, open_channel):
    def deleted(args, number):
        if args["id"] == STATUS_A:
            return Response(
                json.dumps({"error_code": 20101, "error": "target weibo does not exist!"}), 400
            )
        return None

    server.before = deleted
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.status == "ok"
    assert summary.new == 23 and summary.skipped == 1
    assert "20101" in summary.notes[0]


def test_weibo_killed_run_resumes_at_max_id_with_every_comment_once(server, open_channel):
    def crash(args, number):
        if number >= 2:
            raise RuntimeError("weibo gateway crashed")

    server.before = crash
    settings, db = open_channel(channel_toml(server.url))
    first = collect(db, settings)
    assert first.status == "partial" and db.table("comments").count == 10
    entry = saved_cursor(db)["statuses"][STATUS_A]
    assert entry == {"since_id": "0", "max_id": str(FIRST_ID + 13), "top": str(FIRST_ID + 23)}
    server.before = None
    server.add(STATUS_A, "中断期间的新评论")  # newer than top: found by the next pass
    second = collect(db, settings)
    assert second.status == "ok"
    native_ids = [r[0] for r in db.execute("SELECT native_id FROM comments")]
    assert len(native_ids) == len(set(native_ids)) == 46
    third = collect(db, settings)
    assert third.new == 1


def test_weibo_timeout_and_500_are_retried(server, open_channel):
    import time

    def flaky(args, number):
        if number == 1:
            time.sleep(0.7)
        if number == 3:
            return Response("bad gateway", 502)
        return None

    server.before = flaky
    settings, db = open_channel(channel_toml(server.url))
    assert collect(db, settings).new == 46


def test_weibo_bad_comment_is_skipped_paging_goes_on(server, open_channel):
    server.comments[STATUS_A][5]["created_at"] = "yesterday"
    server.comments[STATUS_A][6]["user"] = "someone"
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.new == 44 and summary.skipped == 2
    assert any("'user' should be dict" in note for note in summary.notes)
    assert any("does not match format" in note for note in summary.notes)


def test_weibo_invalid_json_is_bad_payload(server, open_channel):
    server.before = lambda args, number: Response("<html>upstream error</html>", 200)
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.status == "failed" and "invalid JSON" in summary.errors[0]


@pytest.mark.parametrize(
    "statuses, message",
    [
        ('[[channels.statuses]]\nid = "abc"\ntitle = "t"\n', r"statuses\[0\].id"),
        ('[[channels.statuses]]\nid = "1"\n', r"statuses\[0\].title: missing"),
        ('[[channels.statuses]]\nid = "1"\ntitle = "t"\nmid = "x"\n', "mid: unknown key"),
    ],
)
def test_weibo_bad_statuses_are_rejected_at_load(tmp_path, statuses, message):
    channels = '[[channels]]\nname = "weibo"\ntype = "weibo"\n' + statuses
    with pytest.raises(SettingsError, match=message):
        channel_settings(tmp_path, channels)


def test_weibo_missing_token_env(server, monkeypatch, open_channel):
    monkeypatch.delenv("ZZRB_WEIBO_TOKEN")
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert "set the environment variable ZZRB_WEIBO_TOKEN" in summary.errors[0]
    assert weibo.Options.__dataclass_fields__["access_token_env"].default == "ZZRB_WEIBO_TOKEN"


# Issue 20, item 10: short pages, string error codes, deleted accounts.


@pytest.mark.parametrize("cursors", [True, False], ids=["next_cursor", "no-cursor"])
def test_weibo_short_pages_do_not_end_the_pass(server, cursors, open_channel):
    """Weibo filters hidden comments out of a page: a page shorter than `count` is not the
    end (against such a stand-in 11 of 191 comments were never stored)."""
    server.cursors = cursors
    server.hidden = {FIRST_ID + 20, FIRST_ID + 21, FIRST_ID + 8}  # on pages 1 and 2 of A
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.status == "ok"
    assert summary.new == server.total() - 3 == 43
    server.hidden = set()
    again = collect(db, settings)  # since_id is the top: the hidden ones stay behind it
    assert again.new == 0


def test_weibo_pass_ends_at_since_id_without_an_extra_call(server, open_channel):
    settings, db = open_channel(channel_toml(server.url))
    collect(db, settings)
    for _ in range(12):
        server.add(STATUS_A, "新评论")
    server.requests.clear()
    assert collect(db, settings).new == 12
    assert [r["id"] for r in server.requests] == [STATUS_A, STATUS_A, STATUS_B]


@pytest.mark.parametrize(
    "code, expected",
    [("10023", "RateLimited"), ("21327", "AuthFailed"), (" 10022 ", "RateLimited")],
)
def test_weibo_error_code_given_as_a_string(server, code, expected, open_channel):
    server.before = lambda args, number: Response(
        json.dumps({"error_code": code, "error": "..."}), 403
    )
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.errors and summary.errors[0].startswith(expected), summary.errors


def test_weibo_deleted_post_given_as_a_string_code_is_skipped(server, open_channel):
    def deleted(args, number):
        if args["id"] == STATUS_A:
            return Response(json.dumps({"error_code": "20101", "error": "deleted"}), 400)
        return None

    server.before = deleted
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.status == "ok" and summary.new == 23 and "20101" in summary.notes[0]


def test_weibo_comment_of_a_deleted_account_is_kept_with_a_placeholder(server, open_channel):
    server.comments[STATUS_A][5]["user"] = None
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.new == 46 and summary.skipped == 0
    row = db.execute(
        "SELECT author_key, author_name FROM comments WHERE native_id = ?", [str(FIRST_ID + 6)]
    ).fetchone()
    assert row == (f"wb:deleted:{FIRST_ID + 6}", weibo.DELETED_USER_NAME)


def test_weibo_digits_int_cannot_read_are_not_numbers(server, open_channel):
    """str.isdigit() says yes to ① and ², which int() refuses: such an id skips its comment
    and such a like count reads as 0, and the rest of the pass is kept."""
    server.comments[STATUS_A][5]["idstr"] = "①"
    server.comments[STATUS_A][6]["like_count"] = "²"
    settings, db = open_channel(channel_toml(server.url))
    summary = collect(db, settings)
    assert summary.status == "ok", summary.errors
    assert summary.new == 45 and summary.skipped == 1
    assert any("'①' is not a number" in note for note in summary.notes)
