"""The `moderation export` and `moderation ranking` commands.

Heavy imports (python-docx, the storage) happen inside the functions so `--help` is instant.
"""

from __future__ import annotations

import sys
from datetime import date as Date
from pathlib import Path

import click

OUTPUT = click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here instead of standard output.",
)


def refuse_binary_to_terminal(fmt: str, output: Path | None) -> None:
    """DOCX is a zip file: written to a terminal it is garbage, so ask for -o instead."""
    if fmt == "docx" and output is None and sys.stdout.isatty():
        raise click.ClickException("DOCX is a binary file: write it with -o FILE.docx")


def _write(data: bytes, output: Path | None) -> None:
    if output:
        output.write_bytes(data)
        click.echo(f"wrote {output} ({len(data)} bytes)", err=True)
    else:
        sys.stdout.buffer.write(data)


def _date(value: str, option: str) -> Date:
    try:
        return Date.fromisoformat(value)
    except ValueError:
        raise click.ClickException(f"{option} {value!r}: expected a date like 2024-01-25") from None


@click.command()
@click.option("--edition", required=True, help="Edition date, YYYY-MM-DD.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["txt", "docx", "csv", "json"]),
    default="txt",
    show_default=True,
)
@click.option(
    "--encoding",
    type=click.Choice(["utf-8", "gb18030"]),
    default="utf-8",
    show_default=True,
    help="TXT only: gb18030 for older layout systems.",
)
@click.option(
    "--from-approved",
    is_flag=True,
    help="No edition yet: create it from every approved comment, one section per story.",
)
@OUTPUT
@click.pass_obj
def export(obj, edition: str, fmt: str, encoding: str, from_approved: bool, output) -> None:
    """Export an edition's 融媒·观察 column (TXT, DOCX, CSV or JSON)."""
    from moderation.export.edition import ExportError, edition_from_approved
    from moderation.export.formats import export_edition
    from moderation.storage import editions as store

    refuse_binary_to_terminal(fmt, output)
    day = _date(edition, "--edition").isoformat()
    if encoding != "utf-8" and fmt != "txt":
        raise click.ClickException("--encoding applies to --format txt only")
    db = obj.db()
    found = store.get_edition(db, day)
    if found is None and not from_approved:
        raise click.ClickException(
            f"no edition for {day}: build one in the dashboard (专栏 page) or pass "
            "--from-approved to create it from every approved comment"
        )
    if found is None:
        found = edition_from_approved(db, day, obj.settings.export.column_title, "cli")
        click.echo(f"created the edition of {day} from approved comments", err=True)
    try:
        _write(export_edition(db, found, fmt, encoding).content, output)
    except ExportError as error:
        raise click.ClickException(str(error)) from None


@click.command()
@click.option("--from", "start", required=True, help="First day, YYYY-MM-DD.")
@click.option("--to", "end", required=True, help="Last day, YYYY-MM-DD.")
@click.option("--format", "fmt", type=click.Choice(["txt", "docx"]), default="txt")
@click.option("--top", type=click.IntRange(1, 100), default=10, show_default=True)
@OUTPUT
@click.pass_obj
def ranking(obj, start: str, end: str, fmt: str, top: int, output) -> None:
    """Export the 新闻点击排行榜 of stories published between two dates."""
    from moderation.export import ranking as board

    refuse_binary_to_terminal(fmt, output)
    first, last = _date(start, "--from"), _date(end, "--to")
    if last < first:
        raise click.ClickException("--to is before --from")
    stories = board.rank_stories(obj.db(), first, last, top)
    if not stories:
        raise click.ClickException(
            f"no story published from {first} to {last} has read counts: the ranking is empty"
        )
    if fmt == "txt":
        data = board.ranking_text(first, last, stories).encode("utf-8")
    else:
        data = board.ranking_docx(first, last, stories)
    _write(data, output)
