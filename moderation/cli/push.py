"""The `moderation push` command: deliver the outbox by hand, or show its state."""

from __future__ import annotations

import click


@click.command("push")
@click.argument("channel", required=False)
@click.option("--status", "show_status", is_flag=True, help="Show each channel's outbox only.")
@click.option("--limit", type=click.IntRange(1), default=1000, help="Rows to send at most.")
@click.pass_obj
def push_command(obj, channel: str | None, show_status: bool, limit: int) -> None:
    """Send decisions' actions waiting in the outbox to the channels (or show --status)."""
    from moderation.sending import push_outbox
    from moderation.settings import SettingsError
    from moderation.storage import outbox

    settings = obj.settings
    if channel:
        try:
            settings.channel(channel)
        except SettingsError as error:
            raise click.UsageError(str(error)) from None
    db = obj.db()
    try:
        if not show_status:
            report = push_outbox.deliver(db, settings, channel=channel, limit=limit)
            for name, counts in sorted(report.counts.items()):
                summary = ", ".join(f"{what} {count}" for what, count in sorted(counts.items()))
                click.echo(f"{name}: {summary}")
            for name, why in sorted(report.stopped.items()):
                click.echo(f"{name}: stopped: {why}")
            if not report.counts:
                click.echo("nothing due")
        for line in status_lines(outbox.status(db), outbox.policies(db), channel):
            click.echo(line)
    finally:
        db.close()


def status_lines(rows: list[dict], policies: list[dict], only: str | None) -> list[str]:
    """One line per channel: mode, backlog, failures, dry runs, last success (Beijing)."""
    from moderation.timeutil import local_time

    by_channel = {row["channel"]: row for row in rows}
    lines = []
    for policy in policies:
        name = policy["channel"]
        if only and name != only:
            continue
        row = by_channel.get(name, {})
        line = (
            f"{name} [{policy['mode']}]: backlog {row.get('backlog') or 0}, "
            f"failed {row.get('failed') or 0}, dry-run {row.get('dry_run') or 0}, "
            f"last success {local_time(row.get('last_success')) or 'never'}"
        )
        if row.get("waiting_because"):
            line += f"; waiting: {row['waiting_because']}"
        lines.append(line)
    return lines
