"""What the scheduled jobs of one scheduler process do.

Every job opens its own database connection (a connection is never shared across threads)
and acts only while this process holds the lease; a process without the lease keeps
trying to take it and otherwise does nothing.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime

from moderation import pipeline
from moderation.db import open_db
from moderation.scheduling import backoff, newsroom_jobs
from moderation.storage import channels as channel_store
from moderation.storage import leases
from moderation.storage import scores as score_store
from moderation.timeutil import iso

log = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
SCHEDULE, REQUEST = "schedule", "request"  # run triggers written by the scheduler


def holder_id() -> str:
    """Who holds the lease: host, process and a random part (pids get reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


class Runner:
    """The job bodies of one scheduler process, sharing its stop event and lease state."""

    def __init__(self, settings, stop: threading.Event | None = None, holder: str | None = None):
        self.settings = settings
        self.stop = stop or threading.Event()
        self.holder = holder or holder_id()
        self.holding = False
        self.collecting: set[str] = set()  # channels with a run in progress
        self.judged_at: datetime | None = None  # the last alert rules pass
        self._scheduler_calls = threading.Lock()
        # set by the scheduler wiring: when a channel's job runs next, and "run it now"
        self.next_run: Callable[[str], datetime | None] = lambda name: None
        self.wake: Callable[[str], None] = lambda name: None

    def _db(self):
        """A job's connection. The schema and the push policies were brought up to date when
        the scheduler started (SchedulerService.start), not again on every job."""
        return open_db(self.settings, migrate=False)

    def halt(self) -> None:
        """Set `stop` and make sure no job calls into the scheduler from now on.

        APScheduler's shutdown holds its job store lock while it waits for running jobs,
        so a job asking it for a next run time then would wait forever.
        """
        with self._scheduler_calls:
            self.stop.set()

    def _ask_scheduler(self, call: Callable, *args):
        with self._scheduler_calls:
            return None if self.stop.is_set() else call(*args)

    def renew_lease(self) -> bool:
        """Take or renew the lease; on taking it over, close runs a dead holder left open."""
        with closing(self._db()) as db:
            held = leases.acquire(
                db, LEASE_NAME, self.holder, self.settings.scheduler.lease_seconds
            )
            if held and not self.holding:
                log.info("scheduler %s holds the lease", self.holder)
                channel_store.abandon_runs(db, (SCHEDULE, REQUEST))
                for channel in self.settings.channels:
                    if channel.enabled:
                        self._publish_next_run(db, channel.name, channel.type)
            elif self.holding and not held:
                log.warning("scheduler %s lost the lease", self.holder)
        self.holding = held
        return held

    def release_lease(self) -> None:
        """Give the lease up on a clean stop."""
        with closing(self._db()) as db:
            leases.release(db, LEASE_NAME, self.holder)
        self.holding = False

    def collect(self, name: str) -> pipeline.RunSummary | None:
        """One channel's job: collect (unless paused or backing off), then score one batch."""
        if self.stop.is_set() or not self.renew_lease():
            return None
        channel = self.settings.channel(name)
        self.collecting.add(name)
        try:
            with closing(self._db()) as db:
                state = channel_store.ensure_channel(db, name, channel.type)
                requested = channel_store.take_run_request(db, name)
                if not requested and (state["paused"] or backoff.backing_off(state)):
                    self._publish_next_run(db, name, channel.type)
                    return None
                summary = self._collect(db, channel, REQUEST if requested else SCHEDULE, state)
                if not self.stop.is_set():
                    self._score_one_batch(db)
                self._publish_next_run(db, name, channel.type)
                return summary
        finally:
            self.collecting.discard(name)

    def _collect(self, db, channel, trigger: str, state: dict) -> pipeline.RunSummary:
        summary = pipeline.collect_channel(
            db, self.settings, channel, trigger=trigger, stop=self.stop
        )
        channel_store.set_run_holder(db, summary.run_id, self.holder)
        log.info(
            "collected %s: %s, %s new, %s updated",
            channel.name,
            summary.status,
            summary.new,
            summary.updated,
        )
        if summary.status == channel_store.OK:
            channel_store.record_success(db, channel.name)
        elif summary.status == channel_store.FAILED or summary.retry_later:
            self._back_off(db, channel.name, state["failures"] + 1, summary.errors)
        return summary

    def _back_off(self, db, name: str, failures: int, errors: list[str]) -> None:
        config = self.settings.scheduler
        until = backoff.backoff_until(
            failures, config.backoff_base_seconds, config.max_backoff_seconds
        )
        error = errors[0] if errors else "failed"
        channel_store.record_failure(db, name, failures, until, error)
        log.warning("%s failed %s time(s) in a row, backing off until %s", name, failures, until)

    def _score_one_batch(self, db) -> int:
        """Score at most one batch, so the next collection never waits for more."""
        batch = score_store.unscored(db, self.settings.scoring.batch_size)
        if batch:
            pipeline.score_batch(db, self.settings, batch)
        return len(batch)

    def score_backlog(self) -> int:
        """The scoring job: score what collection runs left, a batch at a time, then rescore
        one batch of pending comments scored under older rules (pipeline.refresh_pending)."""
        if self.stop.is_set() or not self.holding:
            return 0
        done = 0
        with closing(self._db()) as db:
            while not self.stop.is_set():
                scored = self._score_one_batch(db)
                if not scored:
                    break
                done += scored
            if not self.stop.is_set():  # pending comments under older rules, a batch a pass
                refreshed = pipeline.refresh_pending(db, self.settings)
                if refreshed:
                    log.info("rescored %s pending comments under new rules", refreshed)
        return done

    def push_outbox(self) -> int:
        """The push job: send the outbox rows that are due (pushing channels only)."""
        from moderation.sending import push_outbox

        if self.stop.is_set() or not self.holding:
            return 0
        with closing(self._db()) as db:
            report = push_outbox.deliver(db, self.settings)
        for name, why in report.stopped.items():
            log.warning("push %s stopped: %s", name, why)
        return report.total("done")

    def switch_on_schedule(self) -> int:
        """The comment-switch job: queue the scheduled closings and reopenings now due."""
        from moderation.storage import switches

        if self.stop.is_set() or not self.holding:
            return 0
        with closing(self._db()) as db:
            return switches.queue_scheduled(db, datetime.now(UTC))

    def lift_expired_levels(self) -> int:
        """The sanctions job: clear author levels (trusted, watch, muted) whose expiry passed."""
        from moderation.storage import authors

        if self.stop.is_set() or not self.holding:
            return 0
        with closing(self._db()) as db:
            lifted = authors.lift_expired(db)
        if lifted:
            log.info("lifted %s expired author levels", lifted, extra={"lifted": lifted})
        return lifted

    def purge_raw_payloads(self) -> int:
        """The retention job: drop raw channel payloads past `[retention] raw_payload_days`."""
        from moderation.storage import duty_records, raw_payloads

        if self.stop.is_set() or not self.holding:
            return 0
        retention = self.settings.retention
        with closing(self._db()) as db:
            removed = raw_payloads.purge_older_than(db, retention.raw_payload_days)
            closed = duty_records.purge_closed(db, retention.records_days)
        log.info("purged %s raw payloads", removed, extra={"purged": removed})
        log.info("purged %s closed reports and appeals", closed, extra={"purged": closed})
        return removed

    def watch_alerts(self) -> None:
        """The alerts job: judge the alert rules once a minute, send due deliveries each
        time (a process that just took the lease judges at once)."""
        if self.stop.is_set() or not self.holding:
            return
        now = datetime.now(UTC)
        judge = self.judged_at is None or (
            (now - self.judged_at).total_seconds() >= newsroom_jobs.ALERTS_EVERY_SECONDS
        )
        with closing(self._db()) as db:
            newsroom_jobs.watch(db, self.settings, now, judge=judge)
        if judge:
            self.judged_at = now

    def make_report(self, kind: str) -> int | None:
        """The report job: the daily or weekly 舆情 report, archived and queued to send."""
        if self.stop.is_set() or not self.holding:
            return None
        with closing(self._db()) as db:
            return newsroom_jobs.make_report(db, self.settings, kind, datetime.now(UTC))

    def poll_requests(self) -> None:
        """The request job: start channels whose run-now button was pressed."""
        if self.stop.is_set() or not self.holding:
            return
        enabled = {channel.name for channel in self.settings.channels if channel.enabled}
        with closing(self._db()) as db:
            for name in channel_store.requested_runs(db):
                if name not in enabled:
                    channel_store.take_run_request(db, name)  # no job to run it: drop it
                elif name not in self.collecting:
                    self._ask_scheduler(self.wake, name)

    def _publish_next_run(self, db, name: str, channel_type: str) -> None:
        channel_store.ensure_channel(db, name, channel_type)
        when = self._ask_scheduler(self.next_run, name)
        if when is None and self.stop.is_set():
            return  # stopping: keep the last published time
        channel_store.set_next_run(db, name, iso(when) if when else None)
