"""The scheduled jobs that tell the newsroom things: alert rules judged every minute, due
alert and report deliveries sent, and the daily and weekly 舆情 reports generated on time.

Each function opens nothing itself: the runner passes a connection and the time, so a test
can run them at any moment it likes.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from moderation.export.report import keywords_for, period_for
from moderation.export.report_archive import generate_report, report_options
from moderation.sending.alert_delivery import send_due
from moderation.sending.alert_evaluation import evaluate_configured
from moderation.states import SYSTEM_ACTOR
from moderation.timeutil import BEIJING, iso

log = logging.getLogger(__name__)
ALERTS_EVERY_SECONDS = 60  # rules are judged once a minute
SEND_EVERY_SECONDS = 15  # the job's interval: due deliveries go out within 15 s


def watch(db, settings, now: datetime, judge: bool = True) -> None:
    """One alerts pass: judge every rule (when `judge`), then send what is due."""
    if judge:
        result = evaluate_configured(db, settings, now)
        if result.fired or result.cleared or result.updated:
            log.info(
                "alerts: %s opened, %s updated, %s ended",
                len(result.fired),
                result.updated,
                result.cleared,
            )
    tally = send_due(db, settings, now)
    if tally.failed or tally.retrying:
        log.warning("alert deliveries: %s failed, %s to retry", tally.failed, tally.retrying)


def make_report(db, settings, kind: str, now: datetime) -> int:
    """Generate the report due now (yesterday's daily; the week to yesterday) and queue it."""
    yesterday = now.astimezone(BEIJING).date() - timedelta(days=1)
    report_id = generate_report(
        db,
        kind,
        yesterday,
        SYSTEM_ACTOR,
        targets=settings.alerts.report_targets,
        keywords=keywords_for(settings.data_path),
        now=iso(now),
        **report_options(settings),
    )
    first, last = period_for(kind, yesterday)
    log.info("%s report %s..%s generated (id %s)", kind, first, last, report_id)
    return report_id
