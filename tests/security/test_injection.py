"""SQL and FTS injection attempts in search, queue filters, sort keys, cursors and the
column builder: the input is data, every page answers, no table is touched."""

from __future__ import annotations

import pytest

from tests.security.conftest import login_as

PAYLOADS = [
    "' OR '1'='1",
    "'; DROP TABLE comments; --",
    '" OR 1=1 --',
    "1 UNION SELECT name, password_hash FROM users --",
    "') OR 1=1 --",
    "%",
    "_",
    "\\",
    "%' --",
    'abc" OR "x',
    "NEAR(雪 花)",
    "雪* OR 花",
    "comments_fts MATCH '*'",
    '"unbalanced',
    "\x00",
    "abc\x00def",
    "\x00\x00\x00",
    "1; SELECT sqlite_version()",
    "(SELECT 1)",
    "雪' AND 1=0 UNION SELECT 1,2,3 --",
]
# Where each payload goes: (path, query parameters with the payload as PAYLOAD).
PLACES = [
    ("/search", {"q": "PAYLOAD"}),
    ("/search", {"q": "雪 PAYLOAD"}),
    ("/search", {"q": "PAYLOAD", "before": "PAYLOAD"}),
    ("/", {"queue": "all", "channel": "PAYLOAD"}),
    ("/", {"queue": "all", "author": "PAYLOAD"}),
    ("/", {"queue": "flagged", "flag": "PAYLOAD"}),
    ("/", {"queue": "all", "story": "PAYLOAD"}),
    ("/", {"queue": "all", "order": "PAYLOAD"}),
    ("/", {"queue": "all", "after": "PAYLOAD"}),
    ("/", {"queue": "all", "since": "PAYLOAD", "until": "PAYLOAD"}),
    ("/", {"queue": "all", "smin": "PAYLOAD", "smax": "PAYLOAD"}),
    ("/approved", {"order": "PAYLOAD"}),
    ("/editions/2024-01-25", {"q": "PAYLOAD", "channel": "PAYLOAD", "story": "PAYLOAD"}),
    ("/editions/2024-01-25/export.txt", {"encoding": "PAYLOAD"}),
    ("/ranking/", {"from": "PAYLOAD", "to": "PAYLOAD"}),
]


def table_counts(db) -> dict:
    """Rows per table, to show nothing was changed or dropped."""
    names = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    return {name: db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}


def test_injection_payloads_are_data(client, db, world):
    login_as(client, world["users"]["admin"])
    before = table_counts(db)
    sent = 0
    for path, params in PLACES:
        for payload in PAYLOADS:
            query = {key: value.replace("PAYLOAD", payload) for key, value in params.items()}
            response = client.get(path, query_string=query)
            assert response.status_code < 500, (path, query)
            sent += 1
    after = table_counts(db)
    after.pop("claims", None), before.pop("claims", None)  # pages claim what they show
    assert after == before
    print(f"injection: {len(PAYLOADS)} payloads x {len(PLACES)} places = {sent} requests")


@pytest.mark.parametrize("payload", ["' OR '1'='1", "%", "_", "\\", '"'])
def test_search_payload_matches_only_literally(client, world, payload):
    login_as(client, world["users"]["admin"])
    html = client.get("/search", query_string={"q": payload}).get_data(as_text=True)
    assert 'class="comment' not in html or payload in html


@pytest.mark.parametrize("query", ["\x00", "\x00\x00\x00", "雪花\x00飘飘", "abc\x00"])
def test_search_with_nul_is_a_page(client, world, query):
    login_as(client, world["users"]["admin"])
    assert client.get("/search", query_string={"q": query}).status_code == 200


def test_unknown_sort_key_falls_back_to_newest(client, world):
    login_as(client, world["users"]["admin"])
    response = client.get("/", query_string={"queue": "all", "order": "id; DROP TABLE users"})
    assert response.status_code == 200
    assert client.get("/admin/users").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "_scheme=javascript",
        "_external=1&_scheme=javascript&x=%0Aalert(1)",
        "_anchor=x&_method=POST",
        "_external=1",
    ],
)
def test_unknown_query_keys_do_not_steer_the_page_links(client, world, query):
    login_as(client, world["users"]["admin"])
    for path in ("/", "/approved"):
        response = client.get(f"{path}?queue=all&{query}")
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert "javascript:" not in html
        assert "http://localhost/?" not in html
