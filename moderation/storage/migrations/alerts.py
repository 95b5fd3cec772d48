"""The alerts area's schema: rules, fired alerts, their deliveries, and who has read what."""

from __future__ import annotations

from sqlite_utils.migrations import Migrations

from moderation.storage.migrations.statements import run_statements

alerts = Migrations("moderation.alerts")


@alerts()
def m001_alerts(db):
    """Alert rules, alerts (one open per rule and condition), deliveries as an outbox."""
    run_statements(
        db,
        """
        CREATE TABLE alert_rules (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            enabled INTEGER NOT NULL DEFAULT 1,
            params TEXT NOT NULL DEFAULT '{}',
            targets TEXT NOT NULL DEFAULT '[]',
            updated_by TEXT,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            rule_id INTEGER NOT NULL REFERENCES alert_rules(id),
            condition TEXT NOT NULL,
            title TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '{}',
            link TEXT,
            story_id INTEGER,
            fired_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            cleared_at TEXT
        );
        CREATE UNIQUE INDEX alerts_open ON alerts(rule_id, condition) WHERE cleared_at IS NULL;
        CREATE INDEX alerts_fired ON alerts(fired_at);
        CREATE TABLE alert_deliveries (
            id INTEGER PRIMARY KEY,
            alert_id INTEGER REFERENCES alerts(id),
            report_id INTEGER,
            target TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            answer TEXT,
            created_at TEXT NOT NULL,
            delivered_at TEXT
        );
        CREATE UNIQUE INDEX alert_deliveries_once
            ON alert_deliveries(coalesce(alert_id, 0), coalesce(report_id, 0), target);
        CREATE INDEX alert_deliveries_due ON alert_deliveries(state, next_attempt_at);
        CREATE TABLE alert_reads (
            user TEXT PRIMARY KEY,
            last_read_id INTEGER NOT NULL DEFAULT 0
        );
        """,
    )


@alerts()
def m002_reports(db):
    """Generated 舆情 reports, archived with their files (same period and kind: one row)."""
    run_statements(
        db,
        """
        CREATE TABLE reports (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('daily', 'weekly')),
            first_day TEXT NOT NULL,
            last_day TEXT NOT NULL,
            generated_at TEXT NOT NULL,
            generated_by TEXT NOT NULL,
            docx BLOB NOT NULL,
            html BLOB NOT NULL,
            UNIQUE (kind, first_day)
        );
        """,
    )


@alerts()
def m003_report_summaries(db):
    """A report's summary lines kept with it: its robot message and mail body, without
    gathering the whole report again at sending time."""
    run_statements(db, "ALTER TABLE reports ADD COLUMN summary TEXT NOT NULL DEFAULT ''")
