"""Scheduled collection with APScheduler: one job per enabled channel.

Started by `moderation serve` or `moderation scheduler`, never by the app factory (under
several WSGI workers that would collect once per worker).
"""

from __future__ import annotations

import logging
import random
import threading

from moderation.scheduling_spec import parse_schedule

log = logging.getLogger(__name__)


def trigger_for(schedule_text: str, jitter: int):
    """An APScheduler trigger for a channel's `schedule`."""
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    schedule = parse_schedule(schedule_text)
    if schedule.seconds is not None:
        return IntervalTrigger(seconds=schedule.seconds, jitter=jitter or None)
    minute, hour, day, month, day_of_week = schedule.cron
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=day_of_week,
        jitter=jitter or None,
    )


def collect_and_score(settings, channel, stop: threading.Event | None = None):
    """One scheduled run: collect a channel, then score what is new."""
    from moderation import pipeline
    from moderation.db import open_db
    from moderation.storage import channels as channel_store

    db = open_db(settings)
    try:
        state = channel_store.ensure_channel(db, channel.name, channel.type)
        if state["paused"]:
            return None
        summary = pipeline.collect_channel(db, settings, channel, trigger="schedule", stop=stop)
        log.info(
            "collected %s: %s new, %s updated, status %s",
            channel.name,
            summary.new,
            summary.updated,
            summary.status,
        )
        pipeline.score_pending(db, settings)
        return summary
    finally:
        db.close()


def build_scheduler(settings, stop: threading.Event | None = None, background: bool = True):
    """A scheduler with one job per enabled channel, each due at once and then on schedule."""
    from datetime import datetime, timedelta

    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler_class = BackgroundScheduler if background else BlockingScheduler
    scheduler = scheduler_class(timezone="UTC")
    start = datetime.now().astimezone()
    for channel in settings.channels:
        if not channel.enabled:
            continue
        scheduler.add_job(
            collect_and_score,
            trigger_for(channel.schedule, settings.scheduler.jitter_seconds),
            args=(settings, channel, stop),
            id=f"collect:{channel.name}",
            name=f"collect {channel.name}",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=settings.scheduler.misfire_grace_seconds,
            next_run_time=start + timedelta(seconds=random.uniform(0, 1)),
        )
    return scheduler
