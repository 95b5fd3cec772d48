"""config.toml -> typed, validated settings.

Every key is declared once, with its type and default, in the dataclasses below. An unknown
key, a wrong type or a missing file raises :class:`SettingsError` naming the key and file, so
the CLI can print one clear line and exit with status 2.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONFIG_ENV = "MODERATION_CONFIG"
DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config.toml"


class SettingsError(ValueError):
    """A configuration problem the user must fix; the message names the key and the file."""


@dataclass(frozen=True)
class ServerSettings:
    """Where the dashboard listens and where its secret comes from."""

    host: str = "127.0.0.1"
    port: int = 5000
    secret_key_env: str = "MODERATION_SECRET_KEY"
    production: bool = False
    session_minutes: int = 480


@dataclass(frozen=True)
class DatabaseSettings:
    """The one SQLite file everything lives in."""

    path: str = "var/moderation.db"
    busy_timeout_ms: int = 10000


@dataclass(frozen=True)
class ScoringSettings:
    """Thresholds and word lists for sentiment labels and flags."""

    negative_below: float = 0.5
    positive_above: float = 0.9
    offensive_review_above: float = 0.4
    offensive_reject_above: float = 0.8
    banned_words: list[str] = field(default_factory=list)
    suspect_words: list[str] = field(default_factory=list)
    min_length: int = 4
    max_repeat: int = 6
    duplicate_distance: int = 3
    mass_posting_authors: int = 3
    batch_size: int = 2000
    processes: int = 1

    def __post_init__(self):
        if not 0 <= self.duplicate_distance <= 3:  # four 16-bit bands: pigeonhole up to 3
            raise ValueError("duplicate_distance: must be 0 to 3 (bits of a 64-bit SimHash)")
        if not 0 <= self.negative_below <= self.positive_above <= 1:
            raise ValueError(
                "negative_below and positive_above: need 0 <= negative_below <= "
                f"positive_above <= 1 (got {self.negative_below} and {self.positive_above})"
            )
        if not 0 <= self.offensive_review_above <= self.offensive_reject_above <= 1:
            raise ValueError(
                "offensive_review_above and offensive_reject_above: need 0 <= review <= "
                f"reject <= 1 (got {self.offensive_review_above} and "
                f"{self.offensive_reject_above})"
            )
        for name in ("batch_size", "processes", "min_length", "max_repeat"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}: must be at least 1")
        if self.mass_posting_authors < 2:
            raise ValueError("mass_posting_authors: must be at least 2 (one author is no campaign)")


@dataclass(frozen=True)
class SchedulerSettings:
    """How scheduled collection behaves."""

    lease_seconds: int = 60
    jitter_seconds: int = 5
    misfire_grace_seconds: int = 300
    max_backoff_seconds: int = 3600
    backoff_base_seconds: float = 30.0


@dataclass(frozen=True)
class ExportSettings:
    """The printed column and its exports."""

    column_title: str = "融媒·观察"
    require_consent: bool = False
    pseudonym_key_env: str = "MODERATION_PSEUDONYM_KEY"


@dataclass(frozen=True)
class RetentionSettings:
    """How long raw channel payloads are kept."""

    raw_payload_days: int = 30


@dataclass(frozen=True)
class ChannelSettings:
    """One `[[channels]]` entry: common keys plus the collector's own keys in `options`."""

    name: str
    type: str
    schedule: str = "10m"
    enabled: bool = True
    label: str = ""
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    """All settings, plus the folder relative paths resolve against."""

    base_dir: Path
    server: ServerSettings = field(default_factory=ServerSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    data_dir: str = "var"
    scoring: ScoringSettings = field(default_factory=ScoringSettings)
    scheduler: SchedulerSettings = field(default_factory=SchedulerSettings)
    export: ExportSettings = field(default_factory=ExportSettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    channels: tuple[ChannelSettings, ...] = ()
    source: str = "<defaults>"

    def resolve(self, path: str) -> Path:
        """Resolve a configured path against the config file's folder."""
        candidate = Path(path).expanduser()
        return candidate if candidate.is_absolute() else self.base_dir / candidate

    @property
    def database_path(self) -> Path:
        """The SQLite file, resolved."""
        return self.resolve(self.database.path)

    @property
    def data_path(self) -> Path:
        """The data folder (models, caches, exports), resolved."""
        return self.resolve(self.data_dir)

    def channel(self, name: str) -> ChannelSettings:
        """The configured channel called `name`, or a SettingsError listing the known ones."""
        for channel in self.channels:
            if channel.name == name:
                return channel
        known = ", ".join(c.name for c in self.channels) or "none"
        raise SettingsError(f"unknown channel {name!r} (configured: {known})")


SECTIONS = {
    "server": ServerSettings,
    "database": DatabaseSettings,
    "scoring": ScoringSettings,
    "scheduler": SchedulerSettings,
    "export": ExportSettings,
    "retention": RetentionSettings,
}
CHANNEL_COMMON_KEYS = {"name", "type", "schedule", "enabled", "label"}


def config_path(explicit: str | os.PathLike | None = None) -> Path:
    """The config file to read: an explicit path, then $MODERATION_CONFIG, then config.toml in
    the working folder, then the default beside the package."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    here = Path.cwd() / "config.toml"
    return here if here.is_file() else DEFAULT_CONFIG


def load_settings(path: str | os.PathLike | None = None) -> Settings:
    """Read and validate a config file."""
    path = config_path(path).resolve()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(
            f"{path}: config file not found (set {CONFIG_ENV} or pass --config)"
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SettingsError(f"{path}: not valid TOML: {error}") from None
    return settings_from_mapping(raw, base_dir=path.parent, source=str(path))


def settings_from_mapping(raw: dict, base_dir: Path, source: str = "<mapping>") -> Settings:
    """Validate plain data (as read from TOML) into Settings."""
    values: dict[str, Any] = {}
    for key, value in raw.items():
        where = f"{source}: {key}"
        if key in SECTIONS:
            values[key] = _build(SECTIONS[key], value, where)
        elif key == "data_dir":
            values[key] = _check_type(value, str, where)
        elif key == "channels":
            values[key] = _build_channels(value, where)
        else:
            raise SettingsError(f"{where}: unknown key (known: {', '.join(_top_keys())})")
    return Settings(base_dir=base_dir, source=source, **values)


def _top_keys() -> list[str]:
    return [*SECTIONS, "data_dir", "channels"]


def _build_channels(value: Any, where: str) -> tuple[ChannelSettings, ...]:
    if not isinstance(value, list):
        raise SettingsError(f"{where}: expected [[channels]] tables")
    channels = []
    for index, entry in enumerate(value):
        entry_where = f"{where}[{index}]"
        if not isinstance(entry, dict):
            raise SettingsError(f"{entry_where}: expected a table")
        for required in ("name", "type"):
            if required not in entry:
                raise SettingsError(f"{entry_where}.{required}: missing")
        common = {k: v for k, v in entry.items() if k in CHANNEL_COMMON_KEYS}
        options = {k: v for k, v in entry.items() if k not in CHANNEL_COMMON_KEYS}
        channel = _build(ChannelSettings, common, f"{entry_where} ({entry.get('name')})")
        channel = dataclasses.replace(channel, options=options)
        validate_channel_options(channel, f"{source_of(where)}: channels.{channel.name}")
        channels.append(channel)
    names = [c.name for c in channels]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SettingsError(f"{where}: channel names must be unique: {', '.join(duplicates)}")
    return tuple(channels)


def source_of(where: str) -> str:
    """The file part of a `file: key` location."""
    return where.rsplit(": ", 1)[0]


def validate_channel_options(channel: ChannelSettings, where: str) -> None:
    """Check a channel's type and its type-specific keys against the collector's settings."""
    from moderation.collectors import collector_settings_class, known_types

    if channel.type not in known_types():
        raise SettingsError(
            f"{where}.type: unknown channel type {channel.type!r} "
            f"(known: {', '.join(known_types())})"
        )
    from moderation.scheduling_spec import parse_schedule

    try:
        parse_schedule(channel.schedule)
    except ValueError as error:
        raise SettingsError(f"{where}.schedule: {error}") from None
    build_options(collector_settings_class(channel.type), channel.options, where)


def build_options(cls: type, options: dict, where: str) -> Any:
    """Validate a collector's type-specific keys into its settings dataclass."""
    return _build(cls, options, where)


def _build(cls: type, value: Any, where: str) -> Any:
    if not isinstance(value, dict):
        raise SettingsError(f"{where}: expected a table")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    kwargs = {}
    for key, item in value.items():
        if key not in fields or key == "options":
            known = ", ".join(k for k in fields if k != "options")
            raise SettingsError(f"{where}.{key}: unknown key (known: {known})")
        kwargs[key] = _check_type(item, hints[key], f"{where}.{key}")
    missing = [
        name
        for name, f in fields.items()
        if name not in kwargs
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise SettingsError(f"{where}.{missing[0]}: missing")
    try:
        return cls(**kwargs)
    except (SettingsError, ValueError) as error:  # checks in a dataclass's __post_init__
        message = str(error)
        raise SettingsError(
            message if message.startswith(where) else f"{where}: {message}"
        ) from None


def _check_type(item: Any, hint: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
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
    if origin is list:
        (inner,) = typing.get_args(hint)
        if not isinstance(item, list):
            raise SettingsError(f"{where}: expected a list, got {type(item).__name__}")
        return [_check_type(element, inner, f"{where}[{i}]") for i, element in enumerate(item)]
    if origin is dict or hint is Any:
        return item
    if hint is float and isinstance(item, int) and not isinstance(item, bool):
        return float(item)
    if hint is int and isinstance(item, bool):
        raise SettingsError(f"{where}: expected int, got bool")
    if not isinstance(item, hint):
        raise SettingsError(f"{where}: expected {hint.__name__}, got {type(item).__name__}")
    return item
