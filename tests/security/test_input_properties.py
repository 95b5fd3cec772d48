"""Bad input never breaks a page: arbitrary Unicode, huge numbers, out-of-range dates, NUL
and invalid UTF-8 in every query parameter and form field give a page or a clear 4xx."""

from __future__ import annotations

import base64
import json

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


@pytest.mark.parametrize(
    "url",
    [
        f"/?story={HUGE}",
        f"/?queue=all&story=-{HUGE}",
        f"/search?q=雪花飘&before={HUGE}",
        f"/search?q=雪&before={HUGE}",
        f"/editions/2024-01-25?story={HUGE}",
    ],
)
def test_huge_numbers_in_query_strings_are_ignored(client, world, url):
    login_as(client, world["users"]["admin"])
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("url", "form", "status"),
    [
        ("/comments/bulk", {"action": "approve", "ids": HUGE}, 400),
        ("/editions/2024-01-25/sections", {"story_id": HUGE}, 302),
        ("/editions/2024-01-25/quotes", {"section_id": HUGE, "comment_id": "1"}, 302),
        ("/editions/2024-01-25/quotes", {"section_id": "1", "comment_id": HUGE}, 302),
        ("/editions/2024-01-25/order", {"kind": "quote", "parent_id": HUGE, "ids": "1"}, 302),
        ("/editions/2024-01-25/order", {"kind": "section", "ids": HUGE}, 400),
    ],
)
def test_huge_numbers_in_forms_are_refused_clearly(client, world, url, form, status):
    login_as(client, world["users"]["admin"])
    response = client.post(url, data=form)
    assert response.status_code == status
    assert_clear(response)


def cursor(value, comment_id) -> str:
    """An `after` token carrying any JSON values."""
    raw = json.dumps([value, comment_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "after",
    [
        cursor("2024-01-01", 10**20),
        cursor(10**20, 5),
        cursor(-(10**20), 5),
        cursor(1e308, 5),
        "not base64 ✓",
        "%%%",
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_bad_after_cursors_start_from_the_top(client, world, after):
    login_as(client, world["users"]["admin"])
    for order in ("newest", "oldest", "negative", "liked"):
        response = client.get("/", query_string={"queue": "all", "order": order, "after": after})
        assert response.status_code == 200, order


@pytest.mark.parametrize(
    "query",
    [
        "since=0001-01-01",
        "until=0001-01-01",
        "until=9999-12-31",
        "since=9999-12-31",
        "since=2024-13-45&until=not-a-date",
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_ignored(client, world, query):
    login_as(client, world["users"]["admin"])
    assert client.get(f"/?queue=all&{query}").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "to=0001-01-01",
        "to=0001-01-03",
        "from=0001-01-01&to=0001-01-05",
        "from=9999-12-25&to=9999-12-31",
        "from=2024-01-05&to=2024-01-01",
        "from=junk",
    ],
)
def test_ranking_range_out_of_the_calendar_is_a_400(client, world, query):
    login_as(client, world["users"]["admin"])
    for url in ("/ranking/", "/ranking/export.txt"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400, url
        assert "2024-01-25" in response.get_data(as_text=True) or "range" in response.get_data(
            as_text=True
        )


def test_one_megabyte_field_is_accepted_and_cut(client, world):
    login_as(client, world["users"]["admin"])
    url = f"/editions/2024-01-25/sections/{world['section_id']}"
    response = client.post(url, data={"heading": "标题", "intro": "x" * 1_000_000})
    assert response.status_code == 302


@pytest.mark.parametrize("field", ["ids", "note", "intro"])
def test_oversized_request_is_a_clear_413(client, world, field):
    login_as(client, world["users"]["admin"])
    response = client.post("/comments/bulk", data={"action": "approve", field: "x" * 3_000_000})
    assert response.status_code == 413
    assert "2 MB" in response.get_data(as_text=True)
