"""The review queues: listing with filters and keyset pages, single and bulk decisions,
duplicate groups, claims, editor flags, sentiment corrections and the column export."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from time import monotonic

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from moderation.roles import MODERATOR
from moderation.states import ACTION_NAMES
from moderation.storage import channels as channel_store
from moderation.storage import claims as claim_store
from moderation.storage import corrections, decisions, duplicates
from moderation.storage import offensive as offensive_store
from moderation.storage import queue as queue_store
from moderation.storage import reasons as reason_store
from moderation.timeutil import BEIJING
from moderation.web import conflicts, desk_cards, group_decisions
from moderation.web import duties as duties_view
from moderation.web import push as push_view
from moderation.web.auth import current_actor, role_required, safe_next
from moderation.web.context import COUNTS_CACHE, forget_counts, get_db, sqlite_int
from moderation.web.review import claims_for, flash_batch, flash_decision
from moderation.web.threads import annotate_threads

bp = Blueprint("queue", __name__)
PAGE_SIZE = 20
CLAIMING_QUEUES = {"pending", "flagged", "editor"}
COUNTS_TTL = 30  # seconds
GROUP_PAGE_LIMIT = 200  # cards shown of a duplicate group; the group actions cover them all
LINK_PARAMS = {
    "queue", "order", "channel", "story", "author", "since", "until", "smin", "smax",
    "omin", "omax", "flag", "held",
}  # fmt: skip


@bp.get("/")
def index():
    """A queue page: pending by default; ?queue=, filters, ?order= and ?after= for paging."""
    queue = request.args.get("queue", "pending")
    if queue not in queue_store.QUEUES:
        abort(404)
    return _listing(queue)


@bp.get("/approved")
def approved():
    """Approved comments, ready for the column."""
    return _listing("approved")


def _listing(queue: str):
    db = get_db()
    filters = read_filters(queue)
    order = request.args.get("order", "newest")
    if order not in queue_store.ORDERS:
        order = "newest"
    comments, after = queue_store.list_queue(
        db, filters, order, request.args.get("after"), PAGE_SIZE
    )
    comments = annotate(db, comments, claim=queue in CLAIMING_QUEUES)
    # Only the page's own parameters go into its links: url_for reads `_external`,
    # `_scheme` and `_anchor` as instructions, not as query values.
    args = {k: v for k, v in request.args.items() if k in LINK_PARAMS and v}
    return render_template(
        "queue/index.html",
        queue=queue,
        queues=queue_store.QUEUES,
        orders=queue_store.ORDERS,
        order=order,
        comments=comments,
        filters=filters,
        args=args,
        next_url=url_for("queue.index", **{**args, "queue": queue, "after": after})
        if after
        else None,
        first_url=url_for("queue.index", **{**args, "queue": queue}),
        channels=channel_store.channel_names(db),
        flag_counts=cached("flags", queue_store.flag_counts) if queue == "flagged" else {},
        here=request.full_path.rstrip("?"),
    )


def read_filters(queue: str) -> queue_store.QueueFilter:
    """The queue filter from the query string; bad values are ignored, not errors."""
    args = request.args
    return queue_store.QueueFilter(
        queue=queue,
        channel=args.get("channel") or None,
        story_id=args.get("story", type=sqlite_int),
        author_key=args.get("author") or None,
        since=_day_start(args.get("since")),
        until=_day_start(args.get("until"), plus_days=1),
        sentiment_min=_fraction(args.get("smin")),
        sentiment_max=_fraction(args.get("smax")),
        offensive_min=_fraction(args.get("omin")),
        offensive_max=_fraction(args.get("omax")),
        flag=args.get("flag", "")[:64] or None,  # a code; SQLite refuses a LIKE over 50 kB
        held=args.get("held", "")[:60] or None,  # a rule's named queue
    )


def _day_start(value: str | None, plus_days: int = 0) -> str | None:
    """A Beijing calendar day (YYYY-MM-DD) as the UTC timestamp of its start."""
    try:
        day = date.fromisoformat(value or "") + timedelta(days=plus_days)
        start = datetime.combine(day, time(), tzinfo=BEIJING).astimezone(UTC)
    except (ValueError, OverflowError):  # not a date, or 0001-01-01 / 9999-12-31
        return None
    return start.isoformat(timespec="seconds")


def _fraction(value: str | None) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return min(max(number, 0.0), 1.0)


def annotate(db, comments: list[dict], claim: bool) -> list[dict]:
    """Add history, edits, group sizes and claims; others' claims sort last."""
    ids = [comment["id"] for comment in comments]
    histories = queue_store.histories(db, ids)
    edits = queue_store.edits(db, ids)
    sizes = queue_store.dup_group_sizes(db, [comment["dup_group"] for comment in comments])
    fixed = queue_store.latest_corrections(db, ids)
    held = claim_store.active_claims(db, ids)  # claims are made by focus, not by rendering
    for comment in comments:
        comment["history"] = histories[comment["id"]]
        comment["earlier_texts"] = edits[comment["id"]]
        comment["dup_size"] = sizes.get(comment["dup_group"], 0)
        comment["corrections"] = fixed[comment["id"]]
        holder = held.get(comment["id"])
        comment["claimed_by"] = holder if holder and holder != current_actor() else None
    push_view.annotate(db, comments)
    duties_view.annotate(db, comments)
    desk_cards.annotate_cards(db, comments)  # rule behind each automatic decision, levels
    annotate_threads(db, comments)  # the comment each reply answers, the replies under it
    return sorted(comments, key=lambda comment: comment["claimed_by"] is not None)


def _back(default: str = "queue.index"):
    """Redirect to the page the form came from (same-site only)."""
    forget_counts()
    target = request.form.get("next")
    return redirect(safe_next(target) if target else url_for(default))


def _reason(action: str) -> str | None:
    """The form's reject reason: one of the configured reasons, and required for a reject."""
    reason = request.form.get("reason") or None
    if reason is not None and reason not in reason_store.labels(get_db(), active_only=False):
        abort(400, "没有这个拒绝原因，请从列表中选择。")
    if action == "reject" and reason is None:
        abort(400, "拒绝需要选择原因：按 1–7 或在“拒绝原因”中选择后再提交。")
    return reason


@bp.post("/comments/<int:comment_id>/<any(approve, reject, reopen):action>")
@role_required(MODERATOR)
def decide(comment_id: int, action: str):
    """Approve, reject (with a reason) or reopen one comment, then go back."""
    reason = _reason(action)
    db = get_db()
    seen = conflicts.seen_one()  # the state the moderator was shown
    try:
        result = decisions.decide_one(db, comment_id, action, current_actor(), reason, seen)
    except decisions.DecisionError:
        abort(404)
    except decisions.DecisionConflict as conflict:
        return conflicts.respond(conflict, comment_id, action, reason, _back)
    claim_store.release(db, [comment_id], current_actor())
    flash_decision(result, action)
    return _back("queue.approved" if action == "reopen" else "queue.index")


@bp.post("/comments/bulk")
@role_required(MODERATOR)
def bulk():
    """Approve or reject the selected comments in one transaction, one decision each."""
    action = request.form.get("action")
    if action not in ("approve", "reject"):
        abort(400, "未知的操作：只能批量通过或批量拒绝。")
    ids = _ids(request.form.getlist("ids"))
    if not ids:
        flash("没有选中评论：先勾选评论（或按 x）再批量操作。", "warning")
        return _back()
    return _decide_all(ids, action, _reason(action))


@bp.post("/groups/<int:group_id>/<any(approve, reject):action>")
@role_required(MODERATOR)
def decide_group(group_id: int, action: str):
    """Approve or reject a whole duplicate group, one decision per comment, in short
    transactions (a group can hold thousands of comments)."""
    reason = _reason(action)
    db = get_db()
    ids = duplicates.group_members(db, group_id)
    if not ids:
        abort(404)
    seen = conflicts.seen_many(ids)  # the page's newest decision (seen_decision)
    try:
        done = group_decisions.decide_group(db, ids, action, current_actor(), reason, seen)
    except decisions.DecisionConflict as conflict:
        target = url_for("queue.decide_group", group_id=group_id, action=action)
        return conflicts.respond_many(conflict, ids, action, reason, url=target, group=True)
    claim_store.release(db, ids[:done], current_actor())
    return _back()


@bp.post("/groups/<int:group_id>/keep_earliest")
@role_required(MODERATOR)
def keep_earliest(group_id: int):
    """Keep a duplicate group's earliest comment (approve it) and reject the copies as 重复."""
    db = get_db()
    ids = duplicates.group_members(db, group_id)
    if not ids:
        abort(404)
    earliest = duplicates.earliest_member(db, group_id)
    seen = conflicts.seen_many(ids)  # the page's newest decision (seen_decision)
    try:
        done = group_decisions.keep_earliest(db, earliest, ids, current_actor(), seen)
    except decisions.DecisionConflict as conflict:
        target = url_for("queue.keep_earliest", group_id=group_id)
        return conflicts.respond_many(conflict, ids, "keep_earliest", None, url=target, group=True)
    claim_store.release(db, ids[:done], current_actor())
    return _back()


def _ids(values: list[str]) -> list[int]:
    limit = current_app.config["SETTINGS"].limits.ids_per_request
    if len(values) > limit:
        abort(400, f"一次最多处理 {limit} 条评论，请分批选择后再提交。")
    try:
        return sorted({sqlite_int(value) for value in values})
    except ValueError:
        abort(400, "评论编号不对。")


def _decide_all(ids: list[int], action: str, reason: str | None):
    db = get_db()
    seen = conflicts.seen_many(ids)  # each selected comment's state as the page showed it
    try:
        done = decisions.decide(db, ids, action, current_actor(), reason, seen)
    except decisions.DecisionError:
        abort(404)
    except decisions.DecisionConflict as conflict:
        shown = seen.states if seen else {}
        return conflicts.respond_many(
            conflict, ids, action, reason, url=url_for("queue.bulk"), shown=shown
        )
    claim_store.release(db, ids, current_actor())
    made = [result["decision_id"] for result in done if result["decision_id"] is not None]
    after_id = min(made) - 1 if made else 0
    flash_batch(f"已{ACTION_NAMES[action]} {len(made)} 条", after_id, max(made, default=0))
    return _back()


@bp.get("/groups/<int:group_id>")
def group(group_id: int):
    """Every comment of a duplicate group, with group-wide actions."""
    db = get_db()
    members = queue_store.dup_group_members(db, group_id, GROUP_PAGE_LIMIT)
    if not members:
        abort(404)
    return render_template(
        "queue/group.html",
        group_id=group_id,
        group_size=queue_store.dup_group_sizes(db, [group_id]).get(group_id, len(members)),
        # group actions say what the page showed: the newest decision on the group's members
        seen_decision=decisions.newest_id(db, duplicates.group_members(db, group_id)),
        comments=annotate(db, members, claim=False),
        here=request.full_path.rstrip("?"),
    )


@bp.post("/comments/<int:comment_id>/flag_editor")
@role_required(MODERATOR)
def flag_editor(comment_id: int):
    """Ask an editor to look at a comment (shown in the 编辑关注 queue)."""
    note = request.form.get("note", "").strip()[:200] or None
    try:
        queue_store.flag_for_editor(get_db(), comment_id, current_actor(), note)
    except decisions.DecisionError:
        abort(404)
    return _back()


@bp.post("/comments/<int:comment_id>/sentiment")
@role_required(MODERATOR)
def correct_sentiment(comment_id: int):
    """Record the right sentiment of a comment (0 negative, 1 positive) for training."""
    return _correct(corrections, comment_id)


@bp.post("/comments/<int:comment_id>/offensive")
@role_required(MODERATOR)
def correct_offensive(comment_id: int):
    """Record whether a comment is offensive (1) or not (0), for training and the card."""
    return _correct(offensive_store, comment_id)


def _correct(store, comment_id: int):
    """Store a moderator's 0/1 correction with `store.add_correction`, then go back."""
    label = request.form.get("label", type=int)
    if label not in (0, 1):
        abort(400, "纠正的标签只能是 0 或 1。")
    try:
        store.add_correction(get_db(), comment_id, label, current_actor())
    except ValueError:
        abort(404)
    return _back()


@bp.post("/comments/<int:comment_id>/claim")
@role_required(MODERATOR)
def claim(comment_id: int):
    """Claim a comment that got focus (moderators only); answer who holds it now."""
    db = get_db()
    if claims_for(g.user):
        claim_store.claim(db, [comment_id], current_actor())
    holder = claim_store.active_claims(db, [comment_id]).get(comment_id)
    return jsonify({"comment_id": comment_id, "held_by": holder, "mine": holder == g.user["name"]})


def cached(name: str, compute):
    """`compute(db)`, remembered by the app for COUNTS_TTL seconds (counts only, so a short
    lag is fine; this process's own decisions clear the cache)."""
    cache = current_app.extensions.setdefault(COUNTS_CACHE, {})
    hit = cache.get(name)
    if hit is None or monotonic() - hit[0] > COUNTS_TTL:
        hit = cache[name] = (monotonic(), compute(get_db()))
    return hit[1]


@bp.app_context_processor
def navigation_counts():
    """Capped queue sizes for the navigation of every page (only for logged-in users)."""
    if not g.get("user") or g.get("plain_page"):  # error pages skip the database
        return {"counts": None}
    return {"counts": cached("nav", queue_store.queue_counts), "count_cap": queue_store.COUNT_CAP}
