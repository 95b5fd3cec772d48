"""Word lists managed by admins in the dashboard; they add to config.toml's lists."""

from __future__ import annotations

from moderation.timeutil import now_iso

KINDS = ("banned", "suspect")
ALLOWED = "allowed"  # exceptions: compounds that excuse a listed word inside them
SIGNAL_KINDS = ("insult", "report")  # the insult lexicon and crime/scam report phrases
MAX_WORD = 30


class WordListError(ValueError):
    """A word that cannot be added as asked."""


def words(db) -> dict[str, tuple[str, ...]]:
    """The dashboard's words per kind, sorted."""
    found: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for kind, word in db.execute("SELECT kind, word FROM word_lists ORDER BY kind, word"):
        found[kind].append(word)
    found[ALLOWED] = [row[0] for row in db.execute("SELECT word FROM allowed_words ORDER BY word")]
    for kind in SIGNAL_KINDS:
        found[kind] = [
            row[0]
            for row in db.execute(
                "SELECT word FROM signal_words WHERE kind = ? ORDER BY word", [kind]
            )
        ]
    return {kind: tuple(items) for kind, items in found.items()}


def entries(db) -> list[dict]:
    """Every dashboard word (exceptions too) with who added it and when."""
    return list(
        db.query(
            "SELECT kind, word, added_by, added_at FROM word_lists UNION ALL "
            "SELECT kind, word, added_by, added_at FROM signal_words UNION ALL "
            "SELECT 'allowed', word, added_by, added_at FROM allowed_words ORDER BY 1, 2"
        )
    )


def add_word(db, kind: str, word: str, actor: str) -> str:
    """Add a word (trimmed); WordListError for an unknown kind, an empty or overlong word."""
    word = " ".join(word.split())
    if kind not in (*KINDS, ALLOWED, *SIGNAL_KINDS):
        raise WordListError(f"unknown list {kind!r}")
    if not word or len(word) > MAX_WORD:
        raise WordListError(f"a word must have 1 to {MAX_WORD} characters")
    if kind == ALLOWED:
        db.execute(
            "INSERT OR IGNORE INTO allowed_words (word, added_by, added_at) VALUES (?, ?, ?)",
            [word, actor, now_iso()],
        )
        return word
    if kind in SIGNAL_KINDS:
        db.execute(
            "INSERT OR IGNORE INTO signal_words (kind, word, added_by, added_at) "
            "VALUES (?, ?, ?, ?)",
            [kind, word, actor, now_iso()],
        )
        return word
    db.execute(
        "INSERT OR IGNORE INTO word_lists (kind, word, added_by, added_at) VALUES (?, ?, ?, ?)",
        [kind, word, actor, now_iso()],
    )
    return word


def remove_word(db, kind: str, word: str) -> bool:
    """Remove a dashboard word; True if it was there."""
    if kind == ALLOWED:
        return db.execute("DELETE FROM allowed_words WHERE word = ?", [word]).rowcount > 0
    if kind in SIGNAL_KINDS:
        sql = "DELETE FROM signal_words WHERE kind = ? AND word = ?"
        return db.execute(sql, [kind, word]).rowcount > 0
    return (
        db.execute("DELETE FROM word_lists WHERE kind = ? AND word = ?", [kind, word]).rowcount > 0
    )
