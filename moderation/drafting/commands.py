"""`moderation draft`: print the desk's draft of a week's column, or fit its weights.

User errors are raised as `click.ClickException` (the command group prints one line, exit 2).

Drafting selects nothing: the editor accepts a draft in the dashboard (/editions/new?draft=1).
"""

from __future__ import annotations

import json
from datetime import date as Date

import click


def _day(value: str | None, option: str) -> Date:
    if not value:
        raise click.ClickException(f"{option} is required (a date like 2024-01-19)")
    try:
        return Date.fromisoformat(value)
    except ValueError:
        raise click.ClickException(f"{option} {value!r}: expected a date like 2024-01-19") from None


def _progress(label: str, done: int, total: int) -> None:
    click.echo(f"[{done}/{total}] {label}", err=True)


def draft_text(body: dict) -> str:
    """The draft as an editor reads it: stories, quotes in print order with their reasons,
    then the alternates."""
    lines = [f"融媒·观察 草稿 {body['start']} 至 {body['end']}"]
    for number, section in enumerate(body["sections"], start=1):
        lines += ["", f"{number}. {section['title']}（{section['reason']}）"]
        for quote in section["picks"]:
            name = quote["author_name"] or "（需填署名）"
            lines.append(f"网友@{name}：{quote['trim'] or quote['text']}")
            lines.append(f"    ↳ {quote['reason']}")
        for quote in section["alternates"]:
            lines.append(f"  备选 @{quote['author_name'] or '（无昵称）'}：{quote['text']}")
            lines.append(f"    ↳ {quote['reason']}")
    return "\n".join(lines) + "\n"


def _fit(obj) -> None:
    from moderation.drafting import fit, select, weights

    settings = obj.settings.draft
    start = weights.weights_from(settings)
    try:
        report = fit.fit(obj.db(), start, select.counts_from(settings), progress=_progress)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"agreement (printed quotes the draft proposed, as picks or alternates):\n"
        f"  fitted weeks ({report.fitted_weeks}): "
        f"{report.fitted_before:.1%} -> {report.fitted_after:.1%}\n"
        f"  held-out weeks ({report.held_out_weeks}, {report.held_out_quotes} quotes): "
        f"{report.held_out_before:.1%} -> {report.held_out_after:.1%}\n"
        f"fitted weights for [draft] in config.toml:\n{weights.as_toml(report.after)}"
    )


@click.command("draft")
@click.option("--from", "first", help="First day of the range (YYYY-MM-DD, Beijing time).")
@click.option("--to", "last", help="Last day of the range (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Print the draft as JSON.")
@click.option("--fit", "fit_weights", is_flag=True, help="Fit the weights to printed editions.")
@click.pass_obj
def draft(obj, first: str | None, last: str | None, as_json: bool, fit_weights: bool) -> None:
    """Print the proposed column for a date range (the editor decides in the dashboard)."""
    if fit_weights:
        _fit(obj)
        return
    from moderation.drafting.draft import build_draft

    first_day, last_day = _day(first, "--from"), _day(last, "--to")
    if last_day < first_day:
        raise click.ClickException(f"--to {last} is before --from {first}")
    body = build_draft(obj.db(), first_day, last_day, obj.settings.draft, progress=_progress)
    if not body["sections"]:
        raise click.ClickException(f"no approved comments between {first} and {last}")
    if as_json:
        click.echo(json.dumps(body, ensure_ascii=False, indent=1))
    else:
        click.echo(draft_text(body), nl=False)
