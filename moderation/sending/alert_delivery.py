"""Send due deliveries: each alert (or report) to each of its targets, retried with backoff.

At least once: an attempt is recorded after the target answers, so a process killed in
between sends that one message again on restart; a delivery recorded as delivered is never
sent again. A target's hourly cap postpones, it never drops; a permanent failure (a wrong
key or signature, a refused recipient) stops retrying and shows why, with a 重试 button.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from moderation.alerts import mail, targets
from moderation.alerts.config import build_targets
from moderation.alerts.targets import DELIVERED, FAILED, RETRY, Message, Outcome
from moderation.export.report import filename_stem, report_title
from moderation.storage import alerts as store
from moderation.storage import reports as report_store
from moderation.timeutil import iso

log = logging.getLogger(__name__)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_ATTEMPTS = 8  # 1, 2, 4 … 64 minutes between tries: about two hours in all
BATCH = 50


@dataclass
class Report:
    """A report to send: its message and its files."""

    message: Message
    attachments: list = field(default_factory=list)


@dataclass
class Tally:
    """What one dispatch pass did."""

    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    postponed: int = 0


def backoff(attempts: int, retry_after: float | None = None) -> timedelta:
    """The wait before the next try: doubling from a minute, or what the platform asked."""
    wait = 60.0 * 2 ** min(attempts, 6)
    return timedelta(seconds=max(wait, retry_after or 0))


def message_for(delivery: dict, base_url: str) -> Message:
    """An alert delivery's message: the incident's message as queued (the alert, an update
    or the 解除: title, lines, the desk link and the article); for a delivery queued before
    incidents, its alert's title and lines. `Message` masks and neutralises it."""
    if delivery.get("message"):
        stored = json.loads(delivery["message"])
        link = stored.get("link")
        return Message(
            title=stored["title"],
            lines=tuple(stored.get("lines", ())),
            link=(base_url.rstrip("/") + link) if base_url and link else None,
            article=stored.get("article"),
        )
    detail = json.loads(delivery.get("detail") or "{}")
    link = delivery.get("link")
    return Message(
        title=f"【评论预警】{delivery['title']}",
        lines=tuple(detail.get("lines", ())),
        link=(base_url.rstrip("/") + link) if base_url and link else None,
    )


def send(target, message: Message, attachments=()) -> Outcome:
    """Hand one message to a robot or a mailbox."""
    if isinstance(target, mail.MailTarget):
        return mail.send_mail(target, message, attachments)
    return targets.send_robot(target, message)


def report_message(db, report_id: int, base_url: str) -> Report:
    """A report delivery: its archived summary as the message, DOCX and HTML attached."""
    archived = report_store.get_report(db, report_id)
    first, last = (
        date.fromisoformat(archived["first_day"]),
        date.fromisoformat(archived["last_day"]),
    )
    link = f"{base_url.rstrip('/')}/reports" if base_url else None
    message = Message(
        title=report_title(archived["kind"], first, last),
        lines=tuple(archived["summary"].splitlines()),
        link=link,
    )
    stem = filename_stem(archived["kind"], last)
    return Report(
        message,
        [
            mail.Attachment(f"{stem}.docx", DOCX_TYPE, archived["docx"]),
            mail.Attachment(f"{stem}.html", "text/html", archived["html"]),
        ],
    )


def send_due(db, settings, now: datetime) -> Tally:
    """Send the alert and report deliveries due at `now` to the configured targets."""
    config = settings.alerts
    return dispatch(
        db,
        build_targets(config.targets),
        now,
        base_url=config.base_url,
        max_per_hour=config.max_messages_per_target_per_hour,
        report=lambda report_id: report_message(db, report_id, config.base_url),
    )


def dispatch(
    db,
    configured: dict,
    now: datetime,
    base_url: str = "",
    max_per_hour: int = 30,
    report: Callable[[int], Report] | None = None,
) -> Tally:
    """Work through the deliveries due at `now`; returns what happened."""
    tally = Tally()
    hour_ago = iso(now - timedelta(hours=1))
    for delivery in store.due_deliveries(db, iso(now), BATCH):
        target = configured.get(delivery["target"])
        if target is None:
            _record(db, delivery, Outcome(FAILED, f"目标 {delivery['target']} 未配置"), now)
            tally.failed += 1
            continue
        if store.delivered_since(db, delivery["target"], hour_ago) >= max_per_hour:
            store.postpone(db, delivery["id"], iso(now + timedelta(minutes=5)))
            tally.postponed += 1
            continue
        if delivery["report_id"] is not None and report is None:
            continue
        outcome = attempt(delivery, target, base_url, report)
        counter = _COUNTERS[_record(db, delivery, outcome, now)]
        setattr(tally, counter, getattr(tally, counter) + 1)
    return tally


def attempt(delivery: dict, target, base_url: str, report) -> Outcome:
    """Build and send one delivery. Whatever goes wrong on the way (a message that cannot
    be built, a redirect loop, a bug) is this delivery's failed attempt, retried with
    backoff: it never stops the deliveries behind it."""
    try:
        if delivery["report_id"] is not None:
            packed = report(delivery["report_id"])
            return send(target, packed.message, packed.attachments)
        return send(target, message_for(delivery, base_url))
    except Exception as error:  # noqa: BLE001 (one bad delivery must not block the queue)
        log.warning("delivery %s to %s failed: %r", delivery["id"], delivery["target"], error)
        return Outcome(RETRY, f"{type(error).__name__}: {error}"[:300])


_COUNTERS = {DELIVERED: "delivered", FAILED: "failed", RETRY: "retrying"}


def _record(db, delivery: dict, outcome: Outcome, now: datetime) -> str:
    state, next_at = outcome.state, None
    if state == RETRY:
        if delivery["attempts"] + 1 >= MAX_ATTEMPTS:
            state = FAILED
        else:
            state = store.PENDING
            next_at = iso(now + backoff(delivery["attempts"], outcome.retry_after))
    store.record_attempt(
        db, delivery["id"], state, outcome.reason, outcome.answer, iso(now), next_at
    )
    return RETRY if state == store.PENDING else state
