"""`moderation records export`: the records of a date range as CSV for an inspection, with
its own audit entry."""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path

import click


def day(value: str, option: str) -> date:
    """A YYYY-MM-DD option, or one clear error naming it."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.ClickException(f"{option} {value!r}: expected a date like 2026-06-01") from None


def _user() -> str:
    """Who ran the command, as the system knows them (for the audit entry)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in a bare container
        return "unknown"


@click.group("records")
def records() -> None:
    """Records kept for inspections (decisions, reports, appeals, account events)."""


@records.command("export")
@click.option("--from", "date_from", required=True, help="First Beijing day, YYYY-MM-DD.")
@click.option("--to", "date_to", required=True, help="Last Beijing day, YYYY-MM-DD.")
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The CSV file to write (UTF-8 with BOM, Beijing times).",
)
@click.pass_obj
def export_records(obj, date_from: str, date_to: str, output: Path) -> None:
    """Write every record of the days --from..--to to a CSV file, and audit the export."""
    from moderation.export.duty_records import YEARS, export_records, in_years

    first, last = day(date_from, "--from"), day(date_to, "--to")
    if last < first:
        raise click.ClickException(f"--to {date_to} is before --from {date_from}")
    if not (in_years(first) and in_years(last)):
        raise click.ClickException(
            f"--from/--to: dates must be in the years {YEARS.start} to {YEARS.stop - 1}"
        )
    if not output.parent.is_dir():
        raise click.ClickException(f"{output.parent}: no such folder")
    labels = {channel.name: channel.label or channel.name for channel in obj.settings.channels}
    _data, rows = export_records(
        obj.db(), first, last, labels, f"cli:{_user()}", str(output), output.write_bytes
    )
    click.echo(f"wrote {output}: {rows} records from {first} to {last} (Beijing days)")
