"""The score queue: every comment without a score, and nothing else, whatever path wrote it."""

from moderation import pipeline
from moderation.collectors.base import CollectedComment
from moderation.storage import comments as comment_store
from moderation.storage import scores
from moderation.storage.migrations import apply_migrations


def save(db, texts: dict[str, str]) -> None:
    comment_store.save_comments(
        db,
        "web",
        [
            CollectedComment(
                native_id=key, story_native_id="s", text=text, created_at="", author_key="a"
            )
            for key, text in texts.items()
        ],
        {},
    )


def anti_join(db) -> list[int]:
    return [
        row[0]
        for row in db.execute(
            "SELECT c.id FROM comments c LEFT JOIN scores s ON s.comment_id = c.id "
            "WHERE s.comment_id IS NULL ORDER BY c.id"
        )
    ]


def queued(db) -> list[int]:
    return [row["id"] for row in scores.unscored(db, 1000)]


def test_the_queue_follows_stores_scores_edits_and_deletes(db, settings):
    save(db, {"1": "雪下得真大", "2": "公交车晚点了", "3": "点赞"})
    assert queued(db) == anti_join(db) and len(queued(db)) == 3
    pipeline.score_pending(db, settings)
    assert queued(db) == [] and scores.count_unscored(db) == 0
    save(db, {"2": "公交车又晚点了半小时", "4": "路面结冰注意安全"})  # one edit, one new
    assert queued(db) == anti_join(db) and scores.count_unscored(db) == 2
    db.execute("DELETE FROM scores WHERE comment_id = 1")
    db.execute("DELETE FROM comments WHERE id = 4")
    assert queued(db) == anti_join(db) == [1, 2]
    pipeline.score_pending(db, settings)
    assert queued(db) == anti_join(db) == []


def test_upgrading_queues_every_comment_without_a_score(db, settings):
    save(db, {"1": "雪下得真大", "2": "公交车晚点了"})
    pipeline.score_pending(db, settings)
    save(db, {"3": "路面结冰注意安全"})
    for statement in (
        "DROP TRIGGER score_queue_new",
        "DROP TRIGGER score_queue_gone",
        "DROP TRIGGER score_queue_scored",
        "DROP TRIGGER score_queue_unscored",
        "DROP TABLE score_queue",
        "DELETE FROM _sqlite_migrations WHERE name = 'm008_score_queue'",
    ):
        db.execute(statement)
    apply_migrations(db)
    assert queued(db) == anti_join(db) == [3]
