"""Moderation decisions: the one place a comment's state is changed by a decision.

`decide` does it all in one transaction, for one comment or many: the "who decided first"
check against what the moderator saw, the state change, one decision row per changed
comment and the action owed to the channel (the outbox). Single decisions, bulk, duplicate
groups, undo, rules, story modes and the system's reopen of an edited comment all call it.
The rows themselves are kept by `decision_log`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from moderation.states import ACTIONS, PENDING
from moderation.storage import decision_log, in_chunks, outbox
from moderation.storage.decision_log import history, last, newest_id, record
from moderation.timeutil import now_iso

__all__ = [
    "ACTIONS",
    "DECISION_BATCH",
    "DecisionConflict",
    "DecisionError",
    "Seen",
    "check_seen",
    "decide",
    "decide_in_batches",
    "decide_one",
    "history",
    "last",
    "newest_id",
    "note_pending",
    "record",
    "statuses",
]

DECISION_BATCH = 200  # comments per transaction when a whole group is decided


class DecisionError(ValueError):
    """A decision that cannot apply (unknown comment or action)."""


class DecisionConflict(Exception):
    """Comments changed after the moderator saw them (another moderator, a rule or the
    system decided meanwhile): nothing was applied.

    `conflicts` lists each such comment as {comment_id, current, last} (`last` is the
    decision that changed it, or None); `current` and `last` are the first one's, for a
    single decision.
    """

    def __init__(self, conflicts: list[dict]):
        first = conflicts[0]
        super().__init__(f"comment {first['comment_id']} is {first['current']} now")
        self.conflicts = conflicts
        self.comment_id = first["comment_id"]
        self.current = first["current"]
        self.last = first["last"]


@dataclass(frozen=True)
class Seen:
    """What the moderator was shown when they decided.

    `states`: the state each comment was shown in (one state for all, or {id: state});
    `decision`: the newest decision the page knew of (a group page, an undo): any
    state-changing decision on the comments after it is a conflict. An empty Seen (or
    None) checks nothing: a deliberate override, or the system deciding.
    """

    states: str | Mapping[int, str] | None = None
    decision: int | None = None

    def expected(self, comment_id: int) -> str | None:
        """The state the comment was shown in, or None when the page did not say."""
        if isinstance(self.states, Mapping):
            return self.states.get(comment_id)
        return self.states


def decide(
    db,
    comment_ids: Iterable[int],
    action: str,
    actor: str,
    reason: str | None = None,
    seen: Seen | None = None,
) -> list[dict]:
    """Apply one moderation action to comments, all of them or none, and record it.

    Returns {id, from, to, decision_id} per comment, in the order given (`decision_id` is
    None where the comment already was in the target state: deciding twice is a no-op).
    With `seen`, a comment that changed since the moderator saw it raises DecisionConflict
    and nothing is applied (check and change happen in one transaction, so of two
    moderators deciding at once the second always hears). Statuses are read and written a
    chunk at a time, so the write lock is held as briefly as the work allows.
    """
    if action not in ACTIONS:
        raise DecisionError(f"unknown action {action!r}")
    target = ACTIONS[action]
    ids = list(dict.fromkeys(comment_ids))
    with db.atomic():
        current = statuses(db, ids)
        missing = [comment_id for comment_id in ids if comment_id not in current]
        if missing:
            raise DecisionError(f"no comment {missing[0]}")
        if seen is not None:
            _check(db, ids, current, seen)
        changing = [comment_id for comment_id in ids if current[comment_id] != target]
        now = now_iso()
        db.conn.executemany(
            "UPDATE comments SET status = ?, status_at = ? WHERE id = ?",
            [(target, now, comment_id) for comment_id in changing],
        )
        decision_ids = decision_log.append(
            db,
            [
                (comment_id, actor, action, current[comment_id], target, reason, now)
                for comment_id in changing
            ],
        )
        # The actions owed to the channels commit with the decisions, or not at all.
        for decision_id, comment_id in zip(decision_ids, changing, strict=True):
            outbox.on_decision(db, decision_id, comment_id, target, actor)
    made = dict(zip(changing, decision_ids, strict=True))
    return [{"id": i, "from": current[i], "to": target, "decision_id": made.get(i)} for i in ids]


def decide_one(
    db, comment_id: int, action: str, actor: str, reason: str | None = None, seen=None
) -> dict:
    """`decide` for one comment: {id, from, to, decision_id}. `seen` may be the state the
    moderator was shown (a string) or a Seen."""
    if isinstance(seen, str):
        seen = Seen(states=seen)
    return decide(db, [comment_id], action, actor, reason, seen)[0]


def decide_in_batches(
    db,
    comment_ids: list[int],
    action: str,
    actor: str,
    reason=None,
    progress=None,
    seen: Seen | None = None,
) -> int:
    """Apply one action to many comments, DECISION_BATCH per transaction; return how many
    changed. Other writers get the lock between batches, so a 10,000-comment duplicate group
    never makes a colleague's decision or the collector wait long; `progress(done, total)`
    is called after each batch (a batch is applied wholly or not at all). With `seen`, the
    whole group is checked first (nothing applied on a conflict), then each batch again."""
    if seen is not None:
        check_seen(db, comment_ids, seen)
    changed = 0
    for start in range(0, len(comment_ids), DECISION_BATCH):
        batch = comment_ids[start : start + DECISION_BATCH]
        done = decide(db, batch, action, actor, reason, seen)
        changed += sum(1 for result in done if result["decision_id"] is not None)
        if progress:
            progress(start + len(batch), len(comment_ids))
    return changed


def check_seen(db, comment_ids, seen: Seen) -> None:
    """DecisionConflict when any of the comments changed since the moderator saw them
    (nothing is written); a first check before work that spans several transactions."""
    ids = list(dict.fromkeys(comment_ids))
    with db.atomic():
        _check(db, ids, statuses(db, ids), seen)


def note_pending(db, notes) -> None:
    """Log rule holds and editor flags of pending comments: (comment_id, actor, action,
    reason, at) each. They change no state, so nothing is pushed."""
    decision_log.append(
        db,
        [
            (comment_id, actor, action, PENDING, PENDING, reason, at)
            for comment_id, actor, action, reason, at in notes
        ],
    )


def statuses(db, comment_ids: list[int]) -> dict[int, str]:
    """{comment id: its state} for the ids that exist."""
    found = {}
    for chunk, marks in in_chunks(comment_ids):
        found.update(
            db.conn.execute(f"SELECT id, status FROM comments WHERE id IN ({marks})", chunk)
        )
    return found


def _check(db, ids: list[int], current: dict[int, str], seen: Seen) -> None:
    """Raise DecisionConflict for the comments that changed since the moderator saw them."""
    changed = {
        comment_id: None
        for comment_id in ids
        if seen.expected(comment_id) not in (None, current[comment_id])
    }
    if seen.decision is not None:
        for comment_id, row in decision_log.changes_after(db, ids, seen.decision).items():
            changed[comment_id] = row
    if not changed:
        return
    raise DecisionConflict(
        [
            {
                "comment_id": comment_id,
                "current": current[comment_id],
                "last": row or decision_log.last(db, comment_id),
            }
            for comment_id, row in sorted(changed.items())
        ]
    )
