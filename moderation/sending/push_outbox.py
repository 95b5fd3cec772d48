"""Delivering the outbox: claim a due row, send it with its channel's client, record how
it ended. Used by the scheduler's push job and by `moderation push`.

Transient trouble never loses an action: a channel down or answering 5xx (after the HTTP
layer's own retries) puts the row back with a growing wait and stops that channel's batch;
a spent quota (WeChat 45009, Weibo 10022-10024) stops the batch until QUOTA_PAUSE has
passed; refused credentials stop it until an operator fixes them. Failures for good
(no privilege, article gone, 精选 limit) end the row with the reason, never a retry loop.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from moderation import push
from moderation.collectors.base import AuthFailed, CollectorError, RateLimited
from moderation.push.actions import Action, push_options
from moderation.storage import outbox

log = logging.getLogger(__name__)

QUOTA_PAUSE = timedelta(hours=1)  # WeChat's quota is daily; ask again hourly, not per row
AUTH_PAUSE = timedelta(minutes=30)
RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=1)
MAX_ATTEMPTS = 30  # transient failures of one row before it is failed (about a day)
LEASE_SECONDS = 300.0  # a claimed row is sent again if its sender is silent this long


@dataclass
class Report:
    """What one delivery pass did, per channel."""

    counts: dict[str, Counter] = field(default_factory=dict)
    stopped: dict[str, str] = field(default_factory=dict)  # channel -> why its batch stopped

    def add(self, channel: str, what: str) -> None:
        """Count one row's ending."""
        self.counts.setdefault(channel, Counter())[what] += 1

    def total(self, what: str) -> int:
        """How many rows ended as `what` across channels."""
        return sum(counter[what] for counter in self.counts.values())


class Clients:
    """One client per channel, built on first use and closed together."""

    def __init__(self, settings, overrides: dict | None = None):
        self.settings = settings
        self.overrides = overrides or {}  # channel -> client (benchmarks)
        self.built: dict[str, object] = {}

    def get(self, name: str):
        """The client of a configured channel (AuthFailed if its secret is missing)."""
        if name in self.overrides:
            return self.overrides[name]
        if name not in self.built:
            channel = self.settings.channel(name)  # its options typed once, at load
            client_class = _client_class(channel.type)
            self.built[name] = client_class(channel, channel.options, push_options(channel))
        return self.built[name]

    def close(self) -> None:
        """Release every connection pool."""
        for client in self.built.values():
            client.close()


def _client_class(channel_type: str):
    import importlib

    return importlib.import_module(push.REGISTRY[channel_type]).Client


def action_of(row: dict) -> Action:
    """The channel action an outbox row stands for."""
    return Action(
        name=row["action"],
        key=row["key"],
        comment_native_id=row["comment_native_id"],
        story_native_id=row["story_native_id"],
        text=row["text"],
        decision_id=row["decision_id"],
        at=row["created_at"],
    )


def deliver(
    db,
    settings,
    channel: str | None = None,
    limit: int = 1000,
    now: datetime | None = None,
    clients: Clients | None = None,
) -> Report:
    """Send up to `limit` due rows (of one channel, or all), oldest first."""
    holder = outbox.holder_id()
    own_clients = clients is None
    clients = clients or Clients(settings)
    report = Report()
    outbox.reclaim_orphans(db)
    try:
        for _ in range(limit):
            moment = now or datetime.now(UTC)
            skip = set(report.stopped)
            row = outbox.claim_next(db, holder, moment, LEASE_SECONDS, skip, channel)
            if row is None:
                break
            _send_one(db, row, holder, clients, moment, report)
    finally:
        if own_clients:
            clients.close()
    return report


def _send_one(db, row: dict, holder: str, clients: Clients, now: datetime, report: Report):
    name = row["channel"]
    action = action_of(row)
    module = _module_of(clients.settings, name)
    if row["mode"] == outbox.DRY_RUN:
        outbox.finish_dry_run(db, row["id"], holder, module.request(action))
        report.add(name, "dry_run")
        return
    try:
        outcome = clients.get(name).apply(action)
    except RateLimited as error:
        _pause(db, row, holder, now + QUOTA_PAUSE, f"配额用尽，稍后继续：{error}", report)
    except AuthFailed as error:
        _pause(db, row, holder, now + AUTH_PAUSE, f"凭证被拒，请管理员检查：{error}", report)
    except CollectorError as error:
        if row["attempts"] >= MAX_ATTEMPTS:
            outbox.give_up(db, row["id"], holder, f"多次重试仍失败：{error}")
            report.add(name, "failed")
            return
        wait = min(RETRY_BASE * 2 ** (row["attempts"] - 1), RETRY_CAP)
        _pause(db, row, holder, now + wait, f"渠道暂不可用，将重试：{error}", report)
    else:
        outbox.finish(
            db, row["id"], holder, outcome.done, outcome.note, outcome.request, outcome.answer
        )
        report.add(name, "done" if outcome.done else "failed")


def _pause(db, row, holder, until, note, report: Report) -> None:
    outbox.retry_later(db, row["id"], holder, until, note, {"action": row["action"]})
    outbox.pause_channel(db, row["channel"], until)
    report.add(row["channel"], "deferred")
    report.stopped[row["channel"]] = note
    log.warning("push %s: batch stopped: %s", row["channel"], note)


def _module_of(settings, name: str):
    import importlib

    return importlib.import_module(push.REGISTRY[settings.channel(name).type])
