"""The weights of the scoring terms, as configured in `[draft]` or as fitted."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

# Terms of a candidate's own (likes, specific, length) and terms that reward what the
# quotes already proposed for the story lack (channel, topic, sentiment).
NAMES = ("likes", "specific", "length", "channel", "topic", "sentiment")


@dataclass(frozen=True)
class Weights:
    """One weight per scoring term (defaults: those of `[draft]`, see `default_weights`)."""

    likes: float
    specific: float
    length: float
    channel: float
    topic: float
    sentiment: float

    def scaled(self, name: str, factor: float) -> Weights:
        """These weights with one of them multiplied (bounded to 0..10 as in `[draft]`)."""
        return replace(self, **{name: round(min(10.0, getattr(self, name) * factor), 3)})

    def with_value(self, name: str, value: float) -> Weights:
        """These weights with one of them set."""
        return replace(self, **{name: round(min(10.0, max(0.0, value)), 3)})


def weights_from(draft_settings) -> Weights:
    """The weights configured in a `[draft]` section."""
    return Weights(**{field.name: getattr(draft_settings, field.name) for field in fields(Weights)})


def default_weights(**changes: float) -> Weights:
    """The `[draft]` defaults, with some weights changed."""
    from moderation.settings import DraftSettings

    return replace(weights_from(DraftSettings()), **changes)


def as_toml(weights: Weights) -> str:
    """The `[draft]` weight lines to paste into config.toml."""
    return "\n".join(f"{name} = {value:g}" for name, value in asdict(weights).items())
