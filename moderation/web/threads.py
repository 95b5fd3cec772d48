"""Thread context for the desk: each card's parent comment (the one a reply answers) and
the replies under it, with replies from the channel's own account marked 官方."""

from __future__ import annotations

from flask import current_app

from moderation.storage import threads as thread_store

LONG_THREAD = 3  # more replies than this start collapsed


def official_accounts(settings) -> dict[str, set[str]]:
    """{channel name: the names and author ids its own account comments under}."""
    return {
        channel.name: {name.strip() for name in channel.official_authors.split(",") if name.strip()}
        for channel in settings.channels
    }


def is_official(comment: dict, accounts: dict[str, set[str]]) -> bool:
    """Whether a comment was written by its channel's own account."""
    names = accounts.get(comment.get("channel"), set())
    if not names:
        return False
    key = comment.get("author_key") or ""
    return bool({comment.get("author_name"), key, key.split(":", 1)[-1]} & names)


def annotate_threads(db, comments: list[dict]) -> None:
    """Give each comment `parent` (or None), `thread` ({total, shown} or None) and `official`."""
    accounts = official_accounts(current_app.config["SETTINGS"])
    parents = thread_store.parents(db, comments)
    replies = thread_store.replies(db, comments)
    for comment in comments:
        comment["official"] = is_official(comment, accounts)
        comment["parent"] = parents.get(comment["id"])
        if comment["parent"]:
            comment["parent"]["official"] = is_official(comment["parent"], accounts)
        comment["thread"] = replies.get(comment["id"])
        for reply in (comment["thread"] or {}).get("shown", []):
            reply["official"] = is_official(reply, accounts)
        if comment["thread"]:
            comment["thread"]["collapsed"] = comment["thread"]["total"] > LONG_THREAD
