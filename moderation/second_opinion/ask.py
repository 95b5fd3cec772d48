"""Asking several providers at once, never waiting past the longest timeout among them.

Calls run on up to 10 threads; whatever has not answered by its provider's deadline is
recorded as a timeout and left to finish (its answer is dropped), and a call still queued
then is not sent at all (``not_sent``), so a slow or silent provider costs the scoring pass
at most its timeout, however large the batch.
"""

from __future__ import annotations

import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass

from moderation.second_opinion.model import Answer, ProviderError

OK, TIMEOUT, NOT_SENT = "ok", "timeout", "not_sent"
MAX_THREADS = 10  # requests keeps 10 connections per host: no call waits for one


@dataclass(frozen=True)
class Asked:
    """The outcome of one call: an answer, or the kind of failure and its message."""

    provider: str
    digest: str
    status: str  # ok, failed, timeout, rate_limited, bad_answer
    latency_ms: int
    answer: Answer | None = None
    error: str = ""


def _call(provider, text: str, deadline: float) -> tuple[Answer | None, str, str, float, float]:
    """(answer, status, error, the monotonic moments the call began and ended).

    A job a thread picks up at or past its deadline is not sent: the batch cancels queued
    jobs at the deadline, but under load a thread freed by an early failure can get there
    first."""
    began = time.monotonic()
    if began >= deadline:
        return None, NOT_SENT, "", began, began
    try:
        return provider.ask(text), OK, "", began, time.monotonic()
    except ProviderError as error:
        return None, error.kind, str(error)[:300], began, time.monotonic()
    except Exception as error:  # noqa: BLE001 - a provider bug must not stop scoring
        return None, "failed", f"{type(error).__name__}: {error}"[:300], began, time.monotonic()


def ask_all(jobs: list[tuple[object, str, str]]) -> list[Asked]:
    """Ask each (provider, digest, text) job; one Asked per job, in order.

    A provider object has ``settings`` (name, timeout_seconds) and ``ask(text)``.
    """
    if not jobs:
        return []
    started = time.monotonic()
    pool = ThreadPoolExecutor(max_workers=min(len(jobs), MAX_THREADS))
    deadlines = [started + provider.settings.timeout_seconds for provider, _, _ in jobs]
    futures = [
        pool.submit(_call, provider, text, deadline)
        for (provider, _, text), deadline in zip(jobs, deadlines, strict=True)
    ]
    deadline_of = dict(zip(futures, deadlines, strict=True))
    pending = set(futures)
    while pending:
        left = max(deadline_of[f] for f in pending) - time.monotonic()
        if left <= 0:
            break
        _, pending = wait(pending, timeout=left, return_when=FIRST_COMPLETED)
        pending = {f for f in pending if deadline_of[f] > time.monotonic()}
    pool.shutdown(wait=False, cancel_futures=True)
    return [
        _outcome(provider, digest, future, deadline, started)
        for (provider, digest, _), future, deadline in zip(jobs, futures, deadlines, strict=True)
    ]


def _outcome(provider, digest, future, deadline, started) -> Asked:
    """A call that ended after its deadline counts as a timeout, whatever it answered."""
    name = provider.settings.name
    unsent = Asked(name, digest, NOT_SENT, 0, error="本批时限内未轮到，未发送")
    if future.cancelled():  # still queued at the deadline: never sent
        return unsent
    if future.done():
        answer, status, error, began, ended = future.result()
        if status == NOT_SENT:
            return unsent
        if ended <= deadline:
            return Asked(name, digest, status, round((ended - began) * 1000), answer, error)
    return Asked(name, digest, TIMEOUT, round((deadline - started) * 1000), error="超时未答复")
