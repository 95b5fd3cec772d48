"""What the desk adds to queue cards: the rule behind each automatic decision, in words,
and the author's level."""

from __future__ import annotations

from flask import current_app

from moderation.storage import authors, reasons, rule_apply, second_opinions, story_modes


def annotate_cards(db, comments: list[dict]) -> None:
    """Add `rule_firings`, `opinions` (second opinions), `author_level`, `story_mode` (when
    not pre), the reason the fired flag preselects and each history row's `actor_words`."""
    if not comments:
        return
    firings = rule_apply.firings_for(db, [comment["id"] for comment in comments])
    thresholds = authors.thresholds_from(current_app.config["SETTINGS"].authors)
    levels = authors.levels_for_cards(db, [c["author_key"] for c in comments], thresholds)
    in_force = story_modes.effective_modes(
        db,
        [c.get("story_id") for c in comments],
        story_modes.settings_from(current_app.config["SETTINGS"].modes),
    )
    by_flag = reasons.preselect_map(db)
    opinions = second_opinions.for_comments(db, [comment["id"] for comment in comments])
    shown = current_app.config["SETTINGS"].second_opinion.provider_settings()
    for comment in comments:
        comment["opinions"] = [
            {**o, "shown": shown[o["provider"]].shown if o["provider"] in shown else o["provider"]}
            for o in opinions.get(comment["id"], [])
        ]
        comment["preselected_reason"] = reasons.preselected(
            [flag["code"] for flag in comment.get("flags") or []],
            (comment.get("dup_size") or 0) > 1,
            by_flag,
        )
        comment["rule_firings"] = firings.get(comment["id"], [])
        comment["author_level"] = levels.get(comment["author_key"], "")
        mode = in_force.get(comment.get("story_id"), story_modes.PRE)
        comment["story_mode"] = "" if mode == story_modes.PRE else story_modes.MODES[mode]
        by_rule = {rule_apply.actor_of(f["rule_id"]): f for f in comment["rule_firings"]}
        for decision in comment.get("history", []):
            firing = by_rule.get(decision["actor"])
            decision["actor_words"] = firing["words"] if firing else decision["actor"]
