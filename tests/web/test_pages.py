"""Every dashboard page renders for a logged-in user, with no inline script or style."""

import re

import pytest

from moderation.web.security import CONTENT_SECURITY_POLICY

PAGES = [
    "/",
    "/?queue=flagged",
    "/?queue=editor",
    "/?queue=approved",
    "/?queue=rejected",
    "/?queue=all&order=liked",
    "/?queue=all&order=negative&smin=0.1&smax=0.9",
    "/?queue=pending&order=oldest&since=2024-01-20&until=2024-01-22&channel=demo",
    "/approved",
    "/search?q=环卫工人",
    "/search?q=雪",
    "/stories",
    "/stories/2",
    "/overview",
    "/admin/users",
]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<style|\sstyle\s*=", re.I)


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_without_inline_code(client, collected, login, path):
    login("admin")
    response = client.get(path)
    assert response.status_code == 200, path
    html = response.get_data(as_text=True)
    assert not INLINE_SCRIPT.search(html)
    assert not INLINE_HANDLER.search(html)
    assert not INLINE_STYLE.search(html)
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_static_files_are_served(client):
    assert client.get("/static/dashboard.js").status_code == 200
    assert client.get("/static/dashboard.css").status_code == 200


def test_security_headers_on_every_response(client):
    for response in (client.get("/login"), client.get("/"), client.post("/comments/1/approve")):
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_unshown_messages_do_not_grow_the_session_cookie(client, auth):
    auth.login("admin")
    for _ in range(60):
        client.post("/admin/users", data={"name": "", "role": "moderator", "password": "x"})
    cookie = client.get_cookie("session")
    assert cookie is not None and len(cookie.value) < 2000


def test_a_message_echoing_a_huge_value_is_cut(client, auth):
    auth.login("admin")
    client.post("/admin/users", data={"name": "x", "role": "r" * 50_000, "password": "y" * 9})
    cookie = client.get_cookie("session")
    assert cookie is not None and len(cookie.value) < 2000


def test_an_address_that_is_not_utf8_is_explained_in_chinese(client, auth):
    auth.login("editor")
    response = client.get("/search", environ_overrides={"QUERY_STRING": "q=\xff\xfe"})
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "网址中含有无法识别的字符" in text
    assert "percent-encode" not in text
