"""Bad input never breaks a page: arbitrary Unicode, huge numbers, out-of-range dates, NUL
and invalid UTF-8 in every query parameter and form field give a page or a clear 4xx."""

from __future__ import annotations

import pytest

from tests.security.conftest import login_as

HUGE = "99999999999999999999"  # > 2**63: SQLite cannot bind it


def assert_clear(response) -> None:
    """Not a server error; an error page says what was wrong, without a traceback."""
    assert response.status_code < 500, response.status_code
    if response.status_code >= 400 and response.mimetype == "text/html":
        body = response.get_data(as_text=True)
        assert "Traceback" not in body
        assert "<h1>" in body or "<title>" in body


@pytest.mark.parametrize(
    "url",
    [
        f"/stories/{HUGE}",
        f"/groups/{HUGE}",
        f"/editions/2024-01-25/archive/{HUGE}",
    ],
)
def test_huge_ids_in_paths_are_not_found(client, world, url):
    login_as(client, world["users"]["admin"])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        f"/comments/{HUGE}/approve",
        f"/comments/{HUGE}/claim",
        f"/groups/{HUGE}/reject",
        f"/admin/users/{HUGE}/role",
        f"/editions/2024-01-25/sections/{HUGE}",
    ],
)
def test_huge_ids_in_post_paths_are_not_found(client, world, url):
    login_as(client, world["users"]["admin"])
    assert client.post(url, data={"role": "editor", "heading": "x"}).status_code == 404
