"""The editions area's own schema: editions, their sections and quotes, stored exports.

The edition state of a quote (selected, signed off, printed) lives here; `comments.status`
stays `approved` and every transition is also a row in the decisions table.
"""

from __future__ import annotations

from sqlite_utils.migrations import Migrations

from moderation.storage.migrations.statements import run_statements

editions = Migrations("moderation.editions")


@editions()
def m001_editions(db):
    """Editions, ordered sections (one story each), ordered quotes, archived exports."""
    run_statements(
        db,
        """
        CREATE TABLE editions (
            id INTEGER PRIMARY KEY,
            date TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'draft',
            signed_off_by TEXT,
            signed_off_at TEXT,
            printed_by TEXT,
            printed_at TEXT,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE edition_sections (
            id INTEGER PRIMARY KEY,
            edition_id INTEGER NOT NULL REFERENCES editions(id),
            story_id INTEGER NOT NULL REFERENCES stories(id),
            position INTEGER NOT NULL,
            heading TEXT NOT NULL,
            intro TEXT,
            UNIQUE (edition_id, story_id)
        );
        CREATE INDEX edition_sections_order ON edition_sections(edition_id, position);
        CREATE TABLE edition_quotes (
            id INTEGER PRIMARY KEY,
            edition_id INTEGER NOT NULL REFERENCES editions(id),
            section_id INTEGER NOT NULL REFERENCES edition_sections(id),
            comment_id INTEGER NOT NULL REFERENCES comments(id),
            position INTEGER NOT NULL,
            excerpt TEXT NOT NULL,
            display_name TEXT,
            consent INTEGER NOT NULL DEFAULT 0,
            UNIQUE (edition_id, comment_id)
        );
        CREATE INDEX edition_quotes_order ON edition_quotes(section_id, position);
        CREATE INDEX edition_quotes_comment ON edition_quotes(comment_id);
        CREATE TABLE edition_exports (
            id INTEGER PRIMARY KEY,
            edition_id INTEGER NOT NULL REFERENCES editions(id),
            format TEXT NOT NULL,
            encoding TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            content BLOB NOT NULL,
            actor TEXT NOT NULL,
            at TEXT NOT NULL,
            UNIQUE (edition_id, format, encoding)
        )
        """,
    )


@editions()
def m002_edition_overrides(db):
    """A problem of the builder's checks signed off anyway, with who and why."""
    run_statements(
        db,
        """
        CREATE TABLE edition_overrides (
            id INTEGER PRIMARY KEY,
            edition_id INTEGER NOT NULL REFERENCES editions(id),
            problem_key TEXT NOT NULL,
            message TEXT NOT NULL,
            note TEXT NOT NULL,
            actor TEXT NOT NULL,
            at TEXT NOT NULL,
            UNIQUE (edition_id, problem_key)
        )
        """,
    )
