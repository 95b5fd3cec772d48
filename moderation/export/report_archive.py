"""Generate a report, archive it, and queue it for the configured report targets."""

from __future__ import annotations

from datetime import date

from moderation.export.report import (
    gather,
    period_for,
    report_docx,
    report_html,
    summary_lines,
)
from moderation.storage import alerts as alert_store
from moderation.storage import reports as store
from moderation.timeutil import now_iso


def generate_report(
    db, kind: str, day: date, actor: str, targets=(), keywords=None, now: str | None = None
) -> int:
    """Build the `kind` report whose period ends on `day`, archive it, queue deliveries.

    `keywords(texts)` names each story's topics (the story page's extraction)."""
    first, last = period_for(kind, day)
    report = gather(db, kind, first, last, keywords=keywords)
    report_id = store.save_report(
        db,
        kind,
        first.isoformat(),
        last.isoformat(),
        actor,
        report_docx(report),
        report_html(report),
        summary="\n".join(summary_lines(report)),
    )
    if targets:
        alert_store.queue_report_deliveries(db, report_id, targets, now or now_iso())
    return report_id
