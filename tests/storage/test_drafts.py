"""The drafts area's storage: reader response per story in a range, candidates, stored drafts."""

from moderation import pipeline
from moderation.collectors.base import CollectedStory
from moderation.storage import comments, editions, stories
from moderation.storage import drafts as store
from tests.seed import comment_id_for, seed_snow_lines

WEEK = ("2024-01-18T16:00:00+00:00", "2024-01-25T16:00:00+00:00")


def collected(db, settings):
    """The demo channel collected (unscored), the seed's snow quotes approved."""
    pipeline.collect_channel(db, settings, settings.channel("demo"))
    ids = [comment_id_for(db, line) for line in seed_snow_lines()]
    comments.decide_many(db, ids, "approve", actor="mod")
    return ids


def test_story_response_counts_comments_and_reads_per_story(db, settings):
    collected(db, settings)
    rows = {row["title"]: row for row in store.story_response(db, *WEEK)}
    snow = rows["下雪啦"]
    assert (snow["comments"], snow["approved"], snow["reads"]) == (48, 6, 1_778_000)
    late = store.story_response(db, "2024-01-25T16:00:00+00:00", "2024-02-01T16:00:00+00:00")
    assert late == []


def test_story_response_adds_daily_reads_of_linked_copies(db, settings):
    collected(db, settings)
    stories.upsert_story(
        db,
        "zzrb-wechat",
        CollectedStory(
            native_id="msg-1",
            title="下雪啦",
            published_at="2024-01-22T07:50:00+08:00",
            daily_reads=(("2024-01-22", 1000, 5), ("2024-01-23", 500, 1), ("2024-02-03", 9, 0)),
        ),
    )
    rows = {row["title"]: row for row in store.story_response(db, *WEEK)}
    assert rows["下雪啦"]["reads"] == 1_778_000 + 1500  # reads outside the range left out


def test_story_candidates_are_the_approved_comments_with_printed_dates(db, settings):
    ids = collected(db, settings)
    story_id = db.execute("SELECT story_id FROM comments WHERE id = ?", [ids[0]]).fetchone()[0]
    edition = editions.create_edition(db, "2024-01-12", "融媒·观察", "editor")
    section = editions.add_section(db, edition, story_id, "editor")
    editions.select_quote(db, edition, section, ids[0], "editor")
    editions.sign_off(db, editions.get_edition(db, "2024-01-12"), "chief", lambda *_: [])
    editions.mark_printed(db, editions.get_edition(db, "2024-01-12"), "chief")
    found = store.story_candidates(db, [story_id], *WEEK)
    assert sorted(row["id"] for row in found) == sorted(ids)
    printed = {row["id"]: row["printed_in"] for row in found}
    assert printed[ids[0]] == ["2024-01-12"] and printed[ids[1]] == []
    earlier = store.story_candidates(db, [story_id], *WEEK, before="2024-01-12")
    assert all(row["printed_in"] == [] for row in earlier)
    assert store.printed_sections(db) == [
        {"date": "2024-01-12", "story_id": story_id, "comment_ids": [ids[0]]}
    ]


def test_stored_draft_changes_until_accepted(db):
    draft_id = store.save_draft(db, "2024-01-19", "2024-01-25", {"sections": []}, "editor")
    store.update_body(db, draft_id, {"sections": [{"story_id": 1}]})
    assert store.get_draft(db, draft_id)["body"] == {"sections": [{"story_id": 1}]}
    edition = editions.create_edition(db, "2024-01-26", "融媒·观察", "editor")
    store.mark_accepted(db, draft_id, edition["id"])
    store.update_body(db, draft_id, {"sections": []})  # too late: ignored
    draft = store.get_draft(db, draft_id)
    assert (draft["status"], draft["edition_id"]) == (store.ACCEPTED, edition["id"])
    assert draft["body"] == {"sections": [{"story_id": 1}]}
    assert store.get_draft(db, 999) is None
