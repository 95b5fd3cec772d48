"""Two moderators deciding the same comments: every decision carries what the moderator saw,
the second is told who decided first, and may then override knowingly.

A form says what it showed: ``seen`` (the state of one comment, or ``<id>:<state>`` per
comment of a bulk selection) and ``seen_decision`` (the newest decision the page knew of: a
group page, an undo toast). A request without either (a script) must send ``force=1`` to
override deliberately; otherwise it is refused with a 400 that says so.
"""

from __future__ import annotations

from flask import abort, flash, render_template, request

from moderation.states import ACTION_NAMES, STATE_NAMES, STATES
from moderation.storage.decisions import ACTIONS, DecisionConflict, Seen
from moderation.web.context import sqlite_int
from moderation.web.templating import localtime

MISSING_SEEN = (
    "请求缺少“所见状态”：请从审核页面操作；脚本须带上 seen（单条为状态，批量为 编号:状态），"
    "或以 force=1 明确表示覆盖他人的决定。"
)


def forced() -> bool:
    """Whether the form asks to override whatever happened since (``force=1``)."""
    return request.form.get("force") == "1"


def seen_one() -> Seen | None:
    """What the form of a single decision showed (None when it forces); 400 without it."""
    if forced():
        return None
    state = request.form.get("seen") or None
    if state not in (*STATES, None):
        abort(400, "seen 须为 pending、approved 或 rejected")
    decision = _decision()
    if state is None and decision is None:
        abort(400, MISSING_SEEN)
    return Seen(states=state, decision=decision)


def seen_many(ids: list[int]) -> Seen | None:
    """What a bulk form showed of each selected comment (None when it forces); 400 when a
    selected comment's state is missing and no ``seen_decision`` covers the page."""
    if forced():
        return None
    states = {}
    for value in request.form.getlist("seen"):
        comment_id, _, state = value.partition(":")
        try:
            key = sqlite_int(comment_id)
        except ValueError:
            abort(400, "seen 须为 编号:状态")
        if state not in STATES:
            abort(400, "seen 须为 编号:状态（pending、approved 或 rejected）")
        states[key] = state
    decision = _decision()
    if decision is None and any(comment_id not in states for comment_id in ids):
        abort(400, MISSING_SEEN)
    return Seen(states={i: states[i] for i in ids if i in states}, decision=decision)


def _decision() -> int | None:
    value = request.form.get("seen_decision")
    if not value:
        return None
    try:
        return sqlite_int(value)
    except ValueError:
        abort(400, "seen_decision 须为整数")


def describe(conflict: DecisionConflict | dict) -> str:
    """'读者甲 于 2024-01-22 09:00 通过' (or the state alone when no decision is recorded)."""
    last, current = (
        (conflict["last"], conflict["current"])
        if isinstance(conflict, dict)
        else (conflict.last, conflict.current)
    )
    if last is None:
        return f"已是“{STATE_NAMES.get(current, current)}”"
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


def respond_many(conflict: DecisionConflict, ids: list[int], action: str, reason, **target):
    """A 409 page for a bulk or group decision: which comments changed since the page was
    shown and by whom, nothing applied; the moderator may apply it to the others only (a
    bulk selection) or to all of them anyway."""
    changed = [{**item, "who": describe(item)} for item in conflict.conflicts]
    decided = {item["comment_id"] for item in changed}
    page = render_template(
        "queue/conflicts.html",
        changed=changed,
        others=[i for i in ids if i not in decided],
        ids=ids,
        action=action,
        reason=reason,
        group=target.get("group", False),
        shown=target.get("shown", {}),
        url=target["url"],
    )
    return page, 409
