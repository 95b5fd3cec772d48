"""A correction (纠正情感 / 纠正冒犯) changes the stored label and flags and the card's
history at once, and survives a rescoring of the comment."""

import json

import pytest

from moderation.scoring.scorer import offensive_flag
from moderation.storage import scores as score_store
from moderation.storage import stories
from tests.web.conftest import add_comment, add_score
from tests.web.test_offensive_card import card

NEGATIVE_FLAG = {
    "code": "negative",
    "reason": "情绪偏负面（0.33）",
    "action": "review",
    "spans": [],
}


@pytest.fixture
def comment_id(db):
    """A comment the models call negative (0.33) and offensive (0.93)."""
    stories.placeholder_story(db, "demo", "story-1")
    comment_id = add_comment(db, "今天的雪下得真大，路上堵死了")
    add_score(
        db,
        comment_id,
        0.33,
        flags=[NEGATIVE_FLAG, offensive_flag(0.93, 0.4, 0.8)],
        label="negative",
        offensive=0.93,
    )
    return comment_id


def stored(db, comment_id: int) -> tuple[str, set[str], str]:
    """(label, flag codes in the JSON, flag_codes column) of the stored score."""
    label, flags, codes = db.execute(
        "SELECT label, flags, flag_codes FROM scores WHERE comment_id = ?", [comment_id]
    ).fetchone()
    return label, {flag["code"] for flag in json.loads(flags)}, codes


def test_sentiment_correction_changes_label_flags_and_card_at_once(client, login, db, comment_id):
    login("moderator", name="王编辑")
    client.post(f"/comments/{comment_id}/sentiment", data={"label": "1"})
    label, codes, column = stored(db, comment_id)
    assert label == "positive" and "negative" not in codes and "negative" not in column
    html = card(client.get("/?queue=all").get_data(as_text=True), comment_id)
    assert "正面（已纠正）" in html and "负面</span>" not in html
    assert "情绪偏负面" not in html  # the flag went with the label
    assert "审核历史（1）" in html  # the correction counts in the history


def test_offensive_correction_removes_the_flag_and_back(client, login, db, comment_id):
    login("moderator", name="王编辑")
    client.post(f"/comments/{comment_id}/offensive", data={"label": "0"})
    assert "offensive" not in stored(db, comment_id)[1]
    html = card(client.get("/?queue=all").get_data(as_text=True), comment_id)
    assert "已纠正为不冒犯</span>" in html and "建议拒绝" not in html
    client.post(f"/comments/{comment_id}/offensive", data={"label": "1"})
    assert "offensive" in stored(db, comment_id)[1]
    html = card(client.get("/?queue=all").get_data(as_text=True), comment_id)
    assert "审核员纠正为冒犯" in html and "审核历史（1）" in html  # latest correction per kind


def test_a_rescore_keeps_the_moderators_word(client, login, db, comment_id):
    login("moderator")
    client.post(f"/comments/{comment_id}/sentiment", data={"label": "1"})
    score_store.refresh_text_scores(
        db,
        [
            {
                "comment_id": comment_id,
                "sentiment": 0.2,
                "label": "negative",
                "model_version": "new",
                "flags": [NEGATIVE_FLAG],
                "offensive": 0.1,
            }
        ],
        rules="r2",
    )
    label, codes, _ = stored(db, comment_id)
    assert label == "positive" and "negative" not in codes
