"""The shared HTTP layer: retries, timeouts, size cap and JSON checks over real HTTP."""

from __future__ import annotations

import threading
import time

import pytest
from werkzeug import Response

from moderation.collectors.base import AuthFailed, BadPayload, ChannelUnavailable, RateLimited
from moderation.collectors.http import HttpClient, HttpOptions, field, secret_from_env
from tests.processes import HANG_GUARD

FAST = HttpOptions(
    connect_timeout=1.0,
    read_timeout=5.0,  # a hang guard: a loaded machine can be slow to answer a fast call
    call_timeout=5.0,
    max_attempts=3,
    backoff_seconds=0.01,
    max_wait_seconds=0.5,
)


SHORT_READ = 0.3  # for the tests of a timeout: the server takes longer on purpose


def client(**changes) -> HttpClient:
    """A client with tiny backoffs, recording its waits instead of sleeping long."""
    options = HttpOptions(**{**FAST.__dict__, **changes})
    http = HttpClient(options, "test")
    http.waits = []
    http.sleep = http.waits.append
    return http


def sequence(*responses):
    """A handler answering each response in turn, then repeating the last one."""
    answers = list(responses)

    def handler(request):
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        return answer if isinstance(answer, Response) else answer()

    return handler


def test_http_500_then_success_retries_with_backoff(httpserver):
    httpserver.expect_request("/x").respond_with_handler(
        sequence(Response("oops", 500), Response("oops", 503), Response('{"ok": 1}'))
    )
    http = client()
    assert http.json("GET", httpserver.url_for("/x")) == {"ok": 1}
    assert http.waits == [0.01, 0.02]


def test_http_500_forever_becomes_channel_unavailable(httpserver):
    httpserver.expect_request("/x").respond_with_data("down for maintenance", status=500)
    http = client()
    with pytest.raises(ChannelUnavailable, match="after 3 attempt.*HTTP 500.*maintenance"):
        http.json("GET", httpserver.url_for("/x"))
    assert len(http.waits) == 2


def test_http_total_wait_is_bounded(httpserver):
    httpserver.expect_request("/x").respond_with_data("", status=502)
    http = client(max_attempts=50, backoff_seconds=0.1, max_wait_seconds=0.35)
    with pytest.raises(ChannelUnavailable):
        http.json("GET", httpserver.url_for("/x"))
    assert http.waits == [0.1, 0.2]


def test_http_429_exhausted_is_rate_limited(httpserver):
    httpserver.expect_request("/x").respond_with_data("slow down", status=429)
    with pytest.raises(RateLimited):
        client().json("GET", httpserver.url_for("/x"))


def test_http_timeout_then_success(httpserver):
    http = client(read_timeout=SHORT_READ)
    gave_up = threading.Event()
    http.sleep = lambda seconds: (http.waits.append(seconds), gave_up.set())

    def late():
        gave_up.wait(HANG_GUARD)  # answers once the client timed out: the retry finds it free
        return Response('{"late": true}')

    httpserver.expect_request("/x").respond_with_handler(sequence(late, Response('{"ok": 2}')))
    assert http.json("GET", httpserver.url_for("/x")) == {"ok": 2}
    assert len(http.waits) == 1


def test_http_timeout_forever_is_channel_unavailable(httpserver):
    def slow(request):
        time.sleep(SHORT_READ + 0.1)
        return Response("{}")

    httpserver.expect_request("/x").respond_with_handler(slow)
    with pytest.raises(ChannelUnavailable, match="timed out"):
        client(max_attempts=2, read_timeout=SHORT_READ).json("GET", httpserver.url_for("/x"))


def test_http_connection_refused_is_channel_unavailable():
    with pytest.raises(ChannelUnavailable, match="connection failed"):
        client().json("GET", "http://127.0.0.1:9/nothing-listens-here")


@pytest.mark.parametrize(
    "body, message",
    [
        (b"<html>502 Bad Gateway</html>", "invalid JSON.*502 Bad Gateway"),
        (b'{"truncated": ', "invalid JSON"),
        (b"\xff\xfe not utf-8", "invalid JSON"),
        (b"[1, 2]", "JSON list, expected dict"),
    ],
)
def test_http_bad_json_is_bad_payload_with_excerpt(httpserver, body, message):
    httpserver.expect_request("/x").respond_with_data(body)
    with pytest.raises(BadPayload, match=message):
        client().json("GET", httpserver.url_for("/x"))


def test_http_five_megabyte_body_is_read(httpserver):
    big = '{"items": ["' + "龘" * (5 * 1024 * 1024 // 3) + '"]}'
    httpserver.expect_request("/x").respond_with_data(big.encode("utf-8"))
    payload = client().json("GET", httpserver.url_for("/x"))
    assert len(payload["items"][0]) == 5 * 1024 * 1024 // 3


def test_http_body_over_the_cap_is_refused(httpserver):
    httpserver.expect_request("/x").respond_with_data(b"[" + b"1," * 600_000 + b"1]")
    with pytest.raises(BadPayload, match="more than 1 MB"):
        client(max_body_mb=1).json("GET", httpserver.url_for("/x"), expect=list)


def test_http_body_over_the_cap_without_length_is_refused(httpserver):
    def chunked(request):
        return Response((b"x" * 65536 for _ in range(40)), direct_passthrough=True)

    httpserver.expect_request("/x").respond_with_handler(chunked)
    with pytest.raises(BadPayload, match="more than 1 MB"):
        client(max_body_mb=1).send("GET", httpserver.url_for("/x"))


def test_http_401_is_auth_failed_and_hides_query(httpserver):
    httpserver.expect_request("/x").respond_with_data("bad token", status=401)
    with pytest.raises(AuthFailed) as raised:
        client().json("GET", httpserver.url_for("/x"), params={"access_token": "SECRET"})
    assert "SECRET" not in str(raised.value)


def test_http_json_body_is_sent_as_utf8(httpserver):
    httpserver.expect_request("/x", method="POST", json={"title": "株洲 𠀀"}).respond_with_json(
        {"ok": True}
    )
    assert client().json("POST", httpserver.url_for("/x"), json_body={"title": "株洲 𠀀"})


@pytest.mark.parametrize(
    "item, kind, message",
    [
        ({}, str, "'name' is missing"),
        ({"name": 3}, str, "'name' should be str, got int 3"),
        ({"name": True}, int, "'name' should be int, got bool"),
    ],
)
def test_field_names_the_bad_field(item, kind, message):
    with pytest.raises(BadPayload, match=message):
        field(item, "name", kind, "story 1")


def test_field_default_for_missing_or_null():
    assert field({"likes": None}, "likes", int, "c", default=0) == 0


def test_secret_from_env_names_the_variable(monkeypatch):
    monkeypatch.delenv("ZZRB_TEST_SECRET", raising=False)
    with pytest.raises(AuthFailed, match="set the environment variable ZZRB_TEST_SECRET"):
        secret_from_env("ZZRB_TEST_SECRET", "the secret")
    monkeypatch.setenv("ZZRB_TEST_SECRET", "s3")
    assert secret_from_env("ZZRB_TEST_SECRET", "the secret") == "s3"
