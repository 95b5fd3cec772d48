"""What the desk adds to queue cards: the rule behind each automatic decision, in words,
and the author's level."""

from __future__ import annotations

from flask import current_app

from moderation.storage import authors, rule_apply


def annotate_cards(db, comments: list[dict]) -> None:
    """Add `rule_firings`, `author_level` and each history row's `actor_words` to a page."""
    if not comments:
        return
    firings = rule_apply.firings_for(db, [comment["id"] for comment in comments])
    thresholds = authors.thresholds_from(current_app.config["SETTINGS"].authors)
    levels = authors.levels_for_cards(db, [c["author_key"] for c in comments], thresholds)
    for comment in comments:
        comment["rule_firings"] = firings.get(comment["id"], [])
        comment["author_level"] = levels.get(comment["author_key"], "")
        by_rule = {f"{rule_apply.RULE_ACTOR}{f['rule_id']}": f for f in comment["rule_firings"]}
        for decision in comment.get("history", []):
            firing = by_rule.get(decision["actor"])
            decision["actor_words"] = firing["words"] if firing else decision["actor"]
