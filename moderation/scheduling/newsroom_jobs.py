"""The scheduled jobs that tell the newsroom things: alert rules judged every minute, due
alert and report deliveries sent, and the daily and weekly 舆情 reports generated on time.

Each function opens nothing itself: the runner passes a connection and the time, so a test
can run them at any moment it likes.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from moderation.alerts.config import build_targets
from moderation.alerts.dispatch import Report, dispatch
from moderation.alerts.evaluate import evaluate
from moderation.alerts.mail import Attachment
from moderation.alerts.targets import Message
from moderation.export.report import gather, keywords_for, period_for, summary_lines
from moderation.export.report_archive import generate_report
from moderation.storage import reports as report_store
from moderation.timeutil import BEIJING, iso

log = logging.getLogger(__name__)
ALERTS_EVERY_SECONDS = 60  # rules are judged once a minute
SEND_EVERY_SECONDS = 15  # the job's interval: due deliveries go out within 15 s
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def watch(db, settings, now: datetime, judge: bool = True) -> None:
    """One alerts pass: judge every rule (when `judge`), then send what is due."""
    config = settings.alerts
    if judge:
        result = evaluate(db, now, max_per_hour=config.max_alerts_per_rule_per_hour)
        if result.fired or result.cleared:
            log.info("alerts: %s fired, %s cleared", len(result.fired), result.cleared)
    tally = dispatch(
        db,
        build_targets(config.targets),
        now,
        base_url=config.base_url,
        max_per_hour=config.max_messages_per_target_per_hour,
        report=lambda report_id: report_message(db, report_id, config.base_url),
    )
    if tally.failed or tally.retrying:
        log.warning("alert deliveries: %s failed, %s to retry", tally.failed, tally.retrying)


def report_message(db, report_id: int, base_url: str) -> Report:
    """A report delivery: its summary as the message, the DOCX and HTML attached (mail)."""
    archived = report_store.get_report(db, report_id)
    first, last = (
        date.fromisoformat(archived["first_day"]),
        date.fromisoformat(archived["last_day"]),
    )
    content = gather(db, archived["kind"], first, last)
    link = f"{base_url.rstrip('/')}/reports" if base_url else None
    message = Message(title=content.title, lines=tuple(summary_lines(content)), link=link)
    stem = content.filename_stem
    return Report(
        message,
        [
            Attachment(f"{stem}.docx", DOCX_TYPE, archived["docx"]),
            Attachment(f"{stem}.html", "text/html", archived["html"]),
        ],
    )


def make_report(db, settings, kind: str, now: datetime) -> int:
    """Generate the report due now (yesterday's daily; the week to yesterday) and queue it."""
    yesterday = now.astimezone(BEIJING).date() - timedelta(days=1)
    report_id = generate_report(
        db,
        kind,
        yesterday,
        "system",
        targets=settings.alerts.report_targets,
        keywords=keywords_for(settings.data_path),
        now=iso(now),
    )
    first, last = period_for(kind, yesterday)
    log.info("%s report %s..%s generated (id %s)", kind, first, last, report_id)
    return report_id
