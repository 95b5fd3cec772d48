"""One predicate per condition key: built once per rule, then called per comment."""

from __future__ import annotations

from collections.abc import Callable

from moderation.rules.model import LINK_FLAG, Facts

Predicate = Callable[[Facts], bool]


def _flags(codes: list) -> Predicate:
    wanted = frozenset(codes)
    return lambda facts: any(flag["code"] in wanted for flag in facts.flags)


def _flag_level(level: str) -> Predicate:
    return lambda facts: any(flag.get("action") == level for flag in facts.flags)


def _no_flags(value: bool) -> Predicate:
    return lambda facts: (not facts.flags) == value


def _below(read: Callable[[Facts], float | None]):
    """A condition true when the fact is known and below the limit."""

    def build(limit) -> Predicate:
        def check(facts: Facts) -> bool:
            value = read(facts)
            return value is not None and value < limit

        return check

    return build


def _above(read: Callable[[Facts], float | None]):
    """A condition true when the fact is known and above the limit."""

    def build(limit) -> Predicate:
        def check(facts: Facts) -> bool:
            value = read(facts)
            return value is not None and value > limit

        return check

    return build


def _member(read: Callable[[Facts], object]):
    def build(values: list) -> Predicate:
        allowed = frozenset(values)
        return lambda facts: read(facts) in allowed

    return build


def _has_link(value: bool) -> Predicate:
    return lambda facts: any(flag["code"] == LINK_FLAG for flag in facts.flags) == value


def parse_hours(text: str) -> tuple[int, int]:
    """ "22-7" -> (22, 7); ValueError for anything else."""
    start, _, end = text.partition("-")
    first, last = int(start), int(end)
    if not (0 <= first <= 23 and 0 <= last <= 24) or first == last:
        raise ValueError(text)
    return first, last


def _hours(text: str) -> Predicate:
    first, last = parse_hours(text)
    if first < last:
        return lambda facts: facts.beijing_hour is not None and first <= facts.beijing_hour < last
    return lambda facts: (
        facts.beijing_hour is not None
        and (facts.beijing_hour >= first or facts.beijing_hour < last)
    )


BUILDERS: dict[str, Callable[[object], Predicate]] = {
    "flags": _flags,
    "flag_level": _flag_level,
    "no_flags": _no_flags,
    "sentiment_below": _below(lambda f: f.sentiment),
    "sentiment_above": _above(lambda f: f.sentiment),
    "offensive_above": _above(lambda f: f.offensive),
    "channels": _member(lambda f: f.channel),
    "stories": _member(lambda f: f.story_id),
    "story_age_days_above": _above(lambda f: f.story_age_days),
    "story_age_days_below": _below(lambda f: f.story_age_days),
    "author_levels": _member(lambda f: f.author.level),
    "author_approved_below": _below(lambda f: f.author.approved),
    "author_rejected_at_least": _above(lambda f: f.author.rejected + 1),
    "length_below": _below(lambda f: len(f.text)),
    "length_above": _above(lambda f: len(f.text)),
    "has_link": _has_link,
    "hours": _hours,
    "second_opinion": lambda level: lambda facts: facts.second_opinion == level,
}


def matched_flags(when: dict, facts: Facts) -> list:
    """The comment's flags a rule's conditions named (for the reason: banned:words)."""
    codes = set(when.get("flags", ()))
    level = when.get("flag_level")
    return [f for f in facts.flags if f["code"] in codes or (level and f.get("action") == level)]
