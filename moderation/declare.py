"""A setting declared once: its type, default, help and bounds on one dataclass field.

`setting()` makes the field; `build()` turns plain data read from TOML into the dataclass,
checking every key's type, bounds and own check, so an error names the file and the key in
one line. The commented `config.toml` is written from the same declarations
(`moderation.config_file`). This module imports nothing of the package, so the collectors
can declare their channel keys with it too, and the subsystems register here what the
settings loader needs of them (see "the registry" below).
"""

from __future__ import annotations

import copy
import dataclasses
import math
import tomllib
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class SettingsError(ValueError):
    """A configuration problem the user must fix; the message names the key and the file."""


@dataclass(frozen=True)
class Declared:
    """What a setting carries besides its type and default."""

    help: str = ""
    min: float | None = None
    max: float | None = None
    example: Any = None  # written to the generated config.toml instead of the default
    check: Callable[[Any], None] | None = None  # raises ValueError saying what is wrong


MAX_TOML_DEPTH = 32  # tables and arrays within each other; a real config has 3


def read_toml(text: str) -> dict:
    """TOML text as plain data, refusing what would break the code that reads it: nesting
    deeper than MAX_TOML_DEPTH (5,000 levels raised RecursionError, a 500 on five admin
    pages) and the floats nan and inf (no bound holds them: nan < 0 and nan > 1 are both
    false). Raises tomllib.TOMLDecodeError, as for any other bad TOML."""
    try:
        data = tomllib.loads(text, parse_float=_finite_float)
    except RecursionError:
        raise tomllib.TOMLDecodeError(f"nested deeper than {MAX_TOML_DEPTH} levels") from None
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_TOML_DEPTH:
            raise tomllib.TOMLDecodeError(f"nested deeper than {MAX_TOML_DEPTH} levels")
        children = value.values() if isinstance(value, dict) else value
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return data


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise tomllib.TOMLDecodeError(f"{text} is not allowed: a setting needs a finite number")
    return value


NOT_DECLARED = Declared()
NOT_A_KEY = "not_a_key"  # field metadata: set by the loader, never read from the file


def setting(
    default: Any = dataclasses.MISSING,
    help: str = "",
    *,
    min: float | None = None,
    max: float | None = None,
    example: Any = None,
    check: Callable[[Any], None] | None = None,
) -> Any:
    """A dataclass field declaring one setting (no default = the key is required)."""
    metadata = {"declared": Declared(help, min, max, example, check)}
    if isinstance(default, list | dict):
        return dataclasses.field(default_factory=lambda: copy.deepcopy(default), metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def declared(field: dataclasses.Field) -> Declared:
    """The declaration on a field (an undeclared field has no help and no bounds)."""
    return field.metadata.get("declared", NOT_DECLARED)


def keys(cls: type) -> dict[str, dataclasses.Field]:
    """The fields of a settings dataclass that a config file may set, in declared order."""
    return {f.name: f for f in dataclasses.fields(cls) if f.init and not f.metadata.get(NOT_A_KEY)}


def default_of(field: dataclasses.Field) -> Any:
    """A field's default value (MISSING for a required key)."""
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return field.default


def build(cls: type, value: Any, where: str) -> Any:
    """Validate a table of plain data into `cls`; SettingsError names the first bad key."""
    if not isinstance(value, dict):
        raise SettingsError(f"{where}: expected a table")
    hints = typing.get_type_hints(cls)
    fields = keys(cls)
    kwargs = {}
    for key, item in value.items():
        if key not in fields:
            raise SettingsError(f"{where}.{key}: unknown key (known: {', '.join(fields)})")
        kwargs[key] = check_value(item, hints[key], declared(fields[key]), f"{where}.{key}")
    missing = [name for name, f in fields.items() if name not in kwargs and _required(f)]
    if missing:
        raise SettingsError(f"{where}.{missing[0]}: missing")
    try:
        return cls(**kwargs)
    except ValueError as error:  # cross-key checks in a dataclass's __post_init__
        message = str(error)
        raise SettingsError(
            message if message.startswith(where) else f"{where}: {message}"
        ) from None


def _required(field: dataclasses.Field) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


def check_value(item: Any, hint: Any, rules: Declared, where: str) -> Any:
    """One value checked against its type, its bounds and its own check."""
    item = _check_type(item, hint, where)
    _check_bounds(item, rules, where)
    if rules.check is not None:
        try:
            rules.check(item)
        except ValueError as error:
            raise SettingsError(f"{where}: {error}") from None
    return item


def _check_bounds(item: Any, rules: Declared, where: str) -> None:
    if not isinstance(item, int | float) or isinstance(item, bool):
        return
    low, high = rules.min, rules.max
    if (low is not None and item < low) or (high is not None and item > high):
        raise SettingsError(f"{where}: must be {bounds_text(low, high)}, got {item}")


def bounds_text(low: float | None, high: float | None) -> str:
    """'1 to 65535', 'at least 1' or 'at most 3': how a bounded setting is described."""
    if low is not None and high is not None:
        return f"{low} to {high}"
    return f"at least {low}" if low is not None else f"at most {high}"


def _check_type(item: Any, hint: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _check_union(item, typing.get_args(hint), where)
    if origin is list:
        (inner,) = typing.get_args(hint)
        if not isinstance(item, list):
            raise SettingsError(f"{where}: expected a list, got {type(item).__name__}")
        return [_check_type(element, inner, f"{where}[{i}]") for i, element in enumerate(item)]
    if origin is dict or hint is Any:
        return item
    if hint is float and isinstance(item, int) and not isinstance(item, bool):
        return float(item)
    if isinstance(item, float) and not math.isfinite(item):
        raise SettingsError(f"{where}: must be a finite number, got {item}")
    if hint is int and isinstance(item, bool):
        raise SettingsError(f"{where}: expected int, got bool")
    if not isinstance(item, hint):
        raise SettingsError(f"{where}: expected {hint.__name__}, got {type(item).__name__}")
    return item


def _check_union(item: Any, options: tuple, where: str) -> Any:
    if item is None and type(None) in options:
        return None
    errors = []
    for option in options:
        if option is type(None):
            continue
        try:
            return _check_type(item, option, where)
        except SettingsError as error:
            errors.append(error)
    raise errors[0]


def click_type(cls: type, key: str) -> Any:
    """A click parameter type bounded like the declared setting a CLI option overrides."""
    import click

    rules = declared(keys(cls)[key])
    kind = click.IntRange if typing.get_type_hints(cls)[key] is int else click.FloatRange
    return kind(rules.min, rules.max)


# -- the registry: what the configured subsystems tell the settings ---------------------
#
# `moderation.settings` sits below the things it configures, so it imports none of them:
# each registers here what the loader needs (a check by name, its channel types, the
# extra keys a channel table may carry), when the package is imported
# (`moderation/__init__.py` imports the registering modules).


@dataclass(frozen=True)
class ChannelKeys:
    """A group of keys every `[[channels]]` table may carry (e.g. the push keys): the
    dataclass declaring them and a check of the built value against the channel's type."""

    name: str
    cls: type
    check: Callable[[Any, str], None]  # (built value, channel type); raises ValueError


_CHECKS: dict[str, Callable[[Any], Any]] = {}
_CHANNEL_TYPES: dict[str, Callable[[], Any]] = {}
_CHANNEL_KEYS: dict[str, ChannelKeys] = {}


def register_check(name: str, check: Callable[[Any], Any]) -> None:
    """Register a named check that settings declarations refer to (`registered`)."""
    _CHECKS[name] = check


def registered(name: str) -> Callable[[Any], Any]:
    """The check registered as `name`, looked up when it runs (declarations are made before
    the subsystems register)."""

    def run(value: Any) -> Any:
        if name not in _CHECKS:
            raise LookupError(f"no check {name!r} registered (is its subsystem imported?)")
        return _CHECKS[name](value)

    run.__doc__ = f"The registered check {name!r}."
    return run


def register_channel_types(known: Callable[[], list[str]], options: Callable[[str], type]) -> None:
    """Register the channel types a config may name and the Options dataclass of each."""
    _CHANNEL_TYPES["known"], _CHANNEL_TYPES["options"] = known, options


def channel_types() -> list[str]:
    """The channel types registered (by the collectors)."""
    return list(_CHANNEL_TYPES["known"]()) if "known" in _CHANNEL_TYPES else []


def channel_options_class(channel_type: str) -> type:
    """The dataclass that validates a channel type's own keys."""
    return _CHANNEL_TYPES["options"](channel_type)


def register_channel_keys(group: ChannelKeys) -> None:
    """Register a group of keys every channel table may carry."""
    _CHANNEL_KEYS[group.name] = group


def channel_key_groups() -> list[ChannelKeys]:
    """The registered groups of channel keys, in registration order."""
    return list(_CHANNEL_KEYS.values())


_SECTIONS: dict[str, type] = {}


def register_section(name: str, cls: type) -> None:
    """Register a table of config.toml (`[name]`) declared by the subsystem it configures;
    the settings list it after their own sections, in registration order."""
    _SECTIONS[name] = cls


def registered_sections() -> dict[str, type]:
    """{table name: its dataclass} of the registered sections."""
    return dict(_SECTIONS)


def section_default(name: str) -> Callable[[], Any]:
    """A default factory for a registered section's field: its dataclass with defaults."""
    return lambda: _SECTIONS[name]()
