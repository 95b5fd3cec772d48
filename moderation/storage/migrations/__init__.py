"""Schema changes, append-only: one function per change, applied in order on start.

Each area of the service owns one `Migrations` set in its own module here, so changes to
editions never reorder the core schema. A new area adds its set to ``MIGRATION_SETS``.
A migration uses only sqlite-utils, SQL and ``statements``: never live application code,
which may change after the migration has run elsewhere. Never edit an applied migration:
add a new one.
"""

from __future__ import annotations

from moderation.storage.migrations.alerts import alerts
from moderation.storage.migrations.briefing import briefing
from moderation.storage.migrations.core import core
from moderation.storage.migrations.desk import desk
from moderation.storage.migrations.drafts import drafts
from moderation.storage.migrations.duties import duties
from moderation.storage.migrations.editions import editions
from moderation.storage.migrations.hardening import hardening
from moderation.storage.migrations.offensive import offensive_migrations
from moderation.storage.migrations.ops import ops
from moderation.storage.migrations.outbox import outbox_migrations
from moderation.storage.migrations.replies import replies_migrations
from moderation.storage.migrations.second_opinion import second_opinion_migrations
from moderation.storage.migrations.signals import signals_migrations
from moderation.storage.migrations.switches import switches_migrations
from moderation.storage.migrations.threads import threads
from moderation.storage.migrations.writeback import writeback

MIGRATION_SETS = [
    core,
    ops,
    editions,
    hardening,
    outbox_migrations,
    replies_migrations,
    switches_migrations,
    alerts,
    drafts,
    offensive_migrations,
    desk,
    duties,
    second_opinion_migrations,
    writeback,
    briefing,
    threads,
    signals_migrations,
]  # applied in this order


def apply_migrations(db) -> None:
    """Apply every pending migration of every set."""
    for migrations in MIGRATION_SETS:
        migrations.apply(db)
