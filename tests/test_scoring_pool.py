"""The pool's workers score with the scorer whose model versions are stored."""

from moderation import pipeline
from moderation.scoring import sentiment_bayes
from moderation.scoring.sentiment_models import SHIPPED_VERSION, SentimentStore
from tests.test_scoring_pipeline import add, score_row


def test_pool_workers_and_stored_versions_share_one_scorer(db, settings):
    texts = [f"第{n}条评论，下雪了路上很滑，大家注意安全" for n in range(2 * pipeline.POOL_CHUNK)]
    ids = [add(db, "web", str(n), text) for n, text in enumerate(texts)]
    batch = [{"id": comment_id, "text": text} for comment_id, text in zip(ids, texts, strict=True)]
    with pipeline.scoring_pool(db, settings, 2) as pool:
        assert pool.scorer.model_version.startswith(f"{SHIPPED_VERSION}@")
        # another model becomes active while the pool runs: the batch is still scored and
        # recorded with the pool's scorer, never a mix of two
        SentimentStore(settings.data_path).activate(sentiment_bayes.DEFAULT_VERSION)
        pipeline.score_batch(db, settings, batch, pool)
    rows = [score_row(db, comment_id) for comment_id in ids]
    assert {row["model_version"] for row in rows} == {pool.scorer.model_version}
    assert [row["sentiment"] for row in rows] == [pool.scorer.score(t).sentiment for t in texts]
    # without a pool the next batch uses the newly active model
    pipeline.score_batch(db, settings, batch[:3])
    assert score_row(db, ids[0])["model_version"].startswith(f"{sentiment_bayes.DEFAULT_VERSION}@")
