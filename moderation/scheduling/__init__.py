"""Scheduled collection: the schedule syntax, backoff, the job runner, the APScheduler wiring
and the `scheduler` command.

`spec` parses a channel's `schedule`; `backoff` spaces out a failing channel's runs;
`runner` holds the job bodies; `service` wires them into APScheduler and is started by
`moderation serve` or `moderation scheduler`, never by the app factory.
"""
