"""Fixtures for the export tests: the seed page's comments collected and approved."""

import pytest

from moderation import pipeline
from moderation.export import review
from moderation.storage import comments
from moderation.storage import editions as store
from tests.seed import comment_id_for, seed_quote_lines, seed_snow_lines, seed_talent_lines

DATE = "2024-01-26"
# The builder's checks as configured by default, consent not required.
THRESHOLDS = review.Thresholds(require_consent=False, offensive_review=0.4)
CONSENT_REQUIRED = review.Thresholds(require_consent=True, offensive_review=0.4)


@pytest.fixture
def seeded(db, settings):
    """The demo channel (which carries the seed page's comments) collected, seed approved."""
    pipeline.collect_channel(db, settings, settings.channel("demo"))
    for line in seed_quote_lines():
        comments.decide(db, comment_id_for(db, line), "approve", actor="mod")
    return db


def build_seed_edition(db, date=DATE) -> dict:
    """The seed's column: the snow story and the talent story, quotes in printed order."""
    edition = store.create_edition(db, date, "融媒·观察", "editor")
    for lines in (seed_snow_lines(), seed_talent_lines()):
        ids = [comment_id_for(db, line) for line in lines]
        story_id = db.execute("SELECT story_id FROM comments WHERE id = ?", [ids[0]]).fetchone()
        section_id = store.add_section(db, edition, story_id[0], "editor")
        for comment_id in ids:
            store.select_quote(db, edition, section_id, comment_id, "editor")
    return store.get_edition(db, date)


def signed_seed_edition(db, date=DATE) -> dict:
    """The seed's column, signed off under the builder's checks (what prints)."""
    edition = build_seed_edition(db, date)
    review.sign_off(db, edition, "chief", THRESHOLDS)
    return store.get_edition(db, date)
