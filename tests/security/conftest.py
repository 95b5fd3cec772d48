"""Security fixtures: a database with the demo channel collected and scored, an edition with
a section and a quote, an archived export and one account per role, built once per session
and copied into each test's database; concrete URLs for every rule of the url_map."""

from __future__ import annotations

import sqlite3
import time
from datetime import date

import pytest
from werkzeug.routing import AnyConverter

from moderation import pipeline
from moderation.db import connect
from moderation.drafting import desk
from moderation.roles import ROLES
from moderation.settings import load_settings
from moderation.storage import alerts, edition_exports, editions, reports, wordlists
from moderation.timeutil import now_iso
from tests.helpers import write_config

EDITION_DATE = "2024-01-25"


def add_account(db, name: str, role: str) -> int:
    """An account without a usable password (tests log in through the session)."""
    return (
        db.table("users")
        .insert({"name": name, "role": role, "password_hash": "-", "created_at": now_iso()})
        .last_pk
    )


def build_world(db, settings) -> dict:
    """Collect and score the demo channel, then add what every route needs a row of."""
    pipeline.collect_channel(db, settings, settings.channel("demo"))
    pipeline.score_pending(db, settings)
    users = {role: add_account(db, role, role) for role in ROLES}
    users["target"] = add_account(db, "target", "moderator")
    pending, approved = [row[0] for row in db.execute("SELECT id FROM comments LIMIT 2")]
    db.execute(
        "UPDATE comments SET status = 'approved', status_at = ? WHERE id = ?",
        [now_iso(), approved],
    )
    story_id = db.execute("SELECT story_id FROM comments WHERE id = ?", [approved]).fetchone()[0]
    group = db.execute(
        "SELECT dup_group FROM scores WHERE dup_group IS NOT NULL GROUP BY dup_group "
        "HAVING COUNT(*) > 1 LIMIT 1"
    ).fetchone()[0]
    edition = editions.create_edition(db, EDITION_DATE, "融媒观察", "editor")
    section_id = editions.add_section(db, edition, story_id, "editor")
    quote = editions.select_quote(db, edition, section_id, approved, "editor")
    edition = editions.get_edition(db, EDITION_DATE)
    edition_exports.store_export(db, edition, "txt", "utf-8", b"column", "editor")
    export_id = edition_exports.list_exports(db, edition)[0]["id"]
    other_story = db.execute("SELECT id FROM stories WHERE id != ? LIMIT 1", [story_id]).fetchone()
    for kind in (*wordlists.KINDS, wordlists.ALLOWED, *wordlists.SIGNAL_KINDS):
        wordlists.add_word(db, kind, "坑爹", "admin")
    report_id = reports.save_report(db, "daily", "2024-01-25", "2024-01-25", "editor", b"d", b"h")
    rule_id = alerts.save_rule(db, {"name": "事故", "kind": "keyword"}, "admin")
    alert = {"rule_id": rule_id, "condition": "story:1", "title": "事故", "detail": {}}
    alerts.fire_alert(db, alert, ["robot"], now_iso())
    delivery_id = db.execute("SELECT id FROM alert_deliveries").fetchone()[0]
    db.execute("UPDATE alert_deliveries SET state = 'failed' WHERE id = ?", [delivery_id])
    week = (date(2024, 1, 19), date(2024, 1, 25))
    draft_id = desk.start_draft(db, *week, settings.draft, "editor")
    reply_id = (
        db.table("official_replies")
        .insert(
            {
                "comment_id": approved,
                "text": "谢谢",
                "author": "editor",
                "written_at": now_iso(),
                "state": "awaiting_sign_off",
            }
        )
        .last_pk
    )
    row_id = (
        db.table("outbox")
        .insert(
            {
                "key": "test:1",
                "channel": "demo",
                "action": "feature",
                "mode": "on",
                "comment_id": approved,
                "state": "failed",
                "next_at": now_iso(),
                "created_at": now_iso(),
            }
        )
        .last_pk
    )
    return {
        "users": users,
        "comment_id": pending,
        "approved_id": approved,
        "story_id": story_id,
        "group_id": group,
        "section_id": section_id,
        "quote_id": quote["id"],
        "export_id": export_id,
        "user_id": users["target"],
        "date": EDITION_DATE,
        "name": "demo",
        "other_story_id": other_story[0],
        "word": "坑爹",
        "report_id": report_id,
        "delivery_id": delivery_id,
        "draft_id": draft_id,
        "reply_id": reply_id,
        "row_id": row_id,
        "rule_id": 1,
        "code": "other",  # a rejection reason
        "author_key": db.execute(
            "SELECT author_key FROM comments WHERE id = ?", [pending]
        ).fetchone()[0],
    }


@pytest.fixture(scope="session")
def world_template(tmp_path_factory):
    """(path of the populated database file, the ids in it), built once per session."""
    folder = tmp_path_factory.mktemp("world")
    settings = load_settings(write_config(folder))
    db = connect(settings.database_path)
    ids = build_world(db, settings)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return settings.database_path, ids


@pytest.fixture
def world(db, world_template) -> dict:
    """The populated database copied into this test's database; returns its ids."""
    restore(db, world_template[0])
    return world_template[1]


def restore(db, path) -> None:
    """Overwrite `db` with the database file at `path` (SQLite's backup API)."""
    source = sqlite3.connect(path)
    try:
        source.backup(db.conn)
    finally:
        source.close()


def login_as(client, user_id: int) -> None:
    """Log the test client in as `user_id` by setting the session."""
    with client.session_transaction() as session:
        session.update(user_id=user_id, v=0, born=int(time.time()))  # as sessions.start does


def logout(client) -> None:
    """Forget the test client's session."""
    with client.session_transaction() as session:
        session.clear()


INT_IDS = {
    "comment_id": "comment_id",
    "group_id": "group_id",
    "story_id": "story_id",
    "section_id": "section_id",
    "quote_id": "quote_id",
    "export_id": "export_id",
    "user_id": "user_id",
    "report_id": "report_id",
    "delivery_id": "delivery_id",
    "draft_id": "draft_id",
    "reply_id": "reply_id",
    "row_id": "row_id",
}
# Converter values that are not a row id, per endpoint and argument.
DEFAULT_VALUES = {
    ("column.download", "fmt"): "csv",
    ("static", "filename"): "dashboard.css",
    ("duties.decide_appeal", "appeal_id"): 1,  # none filed: the page says so
    ("intake.receive", "channel"): "demo",
}


def rule_urls(app, ids: dict, methods=("GET", "POST")) -> list[tuple[str, str, str]]:
    """(method, endpoint, URL) for every rule, once per `any(...)` option, with real ids."""
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        choices = [{}]
        for name, converter in rule._converters.items():
            if isinstance(converter, AnyConverter):
                options = sorted(converter.items)
            else:
                options = [_value(rule.endpoint, name, ids)]
            choices = [{**values, name: option} for values in choices for option in options]
        for values in choices:
            if rule.endpoint == "queue.decide" and values["action"] == "reopen":
                values = {**values, "comment_id": ids["approved_id"]}
            if rule.endpoint == "column.move":
                key = "section_id" if values["kind"] == "section" else "quote_id"
                values = {**values, "item_id": ids[key]}
            url = rule.build(values)[1]
            urls.extend(
                (method, rule.endpoint, url) for method in methods if method in rule.methods
            )
    return urls


def _value(endpoint: str, name: str, ids: dict):
    if (endpoint, name) in DEFAULT_VALUES:
        return DEFAULT_VALUES[(endpoint, name)]
    if name in INT_IDS:
        return ids[INT_IDS[name]]
    if name == "item_id":
        return ids["section_id"]
    return ids[name]
