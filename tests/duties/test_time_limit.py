"""The per-report time limit: stamped from [reports] time_limit_hours when a report arrives
over HTTP, the 举报超时 alert fires once reports wait past it and clears when they are
handled; /metrics.txt counts received, handled in time and the upheld share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from moderation.alerts import conditions
from moderation.sending.alert_evaluation import evaluate
from moderation.storage import alerts as alert_store
from moderation.storage import reader_reports
from moderation.timeutil import parse_iso
from tests.browser_support import live_server
from tests.duties.conftest import Site, make_desk, site_channel


@pytest.fixture
def short_limit_desk(tmp_path, site_env):
    """A desk whose reports must be handled within 2 hours."""
    settings, db, ids, app = make_desk(
        tmp_path,
        site_channel(),
        extra="\n[reports]\ntime_limit_hours = 2\n"
        '[alerts]\nmetrics_token_env = "ZZRB_METRICS_TOKEN"\n',
    )
    with live_server(app) as base_url:
        yield settings, db, ids, app, Site(base_url)
    db.close()


def test_overdue_reports_fire_the_alert_and_handling_clears_it(short_limit_desk):
    _settings, db, ids, _app, site = short_limit_desk
    site.report("c-1", "reader-1")
    site.report("c-1", "reader-2")
    # Each report's own due time (two posts may straddle a second).
    rows = list(db.query("SELECT received_at, due_at FROM reader_reports"))
    assert len(rows) == 2
    for row in rows:
        assert parse_iso(row["due_at"]) - parse_iso(row["received_at"]) == timedelta(hours=2)
    alert_store.save_rule(db, {"name": "举报超时", "kind": "reports_overdue"}, "admin")
    now = datetime.now(UTC)
    assert evaluate(db, now + timedelta(minutes=90)).fired == []
    fired = evaluate(db, now + timedelta(hours=3)).fired
    assert len(fired) == 1
    [alert] = list(db.query("SELECT title, link FROM alerts"))
    assert "2 条读者举报超过处理时限" in alert["title"]
    assert evaluate(db, now + timedelta(hours=3, minutes=5)).fired == []  # still open, not resent
    reader_reports.close_reports(db, ids["c-1"], "dismissed", "王审核")
    # Handled: the incident goes quiet, and ends (解除) once quiet for an hour.
    assert evaluate(db, now + timedelta(hours=4)).cleared == 0
    assert db.execute("SELECT cleared_at IS NULL FROM alerts").fetchone()[0] == 1
    assert evaluate(db, now + timedelta(hours=5, minutes=1)).cleared == 1
    assert db.execute("SELECT cleared_at IS NOT NULL FROM alerts").fetchone()[0] == 1


def test_the_condition_counts_from_its_min_count():
    rule = {"kind": "reports_overdue", "params": {"min_count": 3}}
    few = {"reports": 2, "comments": 1, "oldest_due": "2026-12-07T01:00:00+00:00"}
    many = {**few, "reports": 3}
    assert conditions.reports_overdue(rule, few) == []
    [condition] = conditions.reports_overdue(rule, many)
    assert condition.link_path == "/reader-reports" and "09:00" in condition.lines[0]
    assert "reports_overdue" in conditions.KINDS
    assert any(rule["kind"] == "reports_overdue" for rule in conditions.DEFAULT_RULES)


def test_metrics_count_received_in_time_and_upheld_share(short_limit_desk, monkeypatch):
    _settings, db, ids, _app, site = short_limit_desk
    for native, reader in (("c-1", "a"), ("c-2", "b"), ("c-3", "c")):
        site.report(native, reader)
    reader_reports.close_reports(db, ids["c-1"], "upheld", "王审核", "广告")
    db.execute(
        "UPDATE reader_reports SET due_at = '2000-01-01T00:00:00+00:00' WHERE comment_id = ?",
        [ids["c-2"]],
    )
    db.conn.commit()
    reader_reports.close_reports(db, ids["c-2"], "dismissed", "王审核")
    counts = reader_reports.metrics(db, datetime.now(UTC))
    assert counts == {
        "received": 3,
        "handled": 2,
        "handled_in_time": 1,
        "upheld": 1,
        "open": 1,
        "overdue": 0,
        "upheld_share": 0.5,
    }
    monkeypatch.setenv("ZZRB_METRICS_TOKEN", "tok")
    text = requests.get(
        f"{site.base_url}/metrics.txt", headers={"Authorization": "Bearer tok"}, timeout=10
    ).text
    assert "moderation_reader_reports_received_total 3" in text
    assert "moderation_reader_reports_handled_in_time_total 1" in text
    assert "moderation_reader_reports_upheld_share 0.5" in text
