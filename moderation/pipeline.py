"""collect -> store -> score, used by the CLI and the scheduler alike."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from moderation import opinion_pass
from moderation.collectors import make_collector
from moderation.collectors.base import CollectorError
from moderation.collectors.limits import bound_page
from moderation.scoring import scorer as text_scorer
from moderation.settings import LimitsSettings
from moderation.storage import (
    authors,
    duplicates,
    raw_payloads,
    reader_reports,
    regions,
    rule_apply,
    story_modes,
    wordlists,
)
from moderation.storage import channels as channel_store
from moderation.storage import comments as comment_store
from moderation.storage import scores as score_store
from moderation.storage import second_opinions as second_opinion_store
from moderation.storage import stories as story_store

POOL_CHUNK = 250  # texts a scoring-pool worker takes at a time (a batch needs two to use it)


@dataclass
class RunSummary:
    """What one collection run did."""

    channel: str
    run_id: int = 0
    status: str = channel_store.RUNNING
    fetched: int = 0
    new: int = 0
    updated: int = 0
    skipped: int = 0
    pages: int = 0
    errors: list[str] = field(default_factory=list)  # what stopped the run
    notes: list[str] = field(default_factory=list)  # items skipped, with the channel's reason
    retry_later: bool = False
    unreadable: int = 0  # whole sources (import files) that could not be read

    def counts(self) -> dict:
        """The counters stored on the run row."""
        return {
            "fetched": self.fetched,
            "new": self.new,
            "updated": self.updated,
            "skipped": self.skipped,
        }


def collect_channel(
    db,
    settings,
    channel,
    trigger: str = "manual",
    stop: threading.Event | None = None,
    progress: Callable[[RunSummary], None] | None = None,
) -> RunSummary:
    """Run one channel's collector, storing each page and its cursor atomically.

    A failure keeps every page stored before it; the run is recorded as failed (nothing
    stored) or partial (some pages stored), with the channel's own error text.
    """
    state = channel_store.ensure_channel(db, channel.name, channel.type)
    channel_store.abandon_dead_local_runs(db, channel.name)
    summary = RunSummary(channel=channel.name)
    summary.run_id = channel_store.start_run(db, channel.name, trigger)
    channel_store.set_run_holder(db, summary.run_id, f"{socket.gethostname()}:{os.getpid()}:run")
    try:
        collector = make_collector(channel, settings)
        for page in collector.pages(state["cursor"]):
            _store_page(db, channel.name, page, summary, settings.limits, settings.privacy.keep_ip)
            if progress:
                progress(summary)
            if stop is not None and stop.is_set():
                summary.notes.append("stopped before the end: resumes from the saved cursor")
                summary.status = channel_store.PARTIAL
                break
    except CollectorError as error:
        summary.errors.append(f"{type(error).__name__}: {error}")
        summary.retry_later = error.retry_later
    except Exception as error:  # noqa: BLE001 - record any collector bug, never lose the run
        summary.errors.append(f"{type(error).__name__}: {error}")
    summary.status = _final_status(summary)
    channel_store.finish_run(
        db, summary.run_id, summary.status, summary.counts(), summary.errors + summary.notes
    )
    return summary


# Exit statuses of `collect` and `import` (2 is a user error, as for every command).
EXIT_STATUS = {channel_store.OK: 0, channel_store.FAILED: 1, channel_store.PARTIAL: 3}


def exit_status(statuses) -> int:
    """The exit status for runs that ended so: any failure 1, else any partial run 3, else 0.

    A partial run (stopped early by a quota, a rate limit or an unreadable file) must not
    look like success to a cron job or a script.
    """
    codes = [EXIT_STATUS.get(status, 1) for status in statuses]
    return 1 if 1 in codes else max(codes, default=0)


def _final_status(summary: RunSummary) -> str:
    if not summary.errors:
        return (
            channel_store.PARTIAL if summary.status == channel_store.PARTIAL else channel_store.OK
        )
    if summary.unreadable == len(summary.errors) and not summary.fetched + summary.skipped:
        return channel_store.FAILED  # nothing but unreadable files: nothing was imported
    return channel_store.PARTIAL if summary.pages else channel_store.FAILED


def _store_reader_fields(db, channel_name: str, comments, keep_ip: bool) -> None:
    """What a channel may send beside a comment: its writer's IP (stored as the region, the
    address only with keep_ip) and the readers' reports it counted."""
    addresses = {comment.native_id: comment.ip for comment in comments if comment.ip}
    if addresses:
        regions.save_collected(db, channel_name, addresses, keep_ip)
    counts = {c.native_id: c.reports for c in comments if c.reports}  # 0: nothing to queue
    if counts:
        reader_reports.save_feed_counts(db, channel_name, counts)


def _store_page(
    db, channel_name: str, page, summary: RunSummary, limits=None, keep_ip: bool = False
) -> None:
    limits = limits or LimitsSettings()
    page = bound_page(page, limits)
    with db.atomic():
        story_ids = story_store.upsert_stories(db, channel_name, page.stories)
        counts = comment_store.save_comments(db, channel_name, page.comments, story_ids)
        raw_payloads.save_raw(db, channel_name, page.comments, limits.raw_payload_chars)
        _store_reader_fields(db, channel_name, page.comments, keep_ip)
        if page.cursor is not None:
            channel_store.save_cursor(db, channel_name, page.cursor)
    summary.pages += 1
    summary.fetched += len(page.comments)
    summary.new += counts.new
    summary.updated += counts.updated
    summary.skipped += len(page.skipped)
    summary.notes.extend(page.skipped)
    summary.errors.extend(page.unreadable)
    summary.unreadable += len(page.unreadable)


def score_pending(
    db, settings, batch_size: int | None = None, progress: Callable[[int, int], None] | None = None
) -> int:
    """Score every comment that has no score yet, in batches; return how many were scored."""
    batch_size = batch_size or settings.scoring.batch_size
    total = score_store.count_unscored(db)
    done = 0
    while True:
        batch = score_store.unscored(db, batch_size)
        if not batch:
            return done
        score_batch(db, settings, batch)
        done += len(batch)
        if progress:
            progress(done, total)


def current_scorer(db, settings):
    """The scorer for the settings, the active model and the dashboard's word lists now."""
    return text_scorer.scorer_for(settings, wordlists.words(db))


def score_batch(db, settings, batch: list[dict], pool=None) -> None:
    """Score one batch: sentiment and flags, then duplicate groups, campaigns, auto-rejects.

    Everything is stored in one transaction, so a batch is scored wholly or not at all.
    `pool` (from :func:`scoring_pool`) spreads the text scoring over several processes; its
    workers score with the pool's scorer, so that scorer's model versions are the ones stored.
    """
    scorer = pool.scorer if pool is not None else current_scorer(db, settings)
    texts = [comment["text"] for comment in batch]
    if pool is not None and len(texts) >= 2 * POOL_CHUNK:
        scored = pool.workers.map(_score_in_worker, texts, chunksize=POOL_CHUNK)
    else:
        scored = [scorer.score(text) for text in texts]
    thresholds, modes = _rule_settings(settings)
    # Second opinions are asked before the write lock is taken: at most their timeout.
    opinions = opinion_pass.gather(db, settings, batch, scored, thresholds, modes)
    scored = opinion_pass.with_flags(scored, batch, opinions)
    with db.atomic():
        opinion_pass.store_gathered(db, opinions)
        grouping = duplicates.assign_groups(
            db,
            [(comment["id"], comment["text"]) for comment in batch],
            settings.scoring.duplicate_distance,
        )
        score_store.save_scores(
            db,
            [
                {
                    "comment_id": comment["id"],
                    "sentiment": result.sentiment,
                    "label": result.label,
                    "model_version": scorer.model_version,
                    "flags": result.flags,
                    "dup_group": grouping.group_of[comment["id"]],
                    "rules": scorer.rules_version,
                    "offensive": result.offensive,
                }
                for comment, result in zip(batch, scored, strict=True)
            ],
        )
        members = grouping.members()
        for group in sorted(grouping.joined):
            score_store.flag_campaign(
                db,
                group,
                settings.scoring.mass_posting_authors,
                None if group in grouping.merged else members.get(group),
            )
        rule_apply.apply_rules(
            db, [c["id"] for c in batch], scored, thresholds, modes, opinions.levels
        )


def _rule_settings(settings):
    """(author thresholds, story modes): what the rule set and the second-opinion pass read.

    Applying the rules to pending comments just scored: the default set rejects a banned
    word; each decision names its rule (actor rule:N) or mode (mode:post).
    """
    return authors.thresholds_from(settings.authors), story_modes.settings_from(settings.modes)


# Flags not decided by a comment's own text: its group's, and its second opinion's.
GROUP_FLAGS = frozenset({"mass_posting", opinion_pass.FLAG})


def refresh_pending(db, settings, batch_size: int | None = None) -> int:
    """Rescore one batch of pending comments scored under older rules; return how many.

    After a word is added in the dashboard, thresholds change or another model becomes
    active, the pending queue should show the new flags (and lose comments with a new
    banned word) without anyone running ``moderation rescore``. The scheduler calls this
    after each scoring pass: newest comments first, one batch a call, and nothing at all
    once every pending comment is current. Duplicate groups do not depend on these rules.
    """
    scorer = current_scorer(db, settings)
    rules = scorer.rules_version
    state = score_store.refresh_state(db)
    if state and state["rules"] == rules and state["done"]:
        return 0
    below = state["below_id"] if state and state["rules"] == rules else None
    batch = score_store.stale_pending(
        db, rules, 2**62 if below is None else below, batch_size or settings.scoring.batch_size
    )
    scored = [scorer.score(row["text"]) for row in batch]
    with db.atomic():
        score_store.refresh_text_scores(
            db,
            [
                {
                    "comment_id": row["id"],
                    "sentiment": result.sentiment,
                    "label": result.label,
                    "model_version": scorer.model_version,
                    "flags": result.flags
                    + [f for f in json.loads(row["flags"]) if f["code"] in GROUP_FLAGS],
                    "offensive": result.offensive,
                }
                for row, result in zip(batch, scored, strict=True)
            ],
            rules,
        )
        ids = [row["id"] for row in batch]
        opinions = second_opinion_store.worst_levels(db, ids) if batch else {}
        rule_apply.apply_rules(db, ids, scored, *_rule_settings(settings), opinions)
        score_store.save_refresh_state(db, rules, batch[-1]["id"] if batch else None, not batch)
    return len(batch)


_pool_scorer = None


@dataclass(frozen=True)
class ScoringPool:
    """Forked worker processes and the one scorer they all inherited."""

    workers: object  # multiprocessing.pool.Pool
    scorer: object  # scoring.scorer.Scorer


def _score_in_worker(text: str):
    """Score one text in a pool worker, with the scorer it inherited when forked."""
    return _pool_scorer.score(text)


@contextlib.contextmanager
def scoring_pool(db, settings, processes: int):
    """A process pool for backfills and rescoring (None for one process).

    The scorer is built first and the workers are forked from this process, so each starts
    with the model and word lists already loaded. Only for CLI work: forking a threaded
    server is unsafe.
    """
    global _pool_scorer
    if processes <= 1:
        yield None
        return
    _pool_scorer = current_scorer(db, settings)
    with multiprocessing.get_context("fork").Pool(processes) as workers:
        yield ScoringPool(workers, _pool_scorer)


def rescore(
    db,
    settings,
    since: str | None = None,
    batch_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    processes: int | None = None,
) -> int:
    """Recompute scores, flags and groups (after new thresholds, word lists or model).

    Without `since` every comment is rescored and duplicate groups are rebuilt from scratch;
    with it, only comments created on or after that date. With `processes` > 1 the text
    scoring runs on a process pool (the database work stays in this process).
    """
    processes = processes or settings.scoring.processes
    batch_size = batch_size or max(settings.scoring.batch_size, 2000 if processes > 1 else 0)
    total = comment_store.count_since(db, since)
    if since is None:
        with db.atomic():
            duplicates.clear_groups(db)
    done, last_id = 0, 0
    with scoring_pool(db, settings, processes) as pool:
        while True:
            batch = comment_store.texts_after(db, last_id, batch_size, since)
            if not batch:
                return done
            score_batch(db, settings, batch, pool)
            done += len(batch)
            last_id = batch[-1]["id"]
            if progress:
                progress(done, total)
