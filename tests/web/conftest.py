"""Dashboard fixtures: the demo channel collected, score rows with flags, quick logins."""

from __future__ import annotations

import json

import pytest

from moderation import pipeline
from moderation.storage import users
from moderation.timeutil import now_iso
from moderation.web import sessions

XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def add_score(db, comment_id, sentiment=0.5, flags=(), dup_group=None, label=None, offensive=None):
    """Store a score row the way the scorer does (flags with spans, codes, duplicate group)."""
    label = label or (
        "negative" if sentiment < 0.3 else "positive" if sentiment > 0.7 else "neutral"
    )
    db.table("scores").upsert(
        {
            "comment_id": comment_id,
            "sentiment": sentiment,
            "label": label,
            "model_version": "test",
            "flags": json.dumps(list(flags), ensure_ascii=False),
            "flag_codes": " ".join(sorted({flag["code"] for flag in flags})),
            "dup_group": dup_group,
            "scored_at": now_iso(),
            "offensive": offensive,
        },
        pk="comment_id",
    )


def span_flag(text, needle, code="personal_data", reason="含手机号", action="review"):
    """A flag whose span covers the first `needle` in `text`."""
    start = text.index(needle)
    return {
        "code": code,
        "reason": reason,
        "action": action,
        "spans": [{"start": start, "end": start + len(needle), "text": needle}],
    }


def add_comment(db, text, story_id=1, author="读者甲", created_at="2024-01-23T01:00:00+00:00"):
    """Insert one pending demo-channel comment; return its id."""
    count = db.execute("SELECT COUNT(*) FROM comments").fetchone()[0]
    return (
        db.table("comments")
        .insert(
            {
                "channel": "demo",
                "native_id": f"test-{count + 1}",
                "story_id": story_id,
                "author_key": f"demo:{author}",
                "author_name": author,
                "text": text,
                "created_at": created_at,
                "collected_at": now_iso(),
                "likes": 0,
                "status": "pending",
            }
        )
        .last_pk
    )


def duplicate_groups(db) -> dict[int, list[int]]:
    """Comments with identical text grouped under their smallest id (as the scorer does)."""
    groups: dict[str, list[int]] = {}
    for comment_id, text in db.execute("SELECT id, text FROM comments ORDER BY id"):
        groups.setdefault(text, []).append(comment_id)
    return {ids[0]: ids for ids in groups.values() if len(ids) > 1}


def score_demo(db) -> None:
    """Score every comment cheaply (no snownlp): sentiment from likes, duplicate groups."""
    group_of = {i: first for first, ids in duplicate_groups(db).items() for i in ids}
    rows = db.execute("SELECT id, likes FROM comments").fetchall()
    for comment_id, likes in rows:
        add_score(db, comment_id, min(0.05 + likes / 300, 0.95), dup_group=group_of.get(comment_id))


@pytest.fixture
def collected(db, settings):
    """The demo channel collected and cheaply scored."""
    pipeline.collect_channel(db, settings, settings.channel("demo"))
    score_demo(db)
    return db


class QuickLogin:
    """Log the client in by session (no password hashing: keeps the suite fast)."""

    def __init__(self, client, db):
        self.client = client
        self.db = db

    def __call__(self, role: str = "moderator", name: str | None = None) -> int:
        """Create `name` with `role` (any text, even an unknown role) and log in as them."""
        name = name or role
        row = self.db.execute("SELECT id FROM users WHERE name = ?", [name]).fetchone()
        if row:
            user_id = row[0]
        else:
            user_id = (
                self.db.table("users")
                .insert({"name": name, "role": role, "password_hash": "-", "created_at": now_iso()})
                .last_pk
            )
        with self.client.session_transaction() as session:
            sessions.start(session, users.get_user_by_id(self.db, user_id))
        return user_id


@pytest.fixture
def login(client, db):
    """`login("editor")` logs the test client in without a password round trip."""
    return QuickLogin(client, db)


@pytest.fixture(scope="session", autouse=True)
def story_segmenter(built_segmenter_cache):
    """Story pages segment with the process's one segmenter: load it from the built tables."""
    from moderation.web.keywords import segmenter

    return segmenter(str(built_segmenter_cache))
