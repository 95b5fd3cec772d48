"""Greedy, diverse selection of one story's quotes, with alternates, in print order.

Each round proposes the candidate whose weighted terms score highest given the quotes already
proposed (a channel, topic or viewpoint they lack counts extra); a candidate by the same
author or from the same duplicate group as a proposed quote is never proposed beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from moderation.drafting import terms
from moderation.drafting.weights import Weights
from moderation.scoring.print_safe import make_printable

# Past the minimum, a quote is added only while it scores this share of the first one.
EXTRA_SHARE = 0.6
SPREAD_KEYS = (("channel", "channel_label"), ("topic", "topic"), ("sentiment", "sentiment"))


@dataclass(frozen=True)
class Counts:
    """How many quotes per story (at least when available, at most) and alternates."""

    min_quotes: int = 4
    max_quotes: int = 6
    alternates: int = 3


def counts_from(draft_settings) -> Counts:
    """The counts configured in `[draft]`."""
    return Counts(draft_settings.min_quotes, draft_settings.max_quotes, draft_settings.alternates)


def originals(comments: list[dict]) -> list[dict]:
    """One comment per duplicate group: its earliest (the original author, not a later copy
    however liked), with `copies` counting the others; comments in no group stay as they are."""
    groups: dict[int, list[dict]] = {}
    alone = []
    for comment in comments:
        group = comment.get("dup_group")
        (groups.setdefault(group, []) if group is not None else alone).append(comment)
    for members in groups.values():
        members.sort(key=lambda c: (c.get("created_at") or "", c["id"]))
        alone.append({**members[0], "copies": len(members) - 1})
    return sorted(alone, key=lambda c: c["id"])


def _eligible(comment: dict) -> bool:
    return (
        terms.is_clean(comment.get("flag_codes", ""), comment["text"])
        and terms.never_printed(comment.get("printed_in", ()))
        and terms.stands_alone(comment["text"])
        and terms.printable_length(comment["text"]) > 0
    )


def print_excerpt(text: str) -> str | None:
    """The proposed print excerpt: a trim of a long comment, by the print rule (emoji out);
    None when the comment prints as it is."""
    trimmed = terms.propose_trim(text)
    printed = make_printable(trimmed or text)
    return printed if printed != text else None


def prepare(comments: list[dict], topics: dict[int, tuple[str, str]]) -> list[dict]:
    """The comments that may be proposed, each with its term values.

    `topics` maps a comment id to (topic key, label); comments without a topic have none.
    A duplicate group is represented by its earliest comment, and is out when that one is.
    Gates: no flag (but a low sentiment), no personal data, never printed, not a reply,
    printable length.
    """
    eligible = [comment for comment in originals(comments) if _eligible(comment)]
    most_likes = max((comment["likes"] for comment in eligible), default=0)
    prepared = []
    for comment in eligible:
        topic, label = topics.get(comment["id"], (None, None))
        prepared.append(
            {
                **comment,
                "channel_label": terms.channel_of(comment),
                "topic": topic,
                "topic_label": label,
                "sentiment": comment.get("label"),
                "likes_value": terms.likes_value(comment["likes"], most_likes),
                "specific": terms.specificity(comment["text"]),
                "length_value": terms.printable_length(comment["text"]),
                "trim": print_excerpt(comment["text"]),
            }
        )
    return prepared


def score(candidate: dict, chosen: list[dict], weights: Weights) -> float:
    """The candidate's weighted terms, given the quotes already proposed."""
    value = (
        weights.likes * candidate["likes_value"]
        + weights.specific * candidate["specific"]
        + weights.length * candidate["length_value"]
    )
    for weight_name, key in SPREAD_KEYS:
        value += getattr(weights, weight_name) * terms.adds_new(key, candidate, chosen)
    return value


def _best(pool: list[dict], chosen: list[dict], weights: Weights):
    best, best_key = None, None
    for candidate in pool:
        value = score(candidate, chosen, weights)
        key = (value, candidate["likes"], -candidate["id"])
        if best_key is None or key > best_key:
            best, best_key = candidate, key
    return best, (best_key[0] if best_key else 0.0)


def _greedy(pool: list[dict], against: list[dict], weights: Weights, limit: int, minimum: int):
    """Up to `limit` mutually compatible candidates, best first, scored against `against`
    plus those already taken."""
    taken: list[dict] = []
    first = None
    while pool and len(taken) < limit:
        best, value = _best(pool, against + taken, weights)
        if first is None:
            first = value
        elif len(taken) >= minimum and value < EXTRA_SHARE * first:
            break
        taken.append({**best, "score": round(value, 3), "reason": terms.reason_line(best)})
        pool = [c for c in pool if c is not best and not terms.conflicts(c, [best])]
    return taken, pool


def select(candidates: list[dict], weights: Weights, counts: Counts) -> tuple[list, list]:
    """(picks in print order, alternates best first) for one story's prepared candidates."""
    picks, rest = _greedy(list(candidates), [], weights, counts.max_quotes, counts.min_quotes)
    alternates, _ = _greedy(rest, picks, weights, counts.alternates, counts.alternates)
    return picks, alternates
