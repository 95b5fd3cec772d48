"""The offensive score is stored beside sentiment for every scored comment, and follows
the active model."""

from moderation import pipeline
from moderation.scoring import hashed_model
from moderation.scoring import offensive_models as om
from moderation.states import PENDING
from moderation.storage import comments as comment_store
from tests.test_scoring_pipeline import add, score_row

TEXTS = {
    "insult": "城管都是土匪流氓，一群狗东西，畜生",
    "criticism": "希望区政府尽快公开拆迁补偿标准",
    "fraud": "警方提醒：冒充客服的都是骗子，不要转账",
}


def test_every_comment_gets_an_offensive_score_and_no_automatic_rejection(db, settings):
    ids = {kind: add(db, "web", kind, text) for kind, text in TEXTS.items()}
    pipeline.score_pending(db, settings)
    rows = {kind: score_row(db, comment_id) for kind, comment_id in ids.items()}
    assert all(0 <= row["offensive"] <= 1 for row in rows.values())
    assert rows["insult"]["offensive"] >= settings.scoring.offensive_review_above
    assert {"offensive", "insult"} <= set(rows["insult"]["flag_codes"].split())
    offensive_flag = next(f for f in rows["insult"]["flags"] if f["code"] == "offensive")
    assert offensive_flag["level"] == "reject"  # the model and the insult lexicon agree
    assert rows["criticism"]["offensive"] < settings.scoring.offensive_review_above
    assert "offensive" not in rows["criticism"]["flag_codes"].split()
    # a scam warning naming 骗子 is a report, not an insult
    assert "offensive" not in rows["fraud"]["flag_codes"].split()
    # The model advises; only banned words reject on their own.
    assert comment_store.get_status(db, ids["insult"]) == PENDING


def test_pending_comments_are_rescored_when_another_offensive_model_is_activated(
    db, settings, monkeypatch
):
    comment_id = add(db, "web", "1", TEXTS["fraud"])
    pipeline.score_pending(db, settings)
    before = score_row(db, comment_id)["offensive"]
    rows = om.cold_rows()[:600]
    monkeypatch.setattr(om, "shipped_rows", lambda: (rows, [1.0] * len(rows)))
    newsroom = [(1, f"记者是个{word}") for word in ("废物", "蠢猪", "白痴", "饭桶")] * 3
    newsroom += [(0, f"希望记者{word}") for word in ("继续报道", "多多采访", "跟进", "核实")] * 3
    result = om.train(settings.data_path, newsroom, [], holdout_fraction=0.5)
    om.OffensiveStore(settings.data_path).activate(result.version)
    while pipeline.refresh_pending(db, settings):
        pass
    after = score_row(db, comment_id)["offensive"]
    expected = hashed_model.load(result.path, result.version).score(TEXTS["fraud"])
    assert after == expected and after != before
