"""Two moderators deciding the same comment: the second is told who decided it first, and
may then override knowingly (the override form carries the state they were just shown)."""

from __future__ import annotations

from flask import flash, render_template

from moderation.storage.decisions import ACTIONS, DecisionConflict
from moderation.web.templating import ACTION_NAMES, STATE_NAMES, localtime


def describe(conflict: DecisionConflict) -> str:
    """'读者甲 于 2024-01-22 09:00 通过' (or the state alone when no decision is recorded)."""
    last = conflict.last
    if last is None:
        return f"已是“{STATE_NAMES.get(conflict.current, conflict.current)}”"
    action = ACTION_NAMES.get(last["action"], last["action"])
    return f"已由 {last['actor']} 于 {localtime(last['at'])} {action}"


def respond(conflict: DecisionConflict, comment_id: int, action: str, reason, back):
    """The same decision already made: say so and go back. Another one: a 409 page that
    names it and offers to apply this one anyway."""
    if conflict.current == ACTIONS[action]:
        flash(f"该评论{describe(conflict)}，无需重复操作。")
        return back()
    page = render_template(
        "queue/conflict.html",
        comment_id=comment_id,
        action=action,
        reason=reason,
        current=conflict.current,
        who=describe(conflict),
    )
    return page, 409
