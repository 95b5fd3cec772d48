"""Scheduled collection: backoff, the per-process job runner and the `scheduler` command.

The APScheduler wiring itself lives in :mod:`moderation.scheduler`.
"""
