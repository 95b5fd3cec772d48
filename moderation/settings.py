"""config.toml -> typed, validated settings.

Every key is declared once, in the dataclasses below: its type (the annotation), default,
help text and bounds (`moderation.declare.setting`). The checks, the error messages and the
commented `config.toml` (`python -m moderation.config_file --write`) all come from those
declarations. An unknown key, a wrong type, a value out of bounds or a missing file raises
:class:`SettingsError` naming the key and file, so the CLI can print one clear line and exit
with status 2. A channel's own keys are validated once, here, into its collector's Options.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moderation.declare import (
    NOT_A_KEY,
    SettingsError,
    build,
    channel_key_groups,
    channel_options_class,
    channel_types,
    check_value,
    declared,
    read_toml,
    registered,
    registered_sections,
    section_default,
    setting,
)
from moderation.resources import DEFAULT_CONFIG, user_data_dir
from moderation.scoring.lexicon import DEFAULT_INSULT_WORDS, DEFAULT_REPORT_WORDS
from moderation.states import RECORDS_MIN_DAYS

CONFIG_ENV = "MODERATION_CONFIG"
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _env_name(name: str) -> None:
    """An environment variable name, as the keys ending in _env hold."""
    if not ENV_NAME.fullmatch(name):
        raise ValueError(f"{name!r} is not an environment variable name")


def _known_channel_type(channel_type: str) -> None:
    """A channel type the collector registry knows."""
    if channel_type not in channel_types():
        known = ", ".join(channel_types())
        raise ValueError(f"unknown channel type {channel_type!r} (known: {known})")


def _valid_schedule(text: str) -> None:
    """An interval or five cron fields (the scheduler's registered parser says what is
    accepted)."""
    registered("schedule")(text)


@dataclass(frozen=True)
class ServerSettings:
    """Where the dashboard listens and where its secret comes from."""

    host: str = setting(
        "127.0.0.1",
        "Address the dashboard binds to; keep it on loopback unless a reverse proxy is in front.",
    )
    port: int = setting(5000, "Port of the dashboard.", min=1, max=65535)
    secret_key_env: str = setting(
        "MODERATION_SECRET_KEY",
        "Environment variable holding the session signing key. A key given there must hold "
        "at least 32 random bytes (a weak one is refused, in production or not), e.g. the "
        'output of `python -c "import secrets; print(secrets.token_hex(32))"`; unset, a random '
        "key is generated once and kept in the data folder.",
        check=_env_name,
    )
    production: bool = setting(
        False,
        "true refuses to start without a configured secret key and marks cookies Secure "
        "(HTTPS only).",
    )
    session_minutes: int = setting(
        480, "Minutes of inactivity after which a moderator must log in again.", min=1, max=43200
    )


@dataclass(frozen=True)
class DatabaseSettings:
    """The one SQLite file everything lives in."""

    path: str = setting("var/moderation.db", "The SQLite file; created on first run.")
    busy_timeout_ms: int = setting(
        10000,
        "How long a writer waits for another writer before giving up, in milliseconds.",
        min=100,
        max=600000,
    )


@dataclass(frozen=True)
class ScoringSettings:
    """Thresholds and word lists for sentiment labels and flags."""

    negative_below: float = setting(
        0.29,
        "Sentiment below this is labelled negative: a facet that sorts, filters, charts, "
        "alerts and reports, never a 机器标记 flag. Chosen on the choosing half of the held-out "
        "Weibo rows as the highest cut labelling at most 20% of positive posts negative; on the "
        "other half (563 rows) 0.29 labels 72% of negative posts and 17% of positive ones "
        "negative, precision 0.88 (0.2: 60% / 7%; 0.4: 84% / 29%). docs/signals.md.",
        min=0,
        max=1,
    )
    positive_above: float = setting(
        0.68,
        "Sentiment above this is labelled positive. Chosen on the same choosing half as the "
        "lowest cut labelling at most 3% of negative posts positive; on the other half 0.68 "
        "labels 47% of positive posts positive, precision 0.94 (0.5: 61%, 0.82; 0.8: 34%, "
        "0.96).",
        min=0,
        max=1,
    )
    offensive_review_above: float = setting(
        0.45,
        "Offensive-language score (0-1) at or above this flags a comment for review "
        '("offensive"). Chosen on half of COLD dev, which the shipped model never trained '
        "on, as the lowest cut flagging at most 10% of civil comments; the other half: 9.8% "
        "of civil and 90% of offensive comments flagged (AUC 0.954). The newsroom evaluation "
        "set, with the word lists: 3 of 65 civil comments. docs/signals.md.",
        min=0,
        max=1,
    )
    offensive_reject_above: float = setting(
        0.94,
        'At or above this the "offensive" flag says reject (still a moderator\'s decision). '
        "Chosen on the same half of COLD dev as the lowest cut at most 1% of civil comments "
        "reach; the other half: 0.4% of civil, 29% of offensive comments. With the insult "
        "lexicon, on the newsroom evaluation set: 30 of 44 offensive, no civil comment.",
        min=0,
        max=1,
    )
    banned_words: list[str] = setting(
        [],
        "Words that reject a comment automatically (decision recorded as by the system).",
        example=["傻逼", "操你妈", "代开发票"],
    )
    suspect_words: list[str] = setting(
        [], "Words that flag a comment for review.", example=["垃圾", "脑残", "骗子", "滚"]
    )
    allowed_words: list[str] = setting(
        [],
        "Harmless compounds that excuse a banned or suspect word inside them (垃圾分类 for 垃圾, "
        "a model number like SB-2024 for SB).",
        example=["垃圾分类", "垃圾桶"],
    )
    insult_words: list[str] = setting(
        list(DEFAULT_INSULT_WORDS),
        "Identity and personal insults (regional, body, occupational and staff insults, "
        "political labels): an 'insult' flag, and with an offensive score of 0.2 or more the "
        "offensive flag says reject. The shipped lexicon; edit it here or add words on the "
        "dashboard's 词表 page. docs/signals.md.",
    )
    report_words: list[str] = setting(
        list(DEFAULT_REPORT_WORDS),
        "Phrases of a crime or scam report (骗子电话, 大家小心, 被抓, 报警): without an insult "
        "word such a comment is not flagged offensive for review on the model's score alone.",
    )
    min_length: int = setting(
        4,
        "Comments with fewer meaningful characters are flagged as low information.",
        min=1,
        max=1000,
    )
    max_repeat: int = setting(
        6,
        "A character or emoji repeated more often than this is flagged as a flood.",
        min=1,
        max=1000,
    )
    duplicate_distance: int = setting(
        3,
        "SimHash Hamming distance up to which two comments are near duplicates (the index "
        "splits the 64-bit key into four bands, so at most 3).",
        min=0,
        max=3,
    )
    mass_posting_authors: int = setting(
        3,
        "The same text from at least this many authors is flagged as a posting campaign.",
        min=2,
        max=100000,
    )
    batch_size: int = setting(
        2000,
        "Comments scored per transaction. Large batches write each index page once for many "
        "comments (4x fewer page writes than 500); the write lock is held about 0.2 s per "
        "batch.",
        min=1,
        max=100000,
    )
    processes: int = setting(
        1, "Worker processes for rescoring and backfills (1 = in process).", min=1, max=64
    )
    seconds_per_comment: float = setting(
        2.0,
        "Time budget for scoring one comment's text. Past it, the checks not yet run are "
        'skipped and the comment is flagged "scoring_timeout" for a moderator, so one '
        "crafted comment cannot hold up the scoring pass (a 20,000-character comment scores "
        "in well under 0.1 s).",
        min=0.001,
        max=600,
    )

    def __post_init__(self):
        if self.negative_below > self.positive_above:
            raise ValueError(
                "negative_below and positive_above: need negative_below <= positive_above "
                f"(got {self.negative_below} and {self.positive_above})"
            )
        if self.offensive_review_above > self.offensive_reject_above:
            raise ValueError(
                "offensive_review_above and offensive_reject_above: need review <= reject "
                f"(got {self.offensive_review_above} and {self.offensive_reject_above})"
            )


@dataclass(frozen=True)
class SchedulerSettings:
    """How scheduled collection behaves."""

    lease_seconds: int = setting(
        60, "Seconds a scheduler's lease on the database lasts without renewal.", min=1, max=3600
    )
    jitter_seconds: int = setting(
        5, "Random seconds added to each run so channels do not fire together.", min=0, max=3600
    )
    misfire_grace_seconds: int = setting(
        300,
        "A run missed by up to this many seconds (e.g. while asleep) still runs once.",
        min=1,
        max=86400,
    )
    max_backoff_seconds: int = setting(
        3600,
        "Upper bound of the backoff after repeated failures of a channel, in seconds.",
        min=1,
        max=604800,
    )
    backoff_base_seconds: float = setting(
        30.0,
        "Backoff after a channel's first failure in a row, in seconds; doubled per further "
        "failure.",
        min=0,
        max=86400,
    )


@dataclass(frozen=True)
class ExportSettings:
    """The printed column and its exports."""

    column_title: str = setting("融媒·观察", "Heading of the column on the printed page.")
    require_consent: bool = setting(
        False, "true: every quote needs the consent/verified box ticked before sign-off."
    )
    pseudonym_key_env: str = setting(
        "MODERATION_PSEUDONYM_KEY",
        "Environment variable holding the key for pseudonymous author ids (keyed hash of openids).",
        check=_env_name,
    )


def _weight(default: float, help: str):
    """One scoring term's weight in the desk's draft."""
    return setting(default, help, min=0, max=10)


@dataclass(frozen=True)
class DraftSettings:
    """The desk's draft of the column (`moderation draft`, /editions/new?draft=1): its size,
    and what each scoring term weighs (`moderation draft --fit` proposes fitted weights)."""

    stories: int = setting(3, "Stories drafted: those with most reader response.", min=1, max=20)
    min_quotes: int = setting(
        4, "Quotes proposed per story, at least (if it has them).", min=1, max=20
    )
    max_quotes: int = setting(6, "Quotes proposed per story, at most.", min=1, max=20)
    alternates: int = setting(3, "Alternates offered per story for one-key swaps.", min=0, max=10)
    likes: float = _weight(1.0, "Weight of likes (log scale, against the story's best).")
    specific: float = _weight(1.0, "Weight of concrete detail (place, person, number) over praise.")
    length: float = _weight(1.0, "Weight of printable length (20-120 characters, fuller better).")
    channel: float = _weight(0.6, "Weight of a channel the story's proposed quotes lack.")
    topic: float = _weight(0.8, "Weight of a topic group the story's proposed quotes lack.")
    sentiment: float = _weight(0.5, "Weight of a sentiment (viewpoint) the proposed quotes lack.")

    def __post_init__(self):
        if self.min_quotes > self.max_quotes:
            raise ValueError("min_quotes <= max_quotes: the minimum is above the maximum")


@dataclass(frozen=True)
class RetentionSettings:
    """How long raw channel payloads, and closed reports and appeals, are kept."""

    raw_payload_days: int = setting(
        30,
        "Raw channel payloads older than this many days are purged; comments and decisions stay.",
        min=1,
        max=3650,
    )
    records_days: int = setting(
        365,
        "Closed reader reports and appeals older than this many days are purged (decisions, "
        "account events and comments stay). At least 180: records are kept six months.",
        min=RECORDS_MIN_DAYS,
        max=3650,
    )


@dataclass(frozen=True)
class ReportSettings:
    """Readers' reports (举报) and commenters' appeals (申诉) sent to the signed endpoint."""

    time_limit_hours: int = setting(
        24,
        "A report or appeal should be handled within this many hours; past it the 举报超时 "
        "alert fires and /metrics counts it as late.",
        min=1,
        max=720,
    )
    per_reporter_per_hour: int = setting(
        10,
        "Reports (and appeals) one reader token may file per hour; more are refused with 429.",
        min=1,
        max=1000,
    )
    text_chars: int = setting(
        500, "Longest note a reader may add to a report or appeal, in characters.", min=0, max=2000
    )
    clock_skew_seconds: int = setting(
        300,
        "A signed request whose timestamp is further than this from the desk's clock is "
        "refused (a replayed request).",
        min=30,
        max=86400,
    )


@dataclass(frozen=True)
class PrivacySettings:
    """What the desk keeps about readers."""

    keep_ip: bool = setting(
        False,
        "Keep a commenter's IP address beside its region (IP 属地). false: only the "
        "province-level region is stored, the address is dropped on arrival.",
    )


def _valid_targets(entries: list) -> None:
    """Alert targets that build: known types, secrets named by environment variables."""
    registered("alert_targets")(entries)


def _clock_time(text: str) -> None:
    """HH:MM in Beijing time, or empty for off."""
    if text and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", text):
        raise ValueError(f'expected HH:MM (Beijing time) or "" for off, got {text!r}')


@dataclass(frozen=True)
class AlertSettings:
    """Alerts and 舆情 reports: where they go and how often."""

    base_url: str = setting(
        "",
        "The dashboard's address as people open it (e.g. https://desk.zzrb.example), used for "
        "links in alerts and reports; empty: messages carry no link.",
    )
    targets: list[dict] = setting(
        [],
        "Where alerts and reports are sent: 企业微信 (wecom), 钉钉 (dingtalk), 飞书 (feishu) "
        "group robots, or email over SMTP with STARTTLS. Secrets live in the environment "
        "variables the *_env keys name. Rules choose targets by name at /admin/alerts. "
        'E.g. [{name = "值班群", type = "wecom", key_env = "ZZRB_WECOM_ROBOT_KEY"}]; '
        "docs/configuration.md lists every key.",
        check=_valid_targets,
    )
    max_alerts_per_rule_per_hour: int = setting(
        10,
        "A rule fires at most this many alerts an hour; more wait for the next hour.",
        min=1,
        max=1000,
    )
    max_messages_per_target_per_hour: int = setting(
        30,
        "At most this many messages an hour to one target (robots limit senders too).",
        min=1,
        max=1200,
    )
    daily_report_at: str = setting(
        "08:00",
        'When the daily report on yesterday is generated and sent (Beijing time); "" for off.',
        check=_clock_time,
    )
    weekly_report_at: str = setting(
        "08:30",
        "When the weekly report on the last seven days is generated and sent, on "
        'weekly_report_weekday (Beijing time); "" for off.',
        check=_clock_time,
    )
    weekly_report_weekday: int = setting(
        1, "Day of the weekly report: 1 = Monday … 7 = Sunday.", min=1, max=7
    )
    report_targets: list[str] = setting(
        [], "Targets (by name) that receive the daily and weekly reports."
    )
    report_unit: str = setting(
        "株洲日报社融媒体中心",
        "编制单位 printed in the report's red masthead beside its 期号 and date.",
    )
    incident_update_minutes: int = setting(
        15,
        "An open incident posts an update (count, rate, new samples) at most this often.",
        min=1,
        max=1440,
    )
    incident_quiet_minutes: int = setting(
        60,
        "An incident ends (one 解除 message) after its conditions have not held for this "
        "long; a second wave on the same story within it continues the same incident.",
        min=1,
        max=1440,
    )
    metrics_token_env: str = setting(
        "",
        "Environment variable holding the bearer token for the Prometheus endpoint "
        "/metrics.txt; empty: the endpoint is off.",
    )

    def __post_init__(self):
        names = registered("alert_targets")(self.targets)
        unknown = [name for name in self.report_targets if name not in names]
        if unknown:
            raise ValueError(f"report_targets: not a configured target: {', '.join(unknown)}")


@dataclass(frozen=True)
class AuthorSettings:
    """When an author's history makes them new or risky (rules hold such authors' comments)."""

    new_until_approvals: int = setting(
        3,
        "An author counts as new until this many of their comments were approved.",
        min=0,
        max=1000,
    )
    window_days: int = setting(
        30, "Days of history the rejection rate is taken over.", min=1, max=3650
    )
    risky_rejection_rate: float = setting(
        0.5,
        "Authors rejected more often than this (share of decided comments in the window) "
        "count as risky.",
        min=0,
        max=1,
    )
    risky_min_decided: int = setting(
        5,
        "Fewest decided comments in the window before the rejection rate counts.",
        min=1,
        max=100000,
    )


def _hours_window(text: str) -> None:
    """Empty, or Beijing hours as "22-7"."""
    if text and not re.fullmatch(r"(1?\d|2[0-3])-(1?\d|2[0-4])", text):
        raise ValueError(f'{text!r}: write the hours as "22-7" (from 22:00 to 07:00), or ""')


@dataclass(frozen=True)
class ModeSettings:
    """When stories change moderation mode by themselves (modes are set per story)."""

    close_after_days: int = setting(
        0,
        "Stories close to new comments this many days after publication (0: never).",
        min=0,
        max=3650,
    )
    pre_hours: str = setting(
        "",
        "Beijing hours when every story is moderated before publication whatever its mode, "
        'e.g. "22-7" for nights without moderators ("" for none).',
        check=_hours_window,
    )


@dataclass(frozen=True)
class LimitsSettings:
    """Bounds that keep one request, file or account from hurting the rest."""

    text_chars: int = setting(
        20_000,
        "A comment's text is cut to this many characters (flagged 'truncated'); the original "
        "stays in the raw payload.",
        min=1,
        max=10_000_000,
    )
    field_chars: int = setting(
        500,
        "Authors, ids, titles, urls and the other short fields are cut to this.",
        min=1,
        max=10_000_000,
    )
    raw_payload_chars: int = setting(
        100_000,
        "The raw item kept beside a comment, at most this many characters.",
        min=1,
        max=10_000_000,
    )
    ids_per_request: int = setting(
        200,
        "Comments one bulk decision may name (a queue page shows 20).",
        min=1,
        max=10_000_000,
    )
    session_hours: int = setting(
        24, "Absolute session lifetime, whatever the activity, in hours.", min=1, max=2160
    )
    login_free_failures: int = setting(
        3, "Failed logins per (name, address) before growing delays start.", min=1, max=100
    )
    login_account_free_failures: int = setting(
        10,
        "Failed logins to one account, from every address together, before its growing "
        "delays start (beside the per-address count: a guesser with many addresses).",
        min=1,
        max=1000,
    )
    login_max_delay_seconds: int = setting(
        900,
        "The longest wait the growing login delay reaches, in seconds.",
        min=1,
        max=86_400,
    )
    trusted_proxies: int = setting(
        0,
        "Reverse proxies in front whose X-Forwarded-For is believed for the client's address "
        "(0: none, the header is ignored).",
        min=0,
        max=5,
    )


@dataclass(frozen=True)
class ChannelSettings:
    """One `[[channels]]` entry: the common keys, and the type's own keys validated once."""

    name: str = setting(help="Unique name of the channel (used by `moderation collect NAME`).")
    type: str = setting(help="The collector that reads it.", check=_known_channel_type)
    schedule: str = setting("10m", '"5m", "90s", "2h" or five cron fields.', check=_valid_schedule)
    enabled: bool = setting(
        True,
        "false keeps the channel configured, never collected nor pushed to. Its queued "
        "actions wait as 已暂停.",
    )
    label: str = setting("", "Shown as the comment's origin, e.g. 掌上株洲 (empty: the name).")
    official_authors: str = setting(
        "",
        "The channel's own account as comments name it. Its name or author id (several "
        "separated by commas); its replies are marked 官方 in thread context.",
        example="株洲日报",
    )
    second_opinion: list[str] = setting(
        [],
        "Second-opinion providers asked about every comment. By name, from "
        "[second_opinion]; empty: only where a rule asks (action ask_second_opinion).",
    )
    # The collector's Options dataclass, built from the entry's other keys by the loader.
    options: Any = field(default=None, metadata={NOT_A_KEY: True})
    # The channel's push keys (moderation.push.actions.PushOptions, registered with
    # `declare`), built by the loader.
    push: Any = field(default=None, metadata={NOT_A_KEY: True})


@dataclass(frozen=True)
class Settings:
    """All settings, plus the folder relative paths resolve against."""

    base_dir: Path = field(metadata={NOT_A_KEY: True})
    server: ServerSettings = field(default_factory=ServerSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    data_dir: str = setting("var", "Folder for sentiment models, caches and exports.")
    scoring: ScoringSettings = field(default_factory=ScoringSettings)
    scheduler: SchedulerSettings = field(default_factory=SchedulerSettings)
    export: ExportSettings = field(default_factory=ExportSettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    reports: ReportSettings = field(default_factory=ReportSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    authors: AuthorSettings = field(default_factory=AuthorSettings)
    modes: ModeSettings = field(default_factory=ModeSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    draft: DraftSettings = field(default_factory=DraftSettings)
    limits: LimitsSettings = field(default_factory=LimitsSettings)
    # Sections declared by the subsystems they configure and registered with `declare`:
    # [second_opinion] (moderation.second_opinion.config), [push] (moderation.push.actions).
    second_opinion: Any = field(default_factory=section_default("second_opinion"))
    push: Any = field(default_factory=section_default("push"))
    channels: tuple[ChannelSettings, ...] = ()
    source: str = field(default="<defaults>", metadata={NOT_A_KEY: True})

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


# The tables of config.toml, in the order the generated file lists them.
SECTIONS: dict[str, type] = {
    "server": ServerSettings,
    "database": DatabaseSettings,
    "scoring": ScoringSettings,
    "scheduler": SchedulerSettings,
    "export": ExportSettings,
    "retention": RetentionSettings,
    "reports": ReportSettings,
    "privacy": PrivacySettings,
    "authors": AuthorSettings,
    "modes": ModeSettings,
    "alerts": AlertSettings,
    "draft": DraftSettings,
    "limits": LimitsSettings,
    # then the sections the subsystems registered ([second_opinion], [push], ...)
    **registered_sections(),
}
TOP_LEVEL_KEYS = ("data_dir",)


def config_path(explicit: str | os.PathLike | None = None) -> Path:
    """The config file to read: an explicit path, then $MODERATION_CONFIG, then config.toml in
    the working folder, then the default beside the package."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    here = Path.cwd() / "config.toml"
    return here if here.is_file() else DEFAULT_CONFIG


def uses_packaged_default(explicit: str | os.PathLike | None = None) -> bool:
    """True when no config was given or found, so the packaged default runs on user data."""
    return config_path(explicit) is DEFAULT_CONFIG


def load_settings(path: str | os.PathLike | None = None) -> Settings:
    """Read and validate a config file.

    With no config anywhere the packaged default is read and its relative paths resolve
    against the per-user data folder (``$XDG_DATA_HOME/moderation``), not the install folder.
    """
    base_dir = user_data_dir() if uses_packaged_default(path) else None
    path = config_path(path).resolve()
    try:
        raw = read_toml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(
            f"{path}: config file not found (set {CONFIG_ENV} or pass --config)"
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SettingsError(f"{path}: not valid TOML: {error}") from None
    return settings_from_mapping(raw, base_dir=base_dir or path.parent, source=str(path))


def settings_from_mapping(raw: dict, base_dir: Path, source: str = "<mapping>") -> Settings:
    """Validate plain data (as read from TOML) into Settings."""
    values: dict[str, Any] = {}
    top_fields = {f.name: f for f in dataclasses.fields(Settings)}
    for key, value in raw.items():
        where = f"{source}: {key}"
        if key in SECTIONS:
            values[key] = build(SECTIONS[key], value, where)
        elif key in TOP_LEVEL_KEYS:
            values[key] = check_value(value, str, declared(top_fields[key]), where)
        elif key == "channels":
            values[key] = _build_channels(value, source)
        else:
            known = ", ".join([*TOP_LEVEL_KEYS, *SECTIONS, "channels"])
            raise SettingsError(f"{where}: unknown key (known: {known})")
    settings = Settings(base_dir=base_dir, source=source, **values)
    _check_second_opinions(settings, source)
    return settings


def _check_second_opinions(settings: Settings, source: str) -> None:
    """Every provider a channel names is configured in [second_opinion]."""
    known = settings.second_opinion.provider_settings()
    for channel in settings.channels:
        unknown = [name for name in channel.second_opinion if name not in known]
        if unknown:
            raise SettingsError(
                f"{source}: channels.{channel.name}.second_opinion: not a configured provider: "
                f"{', '.join(unknown)} (configured: {', '.join(known) or 'none'})"
            )


def _build_channels(value: Any, source: str) -> tuple[ChannelSettings, ...]:
    if not isinstance(value, list):
        raise SettingsError(f"{source}: channels: expected [[channels]] tables")
    channels = tuple(
        channel_settings(entry, f"{source}: channels[{index}]") for index, entry in enumerate(value)
    )
    names = [c.name for c in channels]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SettingsError(
            f"{source}: channels: channel names must be unique: {', '.join(duplicates)}"
        )
    return channels


def channel_settings(entry: Any, where: str = "<mapping>: channels[0]") -> ChannelSettings:
    """One [[channels]] table validated into ChannelSettings, its own keys into the
    collector's Options (once: the collector gets them typed)."""
    if not isinstance(entry, dict):
        raise SettingsError(f"{where}: expected a table")
    if isinstance(entry.get("name"), str):  # errors name the channel once it has a name
        where = f"{where.rsplit('[', 1)[0]}.{entry['name']}"
    common_keys = {f.name for f in dataclasses.fields(ChannelSettings)} - {"options", "push"}
    common = {key: value for key, value in entry.items() if key in common_keys}
    channel = build(ChannelSettings, common, where)
    # Key groups every channel may carry (e.g. the push keys, registered by moderation.push);
    # the rest of the table is the channel type's own keys.
    groups = {
        g.name: (g, {f.name for f in dataclasses.fields(g.cls)}) for g in channel_key_groups()
    }
    taken = set(common_keys).union(*(names for _, names in groups.values()))
    own = {key: value for key, value in entry.items() if key not in taken}
    options = build(channel_options_class(channel.type), own, where)
    built = {}
    for name, (group, names) in groups.items():
        built[name] = build(group.cls, {k: v for k, v in entry.items() if k in names}, where)
        try:
            group.check(built[name], channel.type)
        except ValueError as error:
            raise SettingsError(f"{where}.{error}") from None
    return dataclasses.replace(channel, options=options, **built)
