"""The offensive score on the card, in the queue's order and filter, and its corrections."""

import pytest

from moderation.scoring.scorer import offensive_flag
from moderation.storage import stories
from tests.web.conftest import add_comment, add_score

INSULT = "城管都是土匪流氓，一群狗东西"
CIVIL = "希望区政府尽快公开拆迁补偿标准"


@pytest.fixture
def scored(db):
    """An insult (0.93, reject level), a civil comment (0.12) and an unscored one."""
    stories.placeholder_story(db, "demo", "story-1")
    insult = add_comment(db, INSULT)
    add_score(db, insult, 0.2, flags=[offensive_flag(0.93, 0.4, 0.8)], offensive=0.93)
    civil = add_comment(db, CIVIL)
    add_score(db, civil, 0.4, offensive=0.12)
    return {"insult": insult, "civil": civil}


def card(html: str, comment_id: int) -> str:
    """The HTML of one comment card."""
    start = html.index(f'id="comment-{comment_id}"')
    return html[start : html.index("</article>", start)]


def test_card_shows_the_offensive_bar_and_level(client, login, scored):
    login("moderator")
    html = client.get("/?queue=all").get_data(as_text=True)
    insult = card(html, scored["insult"])
    assert 'class="offensive-bar"' in insult and "0.93" in insult and "建议拒绝" in insult
    assert "疑似冒犯性语言（0.93，建议拒绝）" in insult and "纠正冒犯" in insult
    civil = card(html, scored["civil"])
    assert "0.12" in civil and "未见冒犯" in civil and "level-none" in civil


def test_queue_sorts_and_filters_by_offensive_score(client, login, scored):
    login("moderator")
    html = client.get("/?queue=all&order=offensive").get_data(as_text=True)
    assert html.index(f'id="comment-{scored["insult"]}"') < html.index(
        f'id="comment-{scored["civil"]}"'
    )
    html = client.get("/?queue=all&omin=0.8").get_data(as_text=True)
    assert f'id="comment-{scored["insult"]}"' in html
    assert f'id="comment-{scored["civil"]}"' not in html
    assert 'name="omin"' in html and 'value="0.8"' in html


@pytest.mark.parametrize(
    ("kind", "label", "shown"),
    [("offensive", 0, "已纠正为不冒犯"), ("sentiment", 1, "已纠正为正面")],
)
def test_a_correction_shows_at_once_with_who_made_it(client, login, scored, kind, label, shown):
    login("moderator", name="王编辑")
    comment_id = scored["insult"]
    response = client.post(
        f"/comments/{comment_id}/{kind}", data={"label": str(label), "next": "/?queue=all"}
    )
    assert response.status_code == 302
    html = card(client.get("/?queue=all").get_data(as_text=True), comment_id)
    assert f"{shown}（王编辑，" in html
    word = "冒犯" if kind == "offensive" else "情感"
    assert f"王编辑 纠正{word}为" in html  # the history drawer lists it too


def test_overview_counts_corrections_per_week(client, login, scored):
    login("moderator")
    for label in (1, 0):
        client.post(f"/comments/{scored['civil']}/offensive", data={"label": str(label)})
    client.post(f"/comments/{scored['civil']}/sentiment", data={"label": "0"})
    html = client.get("/overview").get_data(as_text=True)
    assert "每周人工纠正（情感 / 冒犯）" in html
    assert "纠正冒犯" in html and "纠正情感" in html


def test_bad_offensive_correction_is_refused(client, login, scored):
    login("moderator")
    assert (
        client.post(f"/comments/{scored['civil']}/offensive", data={"label": "7"}).status_code
        == 400
    )
    assert client.post("/comments/99999/offensive", data={"label": "1"}).status_code == 404
