"""The operator duties' schema (互联网跟帖评论服务管理规定): readers' reports (举报), commenters'
appeals (申诉), the IP 属地 of a comment, report counts a feed carries, and the audit of
record exports (see moderation/storage/reader_reports.py, appeals.py, records.py)."""

from __future__ import annotations

from sqlite_utils.migrations import Migrations

from moderation.storage.migrations.statements import run_statements

duties = Migrations("moderation.duties")


@duties()
def m001_reports_appeals_regions(db):
    """Reports and appeals with their outcomes, a comment's region (and IP only when the
    newsroom keeps it), feed report counts, two rejection reasons the report list needs."""
    run_statements(
        db,
        """
        CREATE TABLE reader_reports (
            id INTEGER PRIMARY KEY,
            comment_id INTEGER NOT NULL REFERENCES comments(id),
            channel TEXT NOT NULL,
            site_report_id TEXT,
            reporter_digest TEXT NOT NULL,
            reason TEXT NOT NULL,
            text TEXT,
            received_at TEXT NOT NULL,
            due_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'open'
                CHECK (state IN ('open', 'upheld', 'dismissed')),
            closed_at TEXT,
            closed_by TEXT,
            decision_id INTEGER,
            UNIQUE (comment_id, reporter_digest)
        );
        CREATE INDEX reader_reports_open ON reader_reports(state, received_at);
        CREATE INDEX reader_reports_reporter ON reader_reports(reporter_digest, received_at);
        CREATE INDEX reader_reports_received ON reader_reports(received_at);
        CREATE TABLE feed_report_counts (
            comment_id INTEGER PRIMARY KEY REFERENCES comments(id),
            count INTEGER NOT NULL,
            handled INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX feed_report_counts_open ON feed_report_counts(comment_id)
            WHERE count > handled;
        CREATE TABLE appeals (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('comment', 'mute')),
            comment_id INTEGER REFERENCES comments(id),
            author_key TEXT NOT NULL,
            channel TEXT NOT NULL,
            site_appeal_id TEXT,
            appellant_digest TEXT NOT NULL,
            text TEXT,
            first_decider TEXT NOT NULL,
            first_record_id INTEGER,
            received_at TEXT NOT NULL,
            due_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'upheld', 'denied')),
            decided_by TEXT,
            decided_at TEXT,
            note TEXT,
            decision_id INTEGER,
            lifted INTEGER NOT NULL DEFAULT 0
        );
        CREATE UNIQUE INDEX appeals_one_open ON appeals(kind, COALESCE(comment_id, 0), author_key)
            WHERE state = 'open';
        CREATE INDEX appeals_received ON appeals(received_at);
        CREATE INDEX appeals_appellant ON appeals(appellant_digest, received_at);
        CREATE TABLE comment_regions (
            comment_id INTEGER PRIMARY KEY REFERENCES comments(id),
            region TEXT NOT NULL,
            ip TEXT,
            source TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE TABLE record_exports (
            id INTEGER PRIMARY KEY,
            actor TEXT NOT NULL,
            date_from TEXT NOT NULL,
            date_to TEXT NOT NULL,
            rows INTEGER NOT NULL,
            file TEXT NOT NULL,
            at TEXT NOT NULL
        );
        INSERT OR IGNORE INTO reasons (code, label, explanation, flag_codes, position,
                                       updated_by, updated_at) VALUES
          ('vulgar', '色情低俗', '色情、低俗内容（读者举报常见原因）', '', 8, 'system',
           '2026-12-07T00:00:00+00:00'),
          ('rumor', '谣言', '编造、传播虚假信息（读者举报常见原因）', '', 9, 'system',
           '2026-12-07T00:00:00+00:00')
        """,
    )
