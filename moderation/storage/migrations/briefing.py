"""The alerts-and-reports area, second round: the editor's 研判与建议 on a report, and alerts
as incidents (merged conditions, updates, a 解除 message: several messages per alert)."""

from __future__ import annotations

from sqlite_utils.migrations import Migrations

from moderation.storage.migrations.statements import run_statements

briefing = Migrations("moderation.briefing")


@briefing()
def m001_report_assessment(db):
    """A report's 研判与建议, written by an editor before it is sent."""
    run_statements(db, "ALTER TABLE reports ADD COLUMN assessment TEXT NOT NULL DEFAULT ''")


@briefing()
def m002_incidents(db):
    """An alert is an incident: the kinds merged into it, when it began (its baseline ends
    there), its last message, its updates, since when it has been quiet; a delivery is one
    message of it (seq 0 the alert, then updates, then the 解除), its text kept as sent."""
    run_statements(
        db,
        """
        ALTER TABLE alerts ADD COLUMN kinds TEXT NOT NULL DEFAULT '';
        ALTER TABLE alerts ADD COLUMN started_at TEXT;
        ALTER TABLE alerts ADD COLUMN notified_at TEXT;
        ALTER TABLE alerts ADD COLUMN updates INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE alerts ADD COLUMN quiet_since TEXT;
        ALTER TABLE alert_deliveries ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE alert_deliveries ADD COLUMN message TEXT;
        DROP INDEX alert_deliveries_once;
        CREATE UNIQUE INDEX alert_deliveries_once_per_message
            ON alert_deliveries(coalesce(alert_id, 0), coalesce(report_id, 0), target, seq);
        CREATE INDEX alerts_story ON alerts(story_id, fired_at);
        """,
    )


@briefing()
def m003_pending_by_collection(db):
    """The oldest pending comment by collection time (the queue-age alert) from an index."""
    run_statements(db, "CREATE INDEX comments_status_collected ON comments(status, collected_at)")
