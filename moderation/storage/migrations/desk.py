"""The desk's schema: moderation rules and what they did, author levels and their audit,
allowed compounds (word-list exceptions)."""

from __future__ import annotations

from sqlite_utils.migrations import Migrations

from moderation.storage.migrations.statements import run_statements

desk = Migrations("moderation.desk")


@desk()
def m001_rules(db):
    """Ordered rules, the firings that name the rule behind each automatic decision, holds in
    named queues; seeded with the default set (banned word -> reject, as before rules)."""
    run_statements(
        db,
        """
        CREATE TABLE rules (
            id INTEGER PRIMARY KEY,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            enabled INTEGER NOT NULL DEFAULT 1,
            conditions TEXT NOT NULL DEFAULT '{}',
            action TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            queue TEXT NOT NULL DEFAULT '',
            level TEXT NOT NULL DEFAULT '',
            why TEXT NOT NULL DEFAULT '',
            updated_by TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE rule_firings (
            id INTEGER PRIMARY KEY,
            comment_id INTEGER NOT NULL REFERENCES comments(id),
            rule_id INTEGER NOT NULL,
            rule_name TEXT NOT NULL,
            outcome TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL
        );
        CREATE INDEX rule_firings_comment ON rule_firings(comment_id);
        CREATE TABLE rule_holds (
            comment_id INTEGER PRIMARY KEY REFERENCES comments(id),
            queue TEXT NOT NULL,
            rule_id INTEGER NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX rule_holds_queue ON rule_holds(queue);
        INSERT INTO rules (id, position, name, conditions, action, reason, queue, level, why,
                           updated_by, updated_at) VALUES
          (1, 1, '禁用词', '{"flag_level": "reject"}', 'reject', 'banned', '', '',
           '含禁用词的评论自动拒绝（规则引擎之前的做法）', 'system', '2026-11-30T00:00:00+00:00'),
          (2, 2, '禁言作者', '{"author_levels": ["muted"]}', 'reject', 'muted', '', '',
           '被禁言的作者的评论自动拒绝', 'system', '2026-11-30T00:00:00+00:00'),
          (3, 3, '观察作者', '{"author_levels": ["watch"]}', 'hold', '', '观察', '',
           '观察中的作者的评论一律待审，进入“观察”队列', 'system', '2026-11-30T00:00:00+00:00'),
          (4, 4, '信任作者且无标记', '{"author_levels": ["trusted"], "no_flags": true}',
           'approve', '', '', '', '信任的作者在没有任何标记时自动通过',
           'system', '2026-11-30T00:00:00+00:00')
        """,
    )


@desk()
def m002_author_levels(db):
    """Levels set on authors (trusted, watch, muted) with reason and expiry, and their audit."""
    run_statements(
        db,
        """
        CREATE TABLE author_levels (
            author_key TEXT PRIMARY KEY,
            level TEXT NOT NULL,
            reason TEXT NOT NULL,
            set_by TEXT NOT NULL,
            set_at TEXT NOT NULL,
            expires_at TEXT
        );
        CREATE INDEX author_levels_expires ON author_levels(expires_at);
        CREATE TABLE author_level_changes (
            id INTEGER PRIMARY KEY,
            author_key TEXT NOT NULL,
            from_level TEXT,
            to_level TEXT,
            reason TEXT NOT NULL,
            actor TEXT NOT NULL,
            expires_at TEXT,
            at TEXT NOT NULL
        );
        CREATE INDEX author_level_changes_author ON author_level_changes(author_key);
        CREATE TRIGGER author_level_changes_no_update BEFORE UPDATE ON author_level_changes
        BEGIN SELECT RAISE(ABORT, 'author level changes are append-only'); END;
        """,
    )


@desk()
def m003_allowed_words(db):
    """Allowed compounds that excuse a banned or suspect word inside them (垃圾分类 for 垃圾)."""
    run_statements(
        db,
        """
        CREATE TABLE allowed_words (
            word TEXT PRIMARY KEY,
            added_by TEXT NOT NULL,
            added_at TEXT NOT NULL
        )
        """,
    )


@desk()
def m004_author_notes_and_links(db):
    """Moderators' notes on authors, and author keys editors linked as one person (audited)."""
    run_statements(
        db,
        """
        CREATE TABLE author_notes (
            id INTEGER PRIMARY KEY,
            author_key TEXT NOT NULL,
            note TEXT NOT NULL,
            actor TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX author_notes_author ON author_notes(author_key);
        CREATE TABLE author_links (
            author_key TEXT NOT NULL,
            other_key TEXT NOT NULL,
            linked_by TEXT NOT NULL,
            linked_at TEXT NOT NULL,
            PRIMARY KEY (author_key, other_key)
        );
        CREATE INDEX author_links_other ON author_links(other_key);
        CREATE TABLE author_link_log (
            id INTEGER PRIMARY KEY,
            action TEXT NOT NULL CHECK (action IN ('link', 'unlink')),
            author_key TEXT NOT NULL,
            other_key TEXT NOT NULL,
            reason TEXT NOT NULL,
            actor TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE TRIGGER author_link_log_no_update BEFORE UPDATE ON author_link_log
        BEGIN SELECT RAISE(ABORT, 'the link log is append-only'); END;
        """,
    )


@desk()
def m005_story_modes(db):
    """Per-story moderation modes (pre, post, closed), the sitewide emergency switch, and the
    log of every change."""
    run_statements(
        db,
        """
        CREATE TABLE story_modes (
            story_id INTEGER PRIMARY KEY REFERENCES stories(id),
            mode TEXT NOT NULL CHECK (mode IN ('pre', 'post', 'closed')),
            set_by TEXT NOT NULL,
            set_at TEXT NOT NULL
        );
        CREATE TABLE site_mode (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            emergency INTEGER NOT NULL DEFAULT 0,
            set_by TEXT NOT NULL,
            set_at TEXT NOT NULL
        );
        CREATE TABLE mode_log (
            id INTEGER PRIMARY KEY,
            story_id INTEGER,
            mode TEXT NOT NULL,
            reason TEXT NOT NULL,
            actor TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX mode_log_story ON mode_log(story_id);
        """,
    )


@desk()
def m006_reasons(db):
    """Rejection reasons as a managed list: code, label, explanation, the flags that preselect
    it on a card; seeded with the reasons the dashboard had."""
    run_statements(
        db,
        """
        CREATE TABLE reasons (
            code TEXT PRIMARY KEY,
            label TEXT NOT NULL,
            explanation TEXT NOT NULL DEFAULT '',
            flag_codes TEXT NOT NULL DEFAULT '',
            position INTEGER NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            updated_by TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        INSERT INTO reasons (code, label, explanation, flag_codes, position, updated_by,
                             updated_at) VALUES
          ('abuse', '辱骂', '人身攻击、侮辱、谩骂', '', 1, 'system', '2026-11-30T00:00:00+00:00'),
          ('ad', '广告', '广告、引流、刷屏', 'spam_link spam_solicit spam_repeat mass_posting', 2,
           'system', '2026-11-30T00:00:00+00:00'),
          ('personal_data', '个人信息', '含手机号、身份证号等个人信息', 'personal_data', 3,
           'system', '2026-11-30T00:00:00+00:00'),
          ('off_topic', '无关', '与稿件内容无关', '', 4, 'system', '2026-11-30T00:00:00+00:00'),
          ('illegal', '违法', '违反法律法规', '', 5, 'system', '2026-11-30T00:00:00+00:00'),
          ('duplicate', '重复', '与其他评论重复', 'duplicate', 6, 'system',
           '2026-11-30T00:00:00+00:00'),
          ('other', '其他', '其他原因', '', 7, 'system', '2026-11-30T00:00:00+00:00')
        """,
    )
