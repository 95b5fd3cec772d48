"""The scheduler lifts an author's level when its expiry passes, and not before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from moderation.db import connect
from moderation.scheduling import service as scheduler_module
from moderation.storage import authors
from moderation.timeutil import iso, parse_iso
from tests.scheduling_helpers import fast_settings, query, running_scheduler, wait_for


def test_expiring_sanction_is_lifted_on_time(tmp_path, monkeypatch):
    monkeypatch.setattr(scheduler_module, "LEVELS_EVERY_SECONDS", 0.2)
    settings = fast_settings(tmp_path, {})
    expires = iso(datetime.now(UTC) + timedelta(seconds=2))
    db = connect(settings.database_path)
    authors.set_level(db, "spammer", "muted", "mod", "刷屏三天", expires_at=expires)
    authors.set_level(db, "regular", "trusted", "mod", "老读者")  # no expiry
    db.close()
    with running_scheduler(settings):
        lifted = wait_for(
            lambda: query(settings, "SELECT * FROM author_level_changes WHERE actor = 'scheduler'"),
            timeout=60,
        )
    assert [row["author_key"] for row in lifted] == ["spammer"]
    assert parse_iso(lifted[0]["at"]) >= parse_iso(expires)  # not before its time
    left = query(settings, "SELECT author_key, level FROM author_levels")
    assert left == [{"author_key": "regular", "level": "trusted"}]
