"""Reader text (comments, author names, story titles, excerpts, display names, notes) with
script payloads appears on every page only escaped, and Jinja syntax in it is not run."""

from __future__ import annotations

import re

from moderation.storage import queue as queue_store
from tests.security.conftest import login_as
from tests.web.conftest import add_comment

PAYLOAD = (
    '<script>alert(1)</script><img src=x onerror=alert(2)>"><svg onload=alert(3)>'
    " javascript:alert(4) {{7*7}}"
)
NEWEST = "2030-01-01T00:00:00+00:00"  # first on the queue's newest-first page
RAW = [
    re.compile(r"<script>alert", re.I),
    re.compile(r"<img[^>]*onerror=", re.I),
    re.compile(r"<svg[^>]*onload=", re.I),
    re.compile(r"""href=["']?\s*javascript:""", re.I),
]


def plant(db, world) -> dict:
    """Put the payload everywhere reader text shows; return the ids to visit."""
    story_id = world["story_id"]
    db.execute("UPDATE stories SET title = ? WHERE id = ?", [PAYLOAD, story_id])
    first = add_comment(db, PAYLOAD, story_id=story_id, author=PAYLOAD, created_at=NEWEST)
    second = add_comment(db, PAYLOAD, story_id=story_id, author=PAYLOAD, created_at=NEWEST)
    db.table("scores").insert_all(
        [
            {"comment_id": first, "sentiment": 0.5, "label": "neutral", "flags": "[]",
             "flag_codes": "", "dup_group": first, "model_version": "t", "scored_at": "x"},
            {"comment_id": second, "sentiment": 0.5, "label": "neutral", "flags": "[]",
             "flag_codes": "", "dup_group": first, "model_version": "t", "scored_at": "x"},
        ],
        replace=True,
    )  # fmt: skip
    queue_store.flag_for_editor(db, first, "editor", PAYLOAD)
    db.execute(
        "UPDATE edition_quotes SET excerpt = ?, display_name = ? WHERE id = ?",
        [PAYLOAD, PAYLOAD, world["quote_id"]],
    )
    db.execute("UPDATE edition_sections SET heading = ?, intro = ?", [PAYLOAD, PAYLOAD])
    db.execute(
        "UPDATE stories SET published_at = '2024-01-22T10:00:00+00:00', page_views = 5 "
        "WHERE id = ?",
        [story_id],
    )
    author = db.execute("SELECT author_key FROM comments WHERE id = ?", [first]).fetchone()[0]
    return {"comment": first, "author": author, "story": story_id}


def test_reader_text_is_escaped_everywhere(client, db, world):
    planted = plant(db, world)
    login_as(client, world["users"]["admin"])
    date = world["date"]
    places = {
        "queue": "/?queue=all",
        "editor queue (history, note)": "/?queue=editor",
        "author page": f"/?queue=all&author={planted['author']}",
        "story list": "/stories",
        "story": f"/stories/{planted['story']}",
        "search results": "/search?q=alert",
        "search box echo": "/search?q=" + PAYLOAD.replace("&", "%26").replace("#", "%23"),
        "duplicate group": f"/groups/{planted['comment']}",
        "column builder": f"/editions/{date}",
        "column builder search": f"/editions/{date}?q=alert",
        "preview": f"/editions/{date}/preview",
        "ranking": "/ranking/?from=2024-01-20&to=2024-01-26",
        "editions list": "/editions/",
        "login next echo": "/login?next=" + PAYLOAD.replace("&", "%26"),
    }
    for place, url in places.items():
        if place == "login next echo":
            client.get("/logout")
        response = client.get(url)
        assert response.status_code == 200, place
        html = response.get_data(as_text=True)
        for pattern in RAW:
            assert not pattern.search(html), (place, pattern.pattern)
        if place not in ("login next echo", "ranking", "editions list"):  # no reader text
            assert "&lt;script&gt;alert(1)" in html, place
        assert "49" not in re.findall(r"\d+", html.split("{{7*7}}")[0][-20:]), place
    print(f"xss: {len(places)} places checked")


def test_template_syntax_in_reader_text_is_not_rendered(client, db, world):
    add_comment(db, "{{7*7}} {% if 1 %}IF{% endif %} {{ config }}", created_at=NEWEST)
    login_as(client, world["users"]["admin"])
    html = client.get("/?queue=all").get_data(as_text=True)
    assert "{{7*7}}" in html
    assert "SECRET_KEY" not in html
