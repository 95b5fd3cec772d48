"""`moderation report` and `moderation alerts`: reports on demand, alert rules as TOML,
a pass of the alert rules and the deliveries by hand, and what is waiting to be sent."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import click

from moderation.timeutil import local_today


@click.command("report")
@click.option("--daily", "kind", flag_value="daily", help="The day's report (the default).")
@click.option("--weekly", "kind", flag_value="weekly", help="The seven days ending on --date.")
@click.option("--date", "day", help="Last day of the period, YYYY-MM-DD (default: yesterday).")
@click.option("--send", is_flag=True, help="Also queue it for [alerts] report_targets and send.")
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the DOCX and HTML into (default: only archive them).",
)
@click.pass_obj
def report_command(obj, kind: str | None, day: str | None, send: bool, output) -> None:
    """Generate the daily or weekly 舆情 report, archive it, optionally write and send it."""
    from moderation.export.report import filename_stem, keywords_for
    from moderation.export.report_archive import generate_report, report_options
    from moderation.storage import reports as store

    kind = kind or "daily"
    try:
        last = date.fromisoformat(day) if day else local_today() - timedelta(1)
    except ValueError:
        message = f"{day!r}: expected a date like 2024-01-25"
        raise click.BadParameter(message, param_hint="--date") from None
    if output is not None and not output.is_dir():
        raise click.ClickException(f"{output}: no such folder (create it first)")
    settings = obj.settings
    db = obj.db()
    targets = settings.alerts.report_targets if send else ()
    if send and not targets:
        raise click.ClickException("set [alerts] report_targets in the config to send reports")
    report_id = generate_report(
        db,
        kind,
        last,
        "cli",
        targets=targets,
        keywords=keywords_for(settings.data_path),
        **report_options(settings),
    )
    archived = store.get_report(db, report_id)
    click.echo(
        f"{kind} report {archived['first_day']}..{archived['last_day']} archived (id {report_id})",
        err=True,
    )
    if output is not None:
        stem = filename_stem(kind, archived["last_day"])
        for fmt in ("docx", "html"):
            path = output / f"{stem}.{fmt}"
            path.write_bytes(archived[fmt])
            click.echo(f"wrote {path} ({len(archived[fmt])} bytes)", err=True)
    if send:
        _send_due(obj)


@click.group("alerts")
def alerts_group() -> None:
    """Alert rules and deliveries: run a pass, see what waits, rules as TOML."""


@alerts_group.command("run")
@click.pass_obj
def run_alerts(obj) -> None:
    """Judge every alert rule now and send what is due."""
    from moderation.sending.alert_evaluation import evaluate_configured

    result = evaluate_configured(obj.db(), obj.settings, datetime.now(UTC))
    click.echo(
        f"{len(result.fired)} fired, {result.updated} updated, {result.kept} still open, "
        f"{result.cleared} cleared"
    )
    _send_due(obj)


def _send_due(obj) -> None:
    from moderation.sending.alert_delivery import send_due

    tally = send_due(obj.db(), obj.settings, datetime.now(UTC))
    click.echo(
        f"deliveries: {tally.delivered} delivered, {tally.retrying} to retry, "
        f"{tally.failed} failed, {tally.postponed} postponed (hourly cap)"
    )


@alerts_group.command("status")
@click.pass_obj
def alerts_status(obj) -> None:
    """Open alerts and the deliveries that wait or failed, with why."""
    from moderation.alerts.text import error_summary
    from moderation.storage import alerts as store
    from moderation.timeutil import local_time

    db = obj.db()
    alerts = store.recent_alerts(db, limit=50)
    open_alerts = [alert for alert in alerts if alert["cleared_at"] is None]
    click.echo(f"{len(open_alerts)} open alert(s)")
    for alert in open_alerts:
        click.echo(f"  {local_time(alert['fired_at'])}  {alert['rule_name']}: {alert['title']}")
    for alert in alerts:
        for delivery in alert["deliveries"]:
            if delivery["state"] != "delivered":
                click.echo(
                    f"  #{alert['id']} → {delivery['target']}: {delivery['state']} "
                    f"({delivery['attempts']} tries) {error_summary(delivery['last_error'])}"
                )


@alerts_group.command("export")
@click.pass_obj
def export_rules(obj) -> None:
    """Print every alert rule as TOML."""
    from moderation.alerts.rules_toml import dump_rules
    from moderation.storage import alerts as store

    click.echo(dump_rules(store.list_rules(obj.db())), nl=False)


@alerts_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def import_rules(obj, file: Path) -> None:
    """Create or update alert rules from a TOML file (all of them, or none)."""
    from moderation.alerts.config import build_targets
    from moderation.alerts.rules_toml import load_rules
    from moderation.storage import alerts as store

    try:
        rules = load_rules(
            file.read_text(encoding="utf-8"), build_targets(obj.settings.alerts.targets)
        )
    except (ValueError, UnicodeDecodeError) as error:
        raise click.ClickException(f"{file}: {error}") from None
    db = obj.db()
    with db.atomic():
        for rule in rules:
            store.save_rule(db, rule, "cli")
    click.echo(f"imported {len(rules)} rule(s)")


COMMANDS = (report_command, alerts_group)
