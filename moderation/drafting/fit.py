"""Learn what this paper prints: fit the draft's weights to the editions already printed.

Each printed section is a case: the approved comments its story drew in the week before the
edition (what the editor could choose from) and the ones that were printed. Agreement is the
share of printed quotes the draft proposed, as picks or alternates. Weights are fitted by
coordinate search on some weeks and judged on weeks held out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date as Date
from datetime import timedelta

from moderation.drafting import select as selection
from moderation.drafting.draft import utc_range
from moderation.drafting.topics import topics_of
from moderation.drafting.weights import NAMES, Weights
from moderation.storage import drafts as store

GRID = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0)
ROUNDS = 3
WEEK_DAYS = 7


@dataclass(frozen=True)
class Case:
    """One printed section: the candidates the editor had and the comment ids printed."""

    date: str
    candidates: list[dict]
    printed: frozenset[int]


@dataclass(frozen=True)
class FitReport:
    """Agreement before and after fitting, on the weeks fitted and the weeks held out."""

    before: Weights
    after: Weights
    fitted_weeks: int
    held_out_weeks: int
    held_out_quotes: int
    fitted_before: float
    fitted_after: float
    held_out_before: float
    held_out_after: float


def printed_cases(db, progress=None) -> list[Case]:
    """Every printed section as a case (candidates from the week before its edition)."""
    sections = store.printed_sections(db)
    cases = []
    for done, section in enumerate(sections, start=1):
        edition_day = Date.fromisoformat(section["date"])
        span = utc_range(edition_day - timedelta(days=WEEK_DAYS), edition_day - timedelta(days=1))
        comments = store.story_candidates(db, [section["story_id"]], *span, before=section["date"])
        prepared = selection.prepare(comments, topics_of(comments))
        cases.append(Case(section["date"], prepared, frozenset(section["comment_ids"])))
        if progress:
            progress(section["date"], done, len(sections))
    return cases


def agreement(cases: list[Case], weights: Weights, counts: selection.Counts) -> float:
    """The share of printed quotes the draft proposed (as picks or alternates)."""
    printed = proposed = 0
    for case in cases:
        picks, alternates = selection.select(case.candidates, weights, counts)
        printed += len(case.printed)
        proposed += len(case.printed & {quote["id"] for quote in picks + alternates})
    return proposed / printed if printed else 0.0


def split_weeks(cases: list[Case]) -> tuple[list[Case], list[Case]]:
    """(cases to fit on, cases held out): every third edition date is held out."""
    dates = sorted({case.date for case in cases})
    held = {day for index, day in enumerate(dates) if index % 3 == 2}
    return [c for c in cases if c.date not in held], [c for c in cases if c.date in held]


def fit_weights(cases: list[Case], start: Weights, counts: selection.Counts) -> Weights:
    """Coordinate search: each weight in turn set to the grid value that agrees best (ties
    keep the current value), for a few rounds."""
    best = start
    best_score = agreement(cases, best, counts)
    for _ in range(ROUNDS):
        improved = False
        for name in NAMES:
            for value in GRID:
                trial = best.with_value(name, value)
                score = agreement(cases, trial, counts)
                if score > best_score:
                    best, best_score, improved = trial, score, True
        if not improved:
            break
    return best


def fit(db, start: Weights, counts: selection.Counts, progress=None) -> FitReport:
    """Fit the weights on the printed editions, judged on held-out weeks."""
    fitted_cases, held_out = split_weeks(printed_cases(db, progress))
    if not fitted_cases or not held_out:
        raise ValueError("need printed editions of at least three weeks to fit and check")
    after = fit_weights(fitted_cases, start, counts)
    return FitReport(
        before=start,
        after=after,
        fitted_weeks=len({c.date for c in fitted_cases}),
        held_out_weeks=len({c.date for c in held_out}),
        held_out_quotes=sum(len(c.printed) for c in held_out),
        fitted_before=agreement(fitted_cases, start, counts),
        fitted_after=agreement(fitted_cases, after, counts),
        held_out_before=agreement(held_out, start, counts),
        held_out_after=agreement(held_out, after, counts),
    )
