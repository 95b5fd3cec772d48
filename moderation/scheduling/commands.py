"""The `moderation scheduler` command: scheduled collection without the dashboard."""

from __future__ import annotations

import click


@click.command("scheduler")
@click.pass_obj
def scheduler_command(obj) -> None:
    """Run scheduled collection only (for a dashboard served by several WSGI workers)."""
    from moderation.scheduling.service import SchedulerService, handle_signals

    settings = obj.settings
    obj.db().close()  # apply migrations once, before any job runs
    service = SchedulerService(settings)
    handle_signals(service.stop)
    service.start()
    click.echo(
        f"scheduler running as {service.runner.holder}; SIGTERM or Ctrl-C stops it", err=True
    )
    try:
        while not service.stop.wait(1):
            pass
    finally:
        service.shutdown()
    click.echo("scheduler stopped", err=True)
