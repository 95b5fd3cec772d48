"""Generate a report, archive it, and queue it for the configured report targets."""

from __future__ import annotations

from datetime import date

from moderation.export.report import (
    DEFAULT_UNIT,
    gather,
    period_for,
    report_docx,
    report_html,
    summary_lines,
)
from moderation.storage import alerts as alert_store
from moderation.storage import reports as store
from moderation.timeutil import now_iso

ASSESSMENT_LIMIT = 2000  # characters of 研判与建议


def generate_report(
    db,
    kind: str,
    day: date,
    actor: str,
    targets=(),
    keywords=None,
    now: str | None = None,
    labels: dict[str, str] | None = None,
    unit: str = DEFAULT_UNIT,
    assessment: str | None = None,
) -> int:
    """Build the `kind` report whose period ends on `day`, archive it, queue deliveries.

    `keywords(texts)` names each story's topics (the story page's extraction), `labels`
    names channels as readers know them, `unit` is the masthead's 编制单位; `assessment`
    (the editor's 研判与建议) replaces the one kept with the period's report, if given."""
    first, last = period_for(kind, day)
    if assessment is None:
        assessment = store.assessment_for(db, kind, first.isoformat())
    assessment = assessment.strip()[:ASSESSMENT_LIMIT]
    report = gather(
        db, kind, first, last, keywords=keywords, labels=labels, unit=unit, assessment=assessment
    )
    report_id = store.save_report(
        db,
        kind,
        first.isoformat(),
        last.isoformat(),
        actor,
        report_docx(report),
        report_html(report),
        summary="\n".join(summary_lines(report)),
        assessment=assessment,
    )
    if targets:
        alert_store.queue_report_deliveries(db, report_id, targets, now or now_iso())
    return report_id


def report_options(settings) -> dict:
    """The settings a report is made with: channel labels and the masthead's unit."""
    return {
        "labels": {channel.name: channel.label or channel.name for channel in settings.channels},
        "unit": settings.alerts.report_unit,
    }
