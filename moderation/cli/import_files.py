"""`moderation import`: comments from CSV, JSONL or XLSX exports into a file channel.

It runs the pipeline, so it lives with the CLI rather than with the collectors (which
import nothing of the rest).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

ALREADY_IMPORTED = ": already imported ("  # fileimport's note for a file stored before
HOW_TO_ADD = """no file channel is configured. Add one to {config} and run the import again:

[[channels]]
name = "imports"
type = "file"
label = "文件导入"
enabled = false  # imported on demand by `moderation import`, never on a schedule"""


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--channel", "channel_name", help="The file channel to import into.")
@click.pass_obj
def import_command(obj, files: tuple[Path, ...], channel_name: str | None) -> None:
    """Import comments from CSV, JSONL or XLSX files into a `type = "file"` channel."""
    from moderation import pipeline

    for path in files:
        if not path.is_file():
            raise click.ClickException(f"{path}: no such file")
    channel = _file_channel(obj.settings, channel_name)
    paths = [str(path.resolve()) for path in files]
    options = dataclasses.replace(channel.options, paths=paths, folder="")
    channel = dataclasses.replace(channel, options=options)
    summary = pipeline.collect_channel(
        obj.db(), obj.settings, channel, trigger="import", progress=_rows_read
    )
    repeats = [note for note in summary.notes if ALREADY_IMPORTED in note]
    bad_rows = summary.skipped - len(repeats)
    click.echo(
        f"{channel.name}: {summary.status} — rows read {summary.fetched + bad_rows}, "
        f"new {summary.new}, updated {summary.updated}, bad rows {bad_rows}"
    )
    for message in repeats:
        click.echo(message)  # a file imported before is no bad row: nothing to fix
    for message in summary.errors + [n for n in summary.notes if n not in repeats]:
        click.echo(f"  {message}", err=True)
    raise SystemExit(pipeline.exit_status([summary.status]))


def _file_channel(settings, name: str | None):
    """The named file channel, or the only one configured."""
    from moderation.settings import SettingsError

    if name:
        try:
            channel = settings.channel(name)
        except SettingsError as error:
            raise click.ClickException(str(error)) from None
        if channel.type != "file":
            raise click.ClickException(
                f"channel {name!r} is of type {channel.type!r}; import needs a file channel"
            )
        return channel
    candidates = [c for c in settings.channels if c.type == "file"]
    if not candidates:
        raise click.ClickException(HOW_TO_ADD.format(config=settings.source))
    if len(candidates) != 1:
        names = ", ".join(c.name for c in candidates) or "none configured"
        raise click.ClickException(f"name the file channel with --channel (file channels: {names})")
    return candidates[0]


def _rows_read(summary) -> None:
    click.echo(f"  rows read: {summary.fetched + summary.skipped}", err=True)
