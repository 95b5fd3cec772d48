"""The second-opinion step of scoring: who is asked, the cache, the budgets, the deadline.

Between scoring a batch's texts and deciding it by the rules: the comments a channel asks
about (its `second_opinion` providers) or a rule asks about (action ask_second_opinion)
are sent — masked unless `mask_before_sending = false` — to the providers, at most once
per content digest (a cached answer is reused for `cache_days`), within each provider's
calls per minute and per day, and never waiting past the longest timeout among them. A
failure, a timeout or a spent budget is recorded and the comment stays as the desk's own
signals decide. Nothing runs when no provider is configured.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import timedelta

from moderation.scoring.personal_data import mask_personal_data
from moderation.second_opinion import (
    BLOCK,
    LEVELS,
    REVIEW,
    ask_all,
    content_digest,
    make_provider,
)
from moderation.second_opinion.model import label_words
from moderation.states import PENDING
from moderation.storage import rule_apply
from moderation.storage import second_opinions as store
from moderation.timeutil import iso, now_iso, parse_iso

log = logging.getLogger(__name__)
FLAG = "second_opinion"
SEVERITY = {"pass": 0, "review": 1, "block": 2}


@dataclass
class Gathered:
    """What the step found: {comment id: most severe level}, the flags to add, and the
    links and calls to store in the scoring transaction."""

    levels: dict[int, str] = field(default_factory=dict)
    flags: dict[int, dict] = field(default_factory=dict)
    calls: list[dict] = field(default_factory=list)  # new calls, each with its comment ids
    cached_links: list[tuple[int, str, int, bool]] = field(default_factory=list)


def wanted(db, settings, comment_ids, scored, thresholds, modes) -> dict[int, set[str]]:
    """{comment id: provider names to ask}: the channel's every-comment providers plus the
    ones its rules ask for (pending comments only)."""
    providers = settings.second_opinion.provider_settings()
    first = next(iter(providers), "")
    per_channel = {c.name: c.second_opinion for c in settings.channels}
    rows = store.comments_to_ask(db, comment_ids)
    asked: dict[int, set[str]] = {}
    for comment_id, row in rows.items():
        if row["status"] == PENDING and per_channel.get(row["channel"]):
            asked.setdefault(comment_id, set()).update(per_channel[row["channel"]])
    requests = rule_apply.opinion_requests(db, comment_ids, scored, thresholds, modes)
    for comment_id, names in requests.items():
        asked.setdefault(comment_id, set()).update(name or first for name in names)
    unknown = {name for names in asked.values() for name in names} - set(providers)
    if unknown:
        log.warning("rules ask unconfigured second-opinion providers: %s", ", ".join(unknown))
    return {cid: {n for n in names if n in providers} for cid, names in asked.items() if names}


def gather(db, settings, batch: list[dict], scored, thresholds, modes) -> Gathered:
    """Ask what is wanted for a batch (network, outside any transaction)."""
    gathered = Gathered()
    config = settings.second_opinion
    providers = config.provider_settings()
    if not providers:
        return gathered
    asking = wanted(db, settings, [c["id"] for c in batch], scored, thresholds, modes)
    if not asking:
        return gathered
    texts = {c["id"]: c["text"] for c in batch}
    sent = {
        cid: mask_personal_data(texts[cid]) if config.mask_before_sending else texts[cid]
        for cid in asking
    }
    now = now_iso()
    since = iso(parse_iso(now) - timedelta(days=config.cache_days))
    answers: dict[int, list[tuple[str, str, list]]] = {}
    jobs = []
    for name, provider in providers.items():
        mine = sorted(cid for cid, names in asking.items() if name in names)
        if mine:
            jobs += _plan(
                db, provider, {cid: sent[cid] for cid in mine}, since, now, gathered, answers
            )
    failures: Counter = Counter()
    for (client, _, _, cids), asked in zip(jobs, ask_all([j[:3] for j in jobs]), strict=True):
        gathered.calls.append(_call_row(asked, cids))
        if asked.answer is None:
            failures[(asked.provider, asked.status, asked.error)] += 1
            continue
        for cid in cids:
            answers.setdefault(cid, []).append(
                (client.settings.shown, asked.answer.level, list(asked.answer.labels))
            )
    for (name, status, error), count in sorted(failures.items()):
        log.warning("second opinion %s: %d × %s: %s", name, count, status, error)
    _conclude(gathered, answers)
    return gathered


def _plan(db, provider, texts: dict[int, str], since, now, gathered, answers) -> list[tuple]:
    """One provider's share of a batch: cached answers taken, one job per new digest within
    its budget, the rest recorded as over budget. Returns (client, digest, text, ids) jobs."""
    digests = {cid: content_digest(text) for cid, text in texts.items()}
    hits = store.cached(db, provider.name, digests.values(), since)
    by_digest: dict[str, list[int]] = {}
    for cid, digest in digests.items():
        hit = hits.get(digest)
        if hit:
            gathered.cached_links.append((cid, provider.name, hit["id"], True))
            answers.setdefault(cid, []).append((provider.shown, hit["level"], hit_labels(hit)))
        else:
            by_digest.setdefault(digest, []).append(cid)
    if not by_digest:
        return []
    left = store.budget_left(
        db, provider.name, provider.calls_per_minute, provider.calls_per_day, now
    )
    client = make_provider(provider)
    jobs = []
    for index, (digest, cids) in enumerate(by_digest.items()):
        if index < left:
            jobs.append((client, digest, texts[cids[0]], cids))
        else:
            gathered.calls.append(_over_budget(provider.name, digest, cids))
    return jobs


def _conclude(gathered: Gathered, answers: dict) -> None:
    """Each comment's most severe answer, and a flag where it warns."""
    for cid, given in answers.items():
        shown, level, labels = max(given, key=lambda item: SEVERITY[item[1]])
        gathered.levels[cid] = level
        if level in (REVIEW, BLOCK):
            gathered.flags[cid] = _flag(shown, level, labels)


def hit_labels(row: dict) -> list[str]:
    """A cached call's desk labels."""
    return json.loads(row["labels"])


def _over_budget(name: str, digest: str, cids: list[int]) -> dict:
    return {
        "provider": name,
        "digest": digest,
        "status": store.OVER_BUDGET,
        "error": "超出调用预算，未发送",
        "comment_ids": cids,
    }


def _call_row(asked, cids: list[int]) -> dict:
    answer = asked.answer
    return {
        "provider": asked.provider,
        "digest": asked.digest,
        "status": asked.status,
        "level": answer.level if answer else None,
        "labels": answer.labels if answer else (),
        "provider_labels": answer.provider_labels if answer else (),
        "latency_ms": asked.latency_ms,
        "cost_units": answer.cost_units if answer else 0.0,  # answered calls are billed
        "error": asked.error,
        "comment_ids": cids,
    }


def _flag(shown: str, level: str, labels: list[str]) -> dict:
    words = f"：{label_words(labels)}" if labels else ""
    return {
        "code": FLAG,
        "reason": f"第二意见（{shown}）{LEVELS[level]}{words}",
        "action": "reject" if level == BLOCK else "review",
        "spans": [],
    }


def with_flags(scored: list, batch: list[dict], gathered: Gathered) -> list:
    """The batch's scores with the second-opinion flag added where an answer warns."""
    if not gathered.flags:
        return scored
    return [
        replace(result, flags=[*result.flags, gathered.flags[comment["id"]]])
        if comment["id"] in gathered.flags
        else result
        for comment, result in zip(batch, scored, strict=True)
    ]


def store_gathered(db, gathered: Gathered) -> None:
    """Store the calls and link each comment to its answer (inside the scoring
    transaction)."""
    ids = store.record_calls(db, gathered.calls)
    links = list(gathered.cached_links)
    for call, call_id in zip(gathered.calls, ids, strict=True):
        links.extend((cid, call["provider"], call_id, False) for cid in call["comment_ids"])
    store.link(db, links)
