"""Word-list exceptions: allowed compounds excuse a banned or suspect word inside them, from
config.toml and from the dashboard; elsewhere the word still counts."""

from __future__ import annotations

import pytest

from moderation import pipeline
from moderation.db import connect
from moderation.settings import load_settings
from moderation.states import PENDING, REJECTED
from moderation.storage import comments as comment_store
from moderation.storage import wordlists
from tests.helpers import write_config
from tests.test_scoring_pipeline import add, score_row

WORD_FLAGS = {"banned", "suspect"}
SCORING = '\n[scoring]\nbanned_words = ["垃圾", "SB"]\nsuspect_words = ["滚"]\n'


@pytest.fixture
def strict(tmp_path):
    """Settings banning 垃圾 and SB, a database, and a way to add allowed compounds."""
    settings = load_settings(write_config(tmp_path, extra=SCORING))
    db = connect(settings.database_path)
    yield settings, db
    db.close()


def test_garbage_sorting_is_not_rejected_with_garbage_banned(strict):
    settings, db = strict
    wordlists.add_word(db, "allowed", "垃圾分类", "admin")
    praise = add(db, "web", "1", "垃圾分类做得越来越好了")
    insult = add(db, "web", "2", "你写的什么垃圾，垃圾分类都不懂")
    pipeline.score_pending(db, settings)
    assert comment_store.get_status(db, praise) == PENDING
    assert not WORD_FLAGS & set(score_row(db, praise)["flag_codes"].split())
    assert comment_store.get_status(db, insult) == REJECTED  # the lone 垃圾 still counts


def test_model_number_excuses_a_latin_token(strict):
    settings, db = strict
    wordlists.add_word(db, "allowed", "SB-2024", "admin")
    phone = add(db, "web", "1", "我买的型号SB-2024用着不错")
    rude = add(db, "web", "2", "你是SB吧")
    pipeline.score_pending(db, settings)
    assert comment_store.get_status(db, phone) == PENDING
    assert comment_store.get_status(db, rude) == REJECTED


def test_allowed_words_from_config(tmp_path):
    extra = SCORING + 'allowed_words = ["垃圾桶", "滚动"]\n'
    settings = load_settings(write_config(tmp_path, extra=extra))
    db = connect(settings.database_path)
    bins = add(db, "web", "1", "小区新装了分类垃圾桶，滚动播放宣传片")
    pipeline.score_pending(db, settings)
    assert comment_store.get_status(db, bins) == PENDING
    assert not WORD_FLAGS & set(score_row(db, bins)["flag_codes"].split())
    db.close()


def test_admin_edits_exceptions_with_the_lists(client, auth, db):
    auth.login("admin")
    client.post("/admin/words", data={"kind": "allowed", "word": "垃圾分类"})
    page = client.get("/admin/words").get_data(as_text=True)
    assert "例外词" in page and "垃圾分类" in page
    assert wordlists.words(db)["allowed"] == ("垃圾分类",)
    client.post("/admin/words/allowed/remove", data={"word": "垃圾分类"})
    assert wordlists.words(db)["allowed"] == ()
