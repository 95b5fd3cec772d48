"""机器标记 on the demo channel, scored by the real scorer: a small queue, each card says why."""

from moderation import pipeline
from moderation.scoring.flags import FACET_CODES
from moderation.storage import queue as queue_store
from moderation.storage.queue import QueueFilter


def test_demo_flagged_queue_is_small_and_every_card_says_why(client, db, settings, login):
    pipeline.collect_channel(db, settings, settings.channel("demo"))
    pipeline.score_pending(db, settings)
    pending = queue_store.count(db, QueueFilter(queue="pending"))
    rows, _ = queue_store.list_queue(db, QueueFilter(queue="flagged"), limit=500)
    assert pending > 150 and 0 < len(rows) <= 0.25 * pending
    for row in rows:
        reasons = [flag for flag in row["flags"] if flag["code"] not in FACET_CODES]
        assert reasons and all(flag["reason"] for flag in reasons), row["text"]
    # negative sentiment alone never lands there
    negative = queue_store.count(db, QueueFilter(queue="pending", sentiment_max=0.1))
    assert negative > 0
    login("moderator")
    html = client.get("/?queue=flagged").get_data(as_text=True)
    assert rows[0]["flags"][0]["reason"].split("：")[0] in html
