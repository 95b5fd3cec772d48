"""The `moderation` command: init, collect, serve, export and friends.

The group lives here with the commands that drive several layers (`import_files`, `alerts`,
`push`); commands that use only their own area and what is below it live beside it
(`export/commands.py`, `scheduling/commands.py`, `scoring/sentiment_commands.py`). All
report user errors by raising `click.ClickException`, never by importing this module.

Commands import their heavy dependencies inside the function, so `moderation --help`
answers at once and never loads the sentiment model.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import click

from moderation.cli.alerts import COMMANDS as ALERT_COMMANDS
from moderation.cli.import_files import import_command
from moderation.cli.push import push_command
from moderation.declare import click_type
from moderation.drafting.commands import draft
from moderation.export.commands import export, ranking
from moderation.export.records_commands import records
from moderation.roles import ROLES
from moderation.scheduling.commands import scheduler_command
from moderation.scoring.offensive_commands import COMMANDS as MODEL_COMMANDS
from moderation.scoring.sentiment_commands import COMMANDS as SENTIMENT_COMMANDS
from moderation.second_opinion.commands import second_opinion_command
from moderation.settings import (
    RetentionSettings,
    ServerSettings,
    SettingsError,
    load_settings,
    uses_packaged_default,
)


class Context:
    """What every command receives: the config path, settings loaded on first use."""

    def __init__(self, config: str | None):
        self.config = config
        self._settings = None

    @property
    def settings(self):
        """The validated settings (exit 2 with one line if the config is bad)."""
        if self._settings is None:
            try:
                self._settings = load_settings(self.config)
            except SettingsError as error:
                raise click.ClickException(str(error)) from None
            if uses_packaged_default(self.config):
                click.echo(
                    "no config.toml here: running on the packaged default config with data in "
                    f"{self._settings.base_dir} (put a config.toml here or set "
                    "MODERATION_CONFIG to change)",
                    err=True,
                )
        return self._settings

    @property
    def data_dir(self) -> Path:
        """The data folder (sentiment models live under it)."""
        return self.settings.data_path

    def load_corrections(self) -> list[tuple[int, str]]:
        """Moderators' sentiment corrections as (label, text), for retraining."""
        from moderation.storage.corrections import load_corrections

        return load_corrections(self.db())

    def load_offensive_labels(self) -> list[tuple[int, str]]:
        """The newsroom's offensive labels as (label, text), for retraining."""
        from moderation.storage.offensive import training_labels

        return training_labels(self.db())

    def db(self):
        """A database connection with migrations applied; a busy database is waited for."""
        from moderation.db import open_db
        from moderation.storage.retry import CLI_RETRIES

        return open_db(self.settings, busy_retries=CLI_RETRIES)


class CommandGroup(click.Group):
    """A group whose commands report a user error as one line `error: …` and exit 2.

    Commands raise `click.ClickException`; click's own usage errors (a missing argument,
    a bad option value) keep click's usual usage text.
    """

    def invoke(self, ctx: click.Context):
        """Run the command, turning its `ClickException` into one line and status 2."""
        try:
            return super().invoke(ctx)
        except click.UsageError:
            raise
        except click.ClickException as error:
            click.echo(f"error: {error.format_message()}", err=True)
            ctx.exit(2)


@contextmanager
def progress_bar(label: str):
    """A percentage bar on stderr, and the `(done, total)` callback that moves it."""
    with click.progressbar(length=100, label=label, file=sys.stderr) as bar:
        shown = 0

        def update(done: int, total: int) -> None:
            nonlocal shown
            percent = int(100 * done / total) if total else 100
            bar.update(percent - shown)
            shown = percent

        yield update


@click.group(cls=CommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="moderation", message="moderation %(version)s")
@click.option(
    "--config",
    "-c",
    envvar="MODERATION_CONFIG",
    type=click.Path(dir_okay=False),
    help="Config file (default: config.toml; env MODERATION_CONFIG).",
)
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["debug", "info", "warning", "error"]),
)
@click.option(
    "--log-json",
    is_flag=True,
    envvar="MODERATION_LOG_JSON",
    help="Log JSON lines (for log shippers) instead of text.",
)
@click.pass_context
def main(ctx: click.Context, config: str | None, log_level: str, log_json: bool) -> None:
    """Collect, score and moderate readers' comments; export the 融媒·观察 column."""
    from moderation import logs

    logs.configure(log_level, log_json)
    ctx.obj = Context(config)


@main.command()
@click.pass_obj
def init(obj: Context) -> None:
    """Create the database (or bring its schema up to date)."""
    db = obj.db()
    click.echo(f"database ready: {obj.settings.database_path} ({len(db.table_names())} tables)")


@main.command()
@click.argument("channel", required=False)
@click.option("--no-score", is_flag=True, help="Store only; score later.")
@click.pass_obj
def collect(obj: Context, channel: str | None, no_score: bool) -> None:
    """Collect comments from CHANNEL (default: every enabled channel), then score them."""
    from moderation import pipeline

    settings = obj.settings
    try:
        channels = (
            [settings.channel(channel)] if channel else [c for c in settings.channels if c.enabled]
        )
    except SettingsError as error:
        raise click.ClickException(str(error)) from None
    db = obj.db()
    statuses = []
    for entry in channels:
        click.echo(f"collecting {entry.name} ({entry.type}) …", err=True)
        summary = pipeline.collect_channel(db, settings, entry, progress=_page_progress)
        click.echo(
            f"{entry.name}: {summary.status} — fetched {summary.fetched}, new {summary.new}, "
            f"updated {summary.updated}, skipped {summary.skipped}, pages {summary.pages}"
        )
        for message in summary.errors + summary.notes:
            click.echo(f"  {message}", err=True)
        statuses.append(summary.status)
    if not no_score:
        _score(db, settings)
    sys.exit(pipeline.exit_status(statuses))


def _page_progress(summary) -> None:
    click.echo(f"  page {summary.pages}: {summary.fetched} fetched, {summary.new} new", err=True)


def _score(db, settings) -> None:
    from moderation import pipeline
    from moderation.storage import scores

    if not scores.count_unscored(db):
        return
    with progress_bar("scoring") as advance:
        pipeline.score_pending(db, settings, progress=advance)


@main.command()
@click.option("--host", help="Address to bind (default from config: 127.0.0.1).")
@click.option(
    "--port", type=click_type(ServerSettings, "port"), help="Port (default from config: 5000)."
)
@click.option("--no-scheduler", is_flag=True, help="Serve the dashboard only.")
@click.pass_obj
def serve(obj: Context, host: str | None, port: int | None, no_scheduler: bool) -> None:
    """Serve the dashboard and run scheduled collection of enabled channels."""
    import threading

    from waitress.server import create_server

    from moderation import create_app
    from moderation.scheduling.service import SchedulerService, handle_signals

    settings = obj.settings
    db = obj.db()
    _first_admin(db, settings)
    db.close()
    try:
        app = create_app(settings)
    except RuntimeError as error:  # production without a secret key, for one
        raise click.ClickException(str(error)) from None
    host = host or settings.server.host
    port = port or settings.server.port
    try:  # bound before anything starts: a busy port is one line, not a traceback
        server = create_server(app, host=host, port=port, threads=8)
    except OSError as error:
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {error.strerror or error} "
            "(another program may be using it: stop it or choose another with --port)"
        ) from None
    stop = threading.Event()
    handle_signals(stop, interrupt=True)  # SIGTERM/SIGINT end waitress's loop, then we stop
    service = None
    if not no_scheduler:
        service = SchedulerService(settings, stop)
        service.start()
    click.echo(f"dashboard: http://{host}:{port}/", err=True)
    try:
        server.run()
    finally:
        if service is not None:
            service.shutdown()


def _first_admin(db, settings) -> None:
    """On a first start outside production, create `admin` and say how to log in."""
    import secrets

    from moderation.storage import users

    if settings.server.production or users.list_users(db):
        return
    password = secrets.token_urlsafe(12)
    users.add_user(db, "admin", "admin", password, actor="首次启动")
    path = settings.data_path / "initial-admin-password"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(password + "\n", encoding="utf-8")
    path.chmod(0o600)
    click.echo(
        f"first start: log in as admin with password {password} (also in {path}); "
        "add accounts with `moderation user add NAME --role moderator`",
        err=True,
    )


@main.group()
def user() -> None:
    """Manage dashboard accounts."""


@user.command("add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(ROLES),
    required=True,
    help="What the user may do.",
)
@click.password_option(help="Prompted when not given (at least 8 characters).")
@click.pass_obj
def user_add(obj: Context, name: str, role: str, password: str) -> None:
    """Create a dashboard account (the password is prompted)."""
    from moderation.storage import users

    try:
        users.add_user(obj.db(), name, role, password)
    except users.UserError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"user {name} added as {role}")


@user.command("list")
@click.pass_obj
def user_list(obj: Context) -> None:
    """List dashboard accounts and their roles."""
    from moderation.storage import users

    for account in users.list_users(obj.db()):
        state = " (disabled)" if account["disabled"] else ""
        click.echo(f"{account['name']}\t{account['role']}\t{account['created_at']}{state}")


@main.command()
@click.option("--since", help="Only comments created on or after this date (YYYY-MM-DD).")
@click.option(
    "--processes",
    type=click.IntRange(1, 64),
    help="Worker processes for the scoring (default: [scoring] processes).",
)
@click.pass_obj
def rescore(obj: Context, since: str | None, processes: int | None) -> None:
    """Recompute sentiment, flags and duplicate groups with the current settings and model."""
    from datetime import date

    from moderation.db import Checkpointer

    if since:
        try:
            date.fromisoformat(since)
        except ValueError:
            raise click.ClickException(
                f"--since {since!r}: expected a date like 2024-01-22"
            ) from None
    with Checkpointer(obj.settings.database_path):
        count = _rescore(obj, since, processes)
    click.echo(f"rescored {count} comments")


def _rescore(obj: Context, since: str | None, processes: int | None) -> int:
    from moderation import pipeline

    with progress_bar("rescoring") as advance:
        return pipeline.rescore(
            obj.db(), obj.settings, since=since, progress=advance, processes=processes
        )


@main.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def backup_command(obj: Context, target: Path) -> None:
    """Copy the database to TARGET with SQLite's online backup (safe while running)."""
    from moderation.storage import backups

    try:
        backups.check_backup_target(target)  # before the bar: an error is one clean line
        with progress_bar("backup") as advance:
            result = backups.backup(obj.settings.database_path, target, progress=advance)
    except backups.OperationError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"backup written to {target}: {_describe(result)}")


@main.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def restore_command(obj: Context, source: Path, yes: bool) -> None:
    """Replace the database with the backup SOURCE (stop the service first)."""
    from moderation.storage import backups

    target = obj.settings.database_path
    if not yes:
        click.confirm(f"replace {target} with {source}?", abort=True)
    try:
        with progress_bar("restore") as advance:
            result = backups.restore(source, target, progress=advance)
    except backups.OperationError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"restored {target} from {source}: {_describe(result)}")


def _describe(result: dict) -> str:
    return ", ".join(f"{key} {value}" for key, value in result.items())


@main.command("purge")
@click.option(
    "--days",
    type=click_type(RetentionSettings, "raw_payload_days"),
    help="Override [retention] raw_payload_days.",
)
@click.option(
    "--records-days",
    type=click_type(RetentionSettings, "records_days"),
    help="Override [retention] records_days (at least 180: records are kept six months).",
)
@click.pass_obj
def purge_command(obj: Context, days: int | None, records_days: int | None) -> None:
    """Delete raw channel payloads past their retention, and reports and appeals closed
    longer ago than records_days (decisions, account events and comments stay)."""
    from moderation.storage import duty_records, raw_payloads

    days = obj.settings.retention.raw_payload_days if days is None else days
    records_days = obj.settings.retention.records_days if records_days is None else records_days
    try:
        duty_records.check_days(records_days)
    except duty_records.RetentionError as error:
        raise click.ClickException(str(error)) from None
    db = obj.db()
    removed = raw_payloads.purge_older_than(db, days)
    click.echo(f"purged {removed} raw payloads older than {days} days")
    closed = duty_records.purge_closed(db, records_days)
    click.echo(f"purged {closed} reports and appeals closed more than {records_days} days ago")


for command in (
    import_command,
    export,
    ranking,
    records,
    draft,
    scheduler_command,
    push_command,
    second_opinion_command,
    *SENTIMENT_COMMANDS,
    *ALERT_COMMANDS,
    *MODEL_COMMANDS,
):
    main.add_command(command)
