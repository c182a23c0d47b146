"""Migration operations that keep a big archive writable while they run.

``AddIndexConcurrently`` builds an index on PostgreSQL with ``CREATE INDEX
CONCURRENTLY``: readers and writers go on while it builds (a plain ``CREATE
INDEX`` holds off every write to the table until it is done: seconds to
minutes at a million stories). Elsewhere (SQLite) it is a plain ``AddIndex``.
Django's own ``django.contrib.postgres.operations.AddIndexConcurrently`` is
PostgreSQL-only; Masthead's migrations run on both. A migration using it
says ``atomic = False``, as PostgreSQL requires. It waits for its lock
without ``MIGRATION_LOCK_TIMEOUT_MS`` (``migration_locks.py``): that lock
holds up no reader or writer, and giving up half-way leaves an invalid index.
"""

from __future__ import annotations

from django.db.migrations.operations import AddIndex

from masthead.migration_locks import without_lock_timeout


class AddIndexConcurrently(AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor == "postgresql":
            with without_lock_timeout(schema_editor.connection):
                schema_editor.add_index(model, self.index, concurrently=True)
        else:
            schema_editor.add_index(model, self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor == "postgresql":
            with without_lock_timeout(schema_editor.connection):
                schema_editor.remove_index(model, self.index, concurrently=True)
        else:
            schema_editor.remove_index(model, self.index)

    def describe(self):
        return f"{super().describe()} (concurrently on PostgreSQL)"
