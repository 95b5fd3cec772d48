"""The editor decides: swap, drop, add, accept into an edition; every step recorded."""

from datetime import date

import pytest

from moderation.drafting import desk
from moderation.export.formats import export_edition
from moderation.storage import decisions, editions
from moderation.storage import drafts as store
from tests.drafting.conftest import WEEK

FIRST, LAST = (date.fromisoformat(day) for day in WEEK)


@pytest.fixture
def draft_id(demo_db, settings):
    """A stored draft of the seed's week."""
    return desk.start_draft(demo_db, FIRST, LAST, settings.draft, "editor")


def body(db, draft_id):
    """The stored draft's proposal."""
    return store.get_draft(db, draft_id)["body"]


def actions(db, comment_id):
    """The decision actions on a comment, oldest first."""
    return [row["action"] for row in decisions.history(db, comment_id)]


def test_swap_puts_the_alternate_in_place_and_records_what_it_displaced(demo_db, draft_id):
    section = body(demo_db, draft_id)["sections"][0]
    pick, alternate = section["picks"][1], section["alternates"][0]
    displaced = desk.swap(
        demo_db, draft_id, section["story_id"], pick["id"], alternate["id"], "editor"
    )
    after = body(demo_db, draft_id)["sections"][0]
    assert displaced["id"] == pick["id"]
    assert after["picks"][1]["id"] == alternate["id"]
    assert after["alternates"][0]["id"] == pick["id"]
    row = decisions.history(demo_db, alternate["id"])[-1]
    assert (row["action"], row["actor"]) == ("draft_swap", "editor")
    assert row["reason"].startswith("换下 网友@") and pick["reason"] in row["reason"]


def test_swap_refuses_a_comment_that_is_not_an_alternate(demo_db, draft_id):
    section = body(demo_db, draft_id)["sections"][0]
    with pytest.raises(desk.DraftError, match="备选"):
        desk.swap(
            demo_db, draft_id, section["story_id"], section["picks"][0]["id"],
            section["picks"][1]["id"], "editor",
        )  # fmt: skip


def test_drop_and_add_a_story(demo_db, draft_id, settings):
    sections = body(demo_db, draft_id)["sections"]
    dropped = sections[-1]["story_id"]
    desk.drop_story(demo_db, draft_id, dropped)
    assert dropped not in [s["story_id"] for s in body(demo_db, draft_id)["sections"]]
    desk.add_story(demo_db, draft_id, dropped, settings.draft)
    assert body(demo_db, draft_id)["sections"][-1]["story_id"] == dropped
    with pytest.raises(desk.DraftError, match="已在草稿"):
        desk.add_story(demo_db, draft_id, dropped, settings.draft)


def test_accept_builds_an_edition_in_the_shown_order(demo_db, draft_id):
    proposal = body(demo_db, draft_id)
    edition = desk.accept(demo_db, draft_id, "2024-01-26", "融媒·观察", "editor")
    sections = editions.sections(demo_db, edition)
    assert [s["story_id"] for s in sections] == [s["story_id"] for s in proposal["sections"]]
    for built, drafted in zip(sections, proposal["sections"], strict=True):
        assert built["heading"] == drafted["title"]
        story = demo_db.execute(
            "SELECT intro, title FROM stories WHERE id = ?", [drafted["story_id"]]
        ).fetchone()
        assert built["intro"] == (story[0] or built["intro"])  # the story's own, when it has one
        assert built["intro"] and (story[0] or f"《{story[1]}》") in built["intro"]
        assert [q["comment_id"] for q in built["quotes"]] == [q["id"] for q in drafted["picks"]]
        for quote, proposed in zip(built["quotes"], drafted["picks"], strict=True):
            assert quote["excerpt"] == (proposed["trim"] or proposed["text"])
            assert quote["original"] == proposed["text"]
            assert actions(demo_db, proposed["id"])[-2:] in (
                ["select", "draft_accept"],
                ["draft_accept", "edit"],
            )
    assert edition["status"] == editions.DRAFT  # nobody signed it off
    text = export_edition(demo_db, edition, "txt", "utf-8").content.decode("utf-8")
    first = proposal["sections"][0]["picks"][0]
    assert f"网友@{first['author_name']}：{first['trim'] or first['text']}" in text


def test_an_accepted_draft_cannot_change(demo_db, draft_id, settings):
    desk.accept(demo_db, draft_id, "2024-01-26", "融媒·观察", "editor")
    with pytest.raises(desk.DraftError, match="已采用"):
        desk.drop_story(demo_db, draft_id, body(demo_db, draft_id)["sections"][0]["story_id"])
    other = desk.start_draft(demo_db, FIRST, LAST, settings.draft, "editor")
    with pytest.raises(desk.DraftError, match="exists already"):
        desk.accept(demo_db, other, "2024-01-26", "融媒·观察", "editor")
