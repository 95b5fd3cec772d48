"""The core schema: channels, stories, comments, scores, decisions, runs, users, duplicates."""

from __future__ import annotations

import hashlib
import struct

from sqlite_utils.migrations import Migrations

from moderation.storage.migrations.statements import run_statements

core = Migrations("moderation")


@core()
def m001_core_tables(db):
    """Channels, stories, comments, scores, the append-only decision log and collection runs."""
    run_statements(
        db,
        """
        CREATE TABLE channels (
            name TEXT PRIMARY KEY,
            type TEXT NOT NULL,
            paused INTEGER NOT NULL DEFAULT 0,
            cursor TEXT,
            failures INTEGER NOT NULL DEFAULT 0,
            backoff_until TEXT,
            last_error TEXT,
            updated_at TEXT
        );
        CREATE TABLE stories (
            id INTEGER PRIMARY KEY,
            channel TEXT NOT NULL,
            native_id TEXT NOT NULL,
            title TEXT NOT NULL,
            url TEXT,
            published_at TEXT,
            reporter TEXT,
            intro TEXT,
            origin TEXT,
            page_views INTEGER,
            link_key TEXT,
            canonical_id INTEGER REFERENCES stories(id),
            linked_by TEXT,
            collected_at TEXT NOT NULL,
            UNIQUE (channel, native_id)
        );
        CREATE INDEX stories_link_key ON stories(link_key);
        CREATE INDEX stories_canonical ON stories(canonical_id);
        CREATE TABLE story_reads (
            story_id INTEGER NOT NULL REFERENCES stories(id),
            date TEXT NOT NULL,
            reads INTEGER NOT NULL,
            shares INTEGER,
            PRIMARY KEY (story_id, date)
        );
        CREATE TABLE comments (
            id INTEGER PRIMARY KEY,
            channel TEXT NOT NULL,
            native_id TEXT NOT NULL,
            story_id INTEGER REFERENCES stories(id),
            author_key TEXT NOT NULL,
            author_name TEXT,
            text TEXT NOT NULL,
            created_at TEXT NOT NULL,
            collected_at TEXT NOT NULL,
            likes INTEGER NOT NULL DEFAULT 0,
            reply_to TEXT,
            origin TEXT,
            featured INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'pending',
            status_at TEXT,
            edits INTEGER NOT NULL DEFAULT 0,
            UNIQUE (channel, native_id)
        );
        CREATE INDEX comments_status_created ON comments(status, created_at);
        CREATE INDEX comments_story ON comments(story_id, created_at);
        CREATE INDEX comments_author ON comments(author_key);
        CREATE TABLE comment_edits (
            id INTEGER PRIMARY KEY,
            comment_id INTEGER NOT NULL REFERENCES comments(id),
            old_text TEXT NOT NULL,
            new_text TEXT NOT NULL,
            detected_at TEXT NOT NULL
        );
        CREATE INDEX comment_edits_comment ON comment_edits(comment_id);
        CREATE TABLE scores (
            comment_id INTEGER PRIMARY KEY REFERENCES comments(id),
            sentiment REAL NOT NULL,
            label TEXT NOT NULL,
            model_version TEXT NOT NULL,
            flags TEXT NOT NULL DEFAULT '[]',
            flag_codes TEXT NOT NULL DEFAULT '',
            dup_group INTEGER,
            scored_at TEXT NOT NULL
        );
        CREATE INDEX scores_sentiment ON scores(sentiment);
        CREATE INDEX scores_dup_group ON scores(dup_group);
        CREATE TABLE decisions (
            id INTEGER PRIMARY KEY,
            comment_id INTEGER NOT NULL REFERENCES comments(id),
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            from_state TEXT,
            to_state TEXT,
            reason TEXT,
            at TEXT NOT NULL
        );
        CREATE INDEX decisions_comment ON decisions(comment_id);
        CREATE INDEX decisions_actor_at ON decisions(actor, at);
        CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
        BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
        CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
        BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            channel TEXT NOT NULL,
            trigger TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL,
            fetched INTEGER NOT NULL DEFAULT 0,
            new INTEGER NOT NULL DEFAULT 0,
            updated INTEGER NOT NULL DEFAULT 0,
            skipped INTEGER NOT NULL DEFAULT 0,
            errors TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX runs_channel_started ON runs(channel, started_at);
        """,
    )


@core()
def m002_users(db):
    """Dashboard accounts and the login attempts used for throttling."""
    run_statements(
        db,
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            disabled INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE TABLE login_attempts (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            address TEXT,
            ok INTEGER NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX login_attempts_name_at ON login_attempts(name, at);
        CREATE INDEX login_attempts_address_at ON login_attempts(address, at)
        """,
    )


@core()
def m003_duplicate_keys(db):
    """Per-comment keys for finding duplicates incrementally: exact key and SimHash bands."""
    run_statements(
        db,
        """
        CREATE TABLE dup_keys (
            comment_id INTEGER PRIMARY KEY REFERENCES comments(id),
            exact_key TEXT NOT NULL,
            norm TEXT NOT NULL,
            simhash INTEGER NOT NULL,
            band0 INTEGER NOT NULL,
            band1 INTEGER NOT NULL,
            band2 INTEGER NOT NULL,
            band3 INTEGER NOT NULL,
            short INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX dup_keys_exact ON dup_keys(exact_key);
        CREATE INDEX dup_keys_band0 ON dup_keys(band0);
        CREATE INDEX dup_keys_band1 ON dup_keys(band1);
        CREATE INDEX dup_keys_band2 ON dup_keys(band2);
        CREATE INDEX dup_keys_band3 ON dup_keys(band3);
        CREATE TABLE dup_edit_keys (
            key TEXT NOT NULL,
            comment_id INTEGER NOT NULL REFERENCES comments(id),
            PRIMARY KEY (key, comment_id)
        ) WITHOUT ROWID;
        CREATE INDEX dup_edit_keys_comment ON dup_edit_keys(comment_id)
        """,
    )


@core()
def m004_dashboard(db):
    """Dashboard: keyset-pagination indexes, trigram full-text search kept by triggers,
    claims, sentiment corrections."""
    run_statements(
        db,
        """
        CREATE INDEX comments_created ON comments(created_at);
        CREATE INDEX comments_status_likes ON comments(status, likes);
        CREATE INDEX comments_channel_status_created ON comments(channel, status, created_at);
        CREATE INDEX comments_author_created ON comments(author_key, created_at);
        CREATE INDEX decisions_action_comment ON decisions(action, comment_id);
        CREATE INDEX decisions_at ON decisions(at);
        CREATE TABLE claims (
            comment_id INTEGER PRIMARY KEY REFERENCES comments(id),
            actor TEXT NOT NULL,
            until TEXT NOT NULL
        );
        CREATE TABLE sentiment_corrections (
            id INTEGER PRIMARY KEY,
            comment_id INTEGER NOT NULL REFERENCES comments(id),
            label INTEGER NOT NULL CHECK (label IN (0, 1)),
            actor TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX sentiment_corrections_comment ON sentiment_corrections(comment_id)
        """,
    )
    for table, column in (("comments", "text"), ("stories", "title")):
        for statement in fts_statements(table, column):
            db.execute(statement)


def fts_statements(table: str, column: str) -> list[str]:
    """An external-content trigram FTS5 index of `table.column`, kept in sync by triggers."""
    fts = f"{table}_fts"
    remove = f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column});"
    add = f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column});"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({column}, content='{table}', "
        "content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {remove} END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {column} ON {table} BEGIN {remove} {add} END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


@core()
def m005_scheduler(db):
    """The scheduler's lease, run-now requests, next run times, and who ran each run."""
    run_statements(
        db,
        """
        CREATE TABLE scheduler_lease (
            name TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            acquired_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        ALTER TABLE channels ADD COLUMN next_run_at TEXT;
        ALTER TABLE channels ADD COLUMN run_requested_at TEXT;
        ALTER TABLE runs ADD COLUMN holder TEXT
        """,
    )


@core()
def m006_faster_duplicate_keys(db):
    """Covering band indexes for long texts only, and 64-bit integer one-edit keys.

    The band look-up then never reads the table, and the one-edit index is half the size.
    m010 rebuilds the one-edit keys from the stored normalised texts. comments_author goes:
    comments_author_created serves the same look-ups, and every index costs each insert.
    """
    run_statements(
        db,
        """
        DROP INDEX comments_author;
        DROP INDEX dup_keys_band0;
        DROP INDEX dup_keys_band1;
        DROP INDEX dup_keys_band2;
        DROP INDEX dup_keys_band3;
        CREATE INDEX dup_keys_band0 ON dup_keys(band0, simhash, short) WHERE short = 0;
        CREATE INDEX dup_keys_band1 ON dup_keys(band1, simhash, short) WHERE short = 0;
        CREATE INDEX dup_keys_band2 ON dup_keys(band2, simhash, short) WHERE short = 0;
        CREATE INDEX dup_keys_band3 ON dup_keys(band3, simhash, short) WHERE short = 0;
        DROP TABLE dup_edit_keys;
        CREATE TABLE dup_edit_keys (
            key INTEGER NOT NULL,
            comment_id INTEGER NOT NULL REFERENCES comments(id),
            PRIMARY KEY (key, comment_id)
        ) WITHOUT ROWID
        """,
    )  # filled by m010, which replaced these keys


# Appended to every indexed comment text, so each two-character word, even the last one of a
# comment, starts some trigram: two-character search then reads the index, not every row.
FTS_END = "char(3)"


@core()
def m007_two_character_search(db):
    """Index comment texts with an end mark, and expose the trigram vocabulary.

    A two-character word W occurs in a text exactly when a trigram starting with W does (the
    end mark covers a W at the end); storage.search finds those trigrams in
    comments_fts_vocab. Re-indexes every comment.
    """
    remove = (
        "INSERT INTO comments_fts(comments_fts, rowid, text) "
        f"VALUES ('delete', old.id, old.text || {FTS_END});"
    )
    add = f"INSERT INTO comments_fts(rowid, text) VALUES (new.id, new.text || {FTS_END});"
    run_statements(
        db,
        f"""
        DROP TRIGGER comments_fts_insert;
        DROP TRIGGER comments_fts_delete;
        DROP TRIGGER comments_fts_update;
        INSERT INTO comments_fts(comments_fts) VALUES ('delete-all');
        INSERT INTO comments_fts(rowid, text) SELECT id, text || {FTS_END} FROM comments;
        CREATE TRIGGER comments_fts_insert AFTER INSERT ON comments BEGIN {add} END;
        CREATE TRIGGER comments_fts_delete AFTER DELETE ON comments BEGIN {remove} END;
        CREATE TRIGGER comments_fts_update AFTER UPDATE OF text ON comments
            BEGIN {remove} {add} END;
        CREATE VIRTUAL TABLE comments_fts_vocab USING fts5vocab(comments_fts, 'row')
        """,
    )


@core()
def m008_score_queue(db):
    """The ids of comments waiting for a score, kept by triggers.

    Finding them by an anti-join walked every scored comment first: 50 ms a batch at a
    million comments, and the scheduler asks every few seconds.
    """
    run_statements(
        db,
        """
        CREATE TABLE score_queue (comment_id INTEGER PRIMARY KEY);
        INSERT INTO score_queue SELECT c.id FROM comments c
            LEFT JOIN scores s ON s.comment_id = c.id WHERE s.comment_id IS NULL;
        CREATE TRIGGER score_queue_new AFTER INSERT ON comments
            BEGIN INSERT OR IGNORE INTO score_queue VALUES (new.id); END;
        CREATE TRIGGER score_queue_gone AFTER DELETE ON comments
            BEGIN DELETE FROM score_queue WHERE comment_id = old.id; END;
        CREATE TRIGGER score_queue_scored AFTER INSERT ON scores
            BEGIN DELETE FROM score_queue WHERE comment_id = new.comment_id; END;
        CREATE TRIGGER score_queue_unscored AFTER DELETE ON scores
            BEGIN INSERT OR IGNORE INTO score_queue SELECT id FROM comments
            WHERE id = old.comment_id; END
        """,
    )


@core()
def m009_rules_refresh(db):
    """Which rules (model, word lists, thresholds) produced each score, and how far the
    background refresh of pending comments under newer rules has got."""
    run_statements(
        db,
        """
        ALTER TABLE scores ADD COLUMN rules TEXT;
        CREATE TABLE rules_refresh (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            rules TEXT NOT NULL,
            below_id INTEGER,
            done INTEGER NOT NULL DEFAULT 0
        )
        """,
    )


@core()
def m010_duplicate_keys_in_memory(db):
    """Duplicate look-ups move to an in-memory index (storage.duplicate_index).

    The band, exact and one-edit indexes go: written at random places, they dirtied ten
    pages a comment. Each dup_keys row now carries its three one-edit keys (with a bitmap
    of the third each one cuts out) as a blob, the index is loaded from dup_keys, and
    dup_state.token changes with every insert or delete so a stale index reloads.
    """
    run_statements(
        db,
        """
        DROP TABLE dup_edit_keys;
        DROP INDEX dup_keys_band0;
        DROP INDEX dup_keys_band1;
        DROP INDEX dup_keys_band2;
        DROP INDEX dup_keys_band3;
        DROP INDEX dup_keys_exact;
        ALTER TABLE dup_keys DROP COLUMN band0;
        ALTER TABLE dup_keys DROP COLUMN band1;
        ALTER TABLE dup_keys DROP COLUMN band2;
        ALTER TABLE dup_keys DROP COLUMN band3;
        ALTER TABLE dup_keys ADD COLUMN edit BLOB;
        CREATE TABLE dup_state (id INTEGER PRIMARY KEY CHECK (id = 1), token BLOB NOT NULL);
        INSERT INTO dup_state VALUES (1, randomblob(8));
        CREATE TRIGGER dup_keys_added AFTER INSERT ON dup_keys
            BEGIN UPDATE dup_state SET token = randomblob(8) WHERE id = 1; END;
        CREATE TRIGGER dup_keys_removed AFTER DELETE ON dup_keys
            BEGIN UPDATE dup_state SET token = randomblob(8) WHERE id = 1; END;
        CREATE TRIGGER dup_keys_changed AFTER UPDATE ON dup_keys
            BEGIN UPDATE dup_state SET token = randomblob(8) WHERE id = 1; END
        """,
    )
    rows = db.conn.execute("SELECT comment_id, norm FROM dup_keys WHERE short = 0").fetchall()
    db.conn.executemany(
        "UPDATE dup_keys SET edit = ? WHERE comment_id = ?",
        ((_m010_edit_blob(norm), comment_id) for comment_id, norm in rows),
    )


def _m010_edit_blob(norm: str) -> bytes:
    """A text's three one-edit keys, each with the bitmap of the third it cuts out.

    Frozen here as m010 computed them: live code in storage or scoring may change later,
    a migration must not.
    """
    length = len(norm)
    cut1, cut2 = length // 3, 2 * length // 3
    kept_and_cut = (
        (("0", norm[:cut2]), norm[cut2:]),
        (("1", norm[:cut1], norm[cut2:]), norm[cut1:cut2]),
        (("2", norm[cut1:]), norm[:cut1]),
    )
    packed = []
    for kept, cut in kept_and_cut:
        joined = "\x1f".join((str(length), *kept)).encode("utf-8", "surrogatepass")
        digest = hashlib.blake2b(joined, digest_size=8).digest()
        bitmap = 0
        for char in cut:
            bitmap |= 1 << ((ord(char) * 0x9E3779B1 >> 16) & 63)
        packed += [int.from_bytes(digest, "little", signed=True), bitmap]
    return struct.pack("<qQqQqQ", *packed)
