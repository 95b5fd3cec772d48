"""Issue 24 item 1: a posting campaign (many comments with the same or nearly the same text)
costs duplicate scoring a bounded amount per comment, never comments × comments."""

from __future__ import annotations

import pytest

from moderation import pipeline
from moderation.collectors.base import CollectedComment
from moderation.storage import comments as comment_store
from moderation.storage import duplicate_index

CAMPAIGN = "大家快去投票支持这个项目，链接在我主页，一起来吧！"


def post(db, texts: list[str], prefix: str = "c") -> None:
    """Store the texts as comments of one story, each by its own author."""
    with db.atomic():
        comment_store.save_comments(
            db,
            "web",
            [
                CollectedComment(
                    native_id=f"{prefix}{number}",
                    story_native_id="s1",
                    text=text,
                    created_at="2024-01-02T08:00:00+08:00",
                    author_key=f"{prefix}author{number}",
                )
                for number, text in enumerate(texts)
            ],
            {},
        )


@pytest.fixture
def found_entries(monkeypatch):
    """Count every entry the in-memory index hands back for a batch's probes."""
    counted = {"entries": 0}
    original = duplicate_index.KeyTable.find

    def find(self, probes, *args, **kwargs):
        owner, slots, extra = original(self, probes, *args, **kwargs)
        counted["entries"] += len(owner)
        return owner, slots, extra

    monkeypatch.setattr(duplicate_index.KeyTable, "find", find)
    return counted


def groups(db) -> list[tuple]:
    return db.execute(
        "SELECT dup_group, COUNT(*), SUM(instr(flag_codes, 'mass_posting') > 0) FROM scores "
        "GROUP BY dup_group"
    ).fetchall()


@pytest.mark.parametrize(
    "campaign",
    [
        pytest.param(lambda n: [CAMPAIGN] * n, id="identical"),
        pytest.param(lambda n: [f"{CAMPAIGN}{n:04d}" for n in range(n)], id="numbered"),
        pytest.param(lambda n: [CAMPAIGN + chr(0x4E00 + n) for n in range(n)], id="one-edit"),
    ],
)
def test_a_campaign_costs_duplicate_look_ups_linear_in_its_size(
    db, settings, found_entries, campaign
):
    size = 4000
    post(db, campaign(size))
    pipeline.score_pending(db, settings, batch_size=100)
    # Uncapped, every batch met every stored copy: 100 × (0 + 100 + ... + 3900) = 7,800,000
    # entries for the exact keys alone, growing with the square of the campaign.
    assert found_entries["entries"] <= 450 * size
    ((group, members, flagged),) = groups(db)
    assert members == flagged == size  # still one group, every copy flagged as a campaign
    assert group == db.execute("SELECT MIN(id) FROM comments").fetchone()[0]


def test_a_campaign_still_joins_the_group_a_later_copy_arrives_in(db, settings, found_entries):
    post(db, [CAMPAIGN] * 600, prefix="a")
    pipeline.score_pending(db, settings, batch_size=100)
    post(db, ["完全无关的一条评论，说说今天的天气真好", CAMPAIGN + "！！", CAMPAIGN[:-2]], "b")
    before = found_entries["entries"]
    pipeline.score_pending(db, settings, batch_size=100)
    assert found_entries["entries"] - before <= 400 * 3
    sizes = sorted(members for _, members, _ in groups(db))
    assert sizes == [1, 602]
