"""Issue 24's Low items on the shared HTTP layer (robots, push and collectors use it): a
call with a body follows no redirect (a 307 re-POSTed the body), a redirect loop ends the
call, and a host written as an odd IP literal (http://0x7f000001) is refused."""

from __future__ import annotations

import pytest
from werkzeug import Response

from moderation.collectors.base import ChannelUnavailable
from moderation.collectors.http import HttpClient, HttpOptions, check_url

FAST = HttpOptions(
    connect_timeout=1, read_timeout=1, call_timeout=5, max_attempts=2, backoff_seconds=0.01
)


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)


@pytest.fixture
def client():
    made = HttpClient(FAST, "robot")
    yield made
    made.close()


def test_a_post_is_not_sent_on_to_a_307s_target(httpserver, client):
    target = httpserver.url_for("/elsewhere")
    httpserver.expect_request("/hook", method="POST").respond_with_response(
        Response(status=307, headers={"Location": target})
    )
    reply = client.send("POST", httpserver.url_for("/hook"), json_body={"text": "告警"})
    assert reply.status == 307
    assert [request.path for request, _ in httpserver.log] == ["/hook"]  # nothing re-POSTed


def test_a_get_still_follows_an_ordinary_redirect(httpserver, client):
    httpserver.expect_request("/old").respond_with_response(
        Response(status=301, headers={"Location": httpserver.url_for("/new")})
    )
    httpserver.expect_request("/new").respond_with_json({"ok": True})
    assert client.json("GET", httpserver.url_for("/old")) == {"ok": True}


def test_a_redirect_loop_ends_the_call_with_a_clear_error(httpserver, client):
    httpserver.expect_request("/loop").respond_with_response(
        Response(status=302, headers={"Location": httpserver.url_for("/loop")})
    )
    with pytest.raises(ChannelUnavailable, match="redirects"):
        client.send("GET", httpserver.url_for("/loop"))
    assert len(httpserver.log) <= 6  # one try, five redirects: no retries of a loop


@pytest.mark.parametrize(
    "url",
    [
        "http://0x7f000001/hook",
        "http://2130706433/hook",
        "http://0177.0.0.1/hook",
        "http://127.1/hook",
        "http://0x7f.0.0.1/hook",
        "ftp://127.0.0.1/hook",
        "http:///hook",
    ],
)
def test_odd_ip_literals_and_other_schemes_are_refused(url, client):
    with pytest.raises(ValueError):
        check_url(url)
    with pytest.raises(ChannelUnavailable, match="refused URL"):
        client.send("POST", url, json_body={})


@pytest.mark.parametrize(
    "url",
    [
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
        "http://127.0.0.1:8080/hook",
        "https://cafe.example.com/x",
        "http://[::1]:5000/",
        "https://10.2.3.4/",
    ],
)
def test_ordinary_urls_pass(url):
    check_url(url)


def test_a_robot_with_an_odd_ip_literal_is_a_config_error(tmp_path):
    from moderation.declare import SettingsError
    from moderation.settings import load_settings
    from tests.helpers import write_config

    robot = (
        '[alerts]\ntargets = [{name = "值班群", type = "wecom", key_env = "ROBOT_KEY", '
        'url = "http://0x7f000001/send"}]\n'
    )
    with pytest.raises(SettingsError, match="unusual form"):
        load_settings(write_config(tmp_path, robot))
