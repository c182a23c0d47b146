"""Django's ``migrate``, with lock and statement time-outs on PostgreSQL.

Everything else is Django's own command; what is added and why:
``masthead/migration_locks.py``.
"""

from __future__ import annotations

from django.core.management import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import DatabaseError, connections

from masthead.migration_locks import explain, migration_timeouts


class Command(DjangoMigrate):
    help = (
        DjangoMigrate.help + " On PostgreSQL a migration waits at most "
        "MIGRATION_LOCK_TIMEOUT_MS (2 s) for a table lock, then stops with the sessions "
        "that held it, instead of holding every reader up behind it (docs/operations.md)."
    )

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        self.current_migration = "(before the first)"
        with migration_timeouts(connection):
            try:
                return super().handle(*args, **options)
            except DatabaseError as error:
                message = explain(error, self.current_migration, connection)
                if message is None:
                    raise
                raise CommandError(message) from error

    def migration_progress_callback(self, action, migration=None, fake=False):
        if action in ("apply_start", "unapply_start"):
            self.current_migration = str(migration)
        return super().migration_progress_callback(action, migration, fake)
