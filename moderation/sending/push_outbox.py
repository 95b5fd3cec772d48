"""Delivering the outbox: claim a due row, send it with its channel's client, record how
it ended and every HTTP try it took. Used by the scheduler's push job and by `moderation push`.

Transient trouble never loses an action and never holds the channel: a row whose send
timed out, met 5xx after the HTTP layer's own retries, or got a "try later" errcode waits
with a growing backoff while the channel's other rows go on (a comment's own later rows
wait behind it: order is kept per comment, and per story for switches). Only when several
rows in a row fail that way does the pass stop for the channel (it looks down). A spent
quota (WeChat 45009, Weibo 10022-10024) pauses the whole channel until QUOTA_PAUSE has
passed; refused credentials pause it until an operator fixes them (重试 resumes at once).
Failures for good (no privilege, article gone, 精选 limit) end the row with the reason.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from moderation import push
from moderation.collectors.base import AuthFailed, CollectorError, RateLimited, RowUnavailable
from moderation.push.actions import Action, push_options
from moderation.storage import outbox

log = logging.getLogger(__name__)

QUOTA_PAUSE = timedelta(hours=1)  # WeChat's quota is daily; ask again hourly, not per row
AUTH_PAUSE = timedelta(minutes=30)
RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=1)
MAX_ATTEMPTS = 30  # transient failures of one row before it is failed (about a day)
LEASE_SECONDS = 300.0  # a claimed row is sent again if its sender is silent this long
DOWN_AFTER = 3  # rows in a row failing on the network: the channel looks down, stop its pass


@dataclass
class Report:
    """What one delivery pass did, per channel."""

    counts: dict[str, Counter] = field(default_factory=dict)
    stopped: dict[str, str] = field(default_factory=dict)  # channel -> why its batch stopped
    troubled: Counter = field(default_factory=Counter)  # channel -> network failures in a row

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
    client = None
    try:
        client = clients.get(name)
        outcome = client.apply(action)
    except CollectorError as error:
        _record_tries(db, row, client, module, action)
        _trouble(db, row, holder, now, error, report)
    else:
        _record_tries(db, row, client, module, action)
        report.troubled[name] = 0
        outbox.finish(
            db, row["id"], holder, outcome.done, outcome.note, outcome.request, outcome.answer
        )
        report.add(name, "done" if outcome.done else "failed")


def _record_tries(db, row: dict, client, module, action: Action) -> None:
    """Keep every HTTP try of this send in the row's history."""
    take = getattr(client, "take_attempts", None)
    tries = take() if take else []
    if tries:
        outbox.record_attempts(db, row["id"], module.request(action), tries)


def _trouble(db, row: dict, holder: str, now: datetime, error: CollectorError, report: Report):
    """A send that did not end: pause the channel (quota, credentials) or wait this row."""
    name = row["channel"]
    if isinstance(error, RateLimited):
        _pause(db, row, holder, now + QUOTA_PAUSE, f"配额用尽，稍后继续：{error}", report)
        return
    if isinstance(error, AuthFailed):
        note = f"凭证被拒，请管理员检查后点“重试”：{error}"
        _pause(db, row, holder, now + AUTH_PAUSE, note, report)
        return
    if row["attempts"] >= MAX_ATTEMPTS:
        outbox.give_up(db, row["id"], holder, f"多次重试仍失败：{error}")
        report.add(name, "failed")
        return
    wait = min(RETRY_BASE * 2 ** (row["attempts"] - 1), RETRY_CAP)
    what = "渠道答复稍后再试" if isinstance(error, RowUnavailable) else "渠道暂不可用"
    note = f"{what}，这一项将重试（其他推送照常）：{error}"
    outbox.retry_later(db, row["id"], holder, now + wait, note, {"action": row["action"]})
    report.add(name, "deferred")
    if not isinstance(error, RowUnavailable):
        report.troubled[name] += 1
        if report.troubled[name] >= DOWN_AFTER:
            report.stopped[name] = f"渠道暂不可用（连续 {DOWN_AFTER} 项失败），下一轮再试：{error}"
            log.warning("push %s: batch stopped: %s", name, report.stopped[name])


def _pause(db, row, holder, until, note, report: Report) -> None:
    outbox.retry_later(db, row["id"], holder, until, note, {"action": row["action"]})
    outbox.pause_channel(db, row["channel"], until)
    report.add(row["channel"], "deferred")
    report.stopped[row["channel"]] = note
    log.warning("push %s: batch stopped: %s", row["channel"], note)


def _module_of(settings, name: str):
    import importlib

    return importlib.import_module(push.REGISTRY[settings.channel(name).type])
