"""Scheduled collection with APScheduler 3: one job per enabled channel, plus the lease,
run-now and scoring jobs.

Started by `moderation serve` or `moderation scheduler`, never by the app factory (under
several WSGI workers that would collect once per worker). Jobs live in memory and are
rebuilt from config.toml on every start, so new or changed channels take effect on restart;
what must survive a restart (pause, cursor, backoff) lives in the database.
"""

from __future__ import annotations

import logging
import random
import signal
import threading
from contextlib import closing
from datetime import UTC, datetime, timedelta

from moderation.alerts.conditions import DEFAULT_RULES
from moderation.db import Checkpointer, open_db
from moderation.push.actions import push_options
from moderation.scheduling import newsroom_jobs
from moderation.scheduling.runner import Runner
from moderation.scheduling.spec import parse_schedule
from moderation.storage import alerts as alert_store
from moderation.storage import duplicate_index
from moderation.timeutil import BEIJING

log = logging.getLogger(__name__)

REQUEST_POLL_SECONDS = 1  # how soon a run-now button takes effect
SCORE_EVERY_SECONDS = 30  # how often the scoring job picks up what collection runs left
PUSH_EVERY_SECONDS = 10  # how soon a decision reaches its channel
LEVELS_EVERY_SECONDS = 60  # how late an expired sanction may outlive its expiry
HOUSEKEEPING = "housekeeping"  # its own threads: a busy channel never delays the lease


def trigger_for(schedule_text: str, jitter: int):
    """An APScheduler trigger for a channel's `schedule`; cron fields are Beijing time."""
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
        timezone=BEIJING,  # cron fields read as the newsroom's clock
    )


def job_id(channel_name: str) -> str:
    """The APScheduler job id of a channel."""
    return f"collect:{channel_name}"


def build_scheduler(runner: Runner):
    """A background scheduler running `runner`'s jobs; each channel is due at once."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.background import BackgroundScheduler

    settings = runner.settings
    channels = [channel for channel in settings.channels if channel.enabled]
    scheduler = BackgroundScheduler(
        timezone="UTC",
        executors={
            "default": ThreadPoolExecutor(len(channels) + 3),  # + scoring, alerts, reports
            HOUSEKEEPING: ThreadPoolExecutor(2),
        },
        job_defaults={"max_instances": 1, "coalesce": True},
    )
    now = datetime.now(UTC)
    lease_every = max(settings.scheduler.lease_seconds / 3, 0.5)
    scheduler.add_job(
        runner.renew_lease,
        "interval",
        seconds=lease_every,
        id="lease",
        executor=HOUSEKEEPING,
        next_run_time=now,
        misfire_grace_time=None,
    )
    scheduler.add_job(
        runner.poll_requests,
        "interval",
        seconds=REQUEST_POLL_SECONDS,
        id="requests",
        executor=HOUSEKEEPING,
        misfire_grace_time=None,
    )
    scheduler.add_job(runner.score_backlog, "interval", seconds=SCORE_EVERY_SECONDS, id="score")
    if any(push_options(channel).push != "off" for channel in settings.channels):
        scheduler.add_job(runner.push_outbox, "interval", seconds=PUSH_EVERY_SECONDS, id="push")
        scheduler.add_job(runner.switch_on_schedule, "interval", seconds=60, id="switches")
    scheduler.add_job(
        runner.lift_expired_levels, "interval", seconds=LEVELS_EVERY_SECONDS, id="levels"
    )
    scheduler.add_job(
        runner.purge_raw_payloads,
        "interval",
        hours=24,
        id="purge",
        next_run_time=datetime.now(UTC) + timedelta(minutes=5),
    )
    _add_newsroom_jobs(scheduler, runner)
    for channel in channels:
        scheduler.add_job(
            runner.collect,
            trigger_for(channel.schedule, settings.scheduler.jitter_seconds),
            args=(channel.name,),
            id=job_id(channel.name),
            name=f"collect {channel.name}",
            max_instances=1,  # a slow channel skips a turn instead of overlapping itself
            coalesce=True,
            misfire_grace_time=settings.scheduler.misfire_grace_seconds,
            next_run_time=now + timedelta(seconds=random.uniform(0, 1)),
        )
    runner.next_run = lambda name: _next_run_time(scheduler, name)
    runner.wake = lambda name: scheduler.modify_job(job_id(name), next_run_time=datetime.now(UTC))
    return scheduler


def _add_newsroom_jobs(scheduler, runner: Runner) -> None:
    """Alerts judged every minute and sent within seconds; the daily and weekly reports at
    their configured Beijing times."""
    from apscheduler.triggers.cron import CronTrigger

    config = runner.settings.alerts
    scheduler.add_job(
        runner.watch_alerts,
        "interval",
        seconds=newsroom_jobs.SEND_EVERY_SECONDS,
        id="alerts",
    )
    if config.daily_report_at:
        hour, minute = config.daily_report_at.split(":")
        trigger = CronTrigger(hour=int(hour), minute=int(minute), timezone=BEIJING)
        scheduler.add_job(runner.make_report, trigger, args=("daily",), id="report:daily")
    if config.weekly_report_at:
        hour, minute = config.weekly_report_at.split(":")
        trigger = CronTrigger(
            day_of_week=config.weekly_report_weekday - 1,  # APScheduler: 0 = Monday
            hour=int(hour),
            minute=int(minute),
            timezone=BEIJING,
        )
        scheduler.add_job(runner.make_report, trigger, args=("weekly",), id="report:weekly")


def _next_run_time(scheduler, channel_name: str) -> datetime | None:
    job = scheduler.get_job(job_id(channel_name))
    return job.next_run_time if job else None


class SchedulerService:
    """One process's scheduler: start it, and stop it cleanly (page finished, lease freed)."""

    def __init__(self, settings, stop: threading.Event | None = None):
        self.runner = Runner(settings, stop)
        self.scheduler = None  # built by start(), once the model is loaded
        self.checkpointer = Checkpointer(settings.database_path)

    @property
    def stop(self) -> threading.Event:
        """Set to ask running jobs to stop after their current page."""
        return self.runner.stop

    def start(self) -> None:
        """Load the sentiment model, then start the jobs in background threads.

        Loading the model holds the GIL for seconds; done before the first lease, it never
        keeps the lease job from renewing in time. The jobs are scheduled after it, so on a
        busy machine a slow load cannot make the first runs miss their misfire grace time.
        """
        from moderation.scoring import scorer as text_scorer

        text_scorer.scorer_for(self.runner.settings)
        with closing(open_db(self.runner.settings)) as db:
            duplicate_index.warm(db)  # a million comments: ~3 s, not inside the first batch
            if alert_store.seed_rules(db, DEFAULT_RULES):
                log.info("installed the default alert rules (edit them at /admin/alerts)")
        self.checkpointer.__enter__()  # before the jobs open their connections
        self.scheduler = build_scheduler(self.runner)
        self.scheduler.start()
        log.info("scheduler %s started", self.runner.holder)

    def shutdown(self) -> None:
        """Let running jobs finish their page and save their cursor, then free the lease."""
        self.runner.halt()
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        self.runner.release_lease()
        self.checkpointer.__exit__(None, None, None)
        log.info("scheduler %s stopped", self.runner.holder)


def handle_signals(stop: threading.Event, interrupt: bool = False) -> None:
    """On SIGTERM or SIGINT set `stop`; with `interrupt`, also end the main thread's loop.

    (`interrupt` raises SystemExit in the main thread once, which ends waitress's loop.)
    """

    def on_signal(signum, frame):
        first = not stop.is_set()
        stop.set()
        log.info("%s: stopping after the current page", signal.Signals(signum).name)
        if interrupt and first:
            raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
