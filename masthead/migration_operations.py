"""Migration operations that keep a big archive writable while they run.

``AddIndexConcurrently`` builds an index on PostgreSQL with ``CREATE INDEX
CONCURRENTLY``: readers and writers go on while it builds (a plain ``CREATE
INDEX`` holds off every write to the table until it is done: seconds to
minutes at a million stories). Elsewhere (SQLite) it is a plain ``AddIndex``.
Django's own ``django.contrib.postgres.operations.AddIndexConcurrently`` is
PostgreSQL-only; Masthead's migrations run on both. A migration using it
says ``atomic = False``, as PostgreSQL requires.
"""

from __future__ import annotations

from django.db.migrations.operations import AddIndex


class AddIndexConcurrently(AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.add_index(model, self.index, concurrently=True)
        else:
            schema_editor.add_index(model, self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.remove_index(model, self.index, concurrently=True)
        else:
            schema_editor.remove_index(model, self.index)

    def describe(self):
        return f"{super().describe()} (concurrently on PostgreSQL)"
