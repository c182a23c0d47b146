"""The migration linter: operations that would hold a big archive's tables still.

Every migration of Masthead's apps is read, operation by operation, with the
project state as it was just before (``MigrationLoader``, no database), and
each operation that can block readers or writers of a table that already has
rows is a *finding*. The suite fails on a finding that is not in
``ALLOWED`` (``masthead/tests/test_migration_lint.py``), so a new unsafe
migration is either made safe or allowed here, in review, with its reason.

What counts, why it blocks, and what to do instead (RELIABILITY R8, L11;
docs/operations.md):

- ``index``: ``CREATE INDEX`` blocks every write while it builds. Instead:
  ``migration_operations.AddIndexConcurrently`` in a non-atomic migration.
- ``constraint``: a unique or check constraint builds an index or scans the
  table under an exclusive lock. Instead: on a new table, or after building
  its index concurrently.
- ``not-null-column``: a NOT NULL column without ``db_default`` rebuilds the
  table on SQLite (a copy of every row). Instead: ``null=True`` (or a
  ``db_default``), fill in batches, tighten later.
- ``alter-column``: a type, NULL or uniqueness change rewrites or scans the
  table under an exclusive lock (and rebuilds it on SQLite). Instead: a new
  column, filled in batches.
- ``rename``: app servers still running the old code break mid-deploy.
  Instead: add the new name, copy, drop the old one in a later release.
- ``data``: ``RunPython`` touches rows: it must work in batches
  (``iterator(chunk_size=…)``, small ``update`` batches) and say so in ALLOWED.
- ``sql``: nothing can be known of ``RunSQL``: a reviewed reason in ALLOWED.
- ``concurrent-atomic``: ``CREATE INDEX CONCURRENTLY`` cannot run inside a
  transaction: the migration needs ``atomic = False``.

An operation on a model created earlier in the same migration is not a
finding: its table is new and empty.

Why our own: django-migration-linter (in the registry) looks for changes that
break *older code* (it lints the SQL of ``sqlmigrate``, needing a database),
not for the lock a statement takes on a big table, and it does not know
Masthead's ``AddIndexConcurrently``; the rules above are a screenful.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import models
from django.db.migrations import operations as ops
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.migration import Migration
from django.db.migrations.state import ProjectState

from masthead.migration_operations import AddIndexConcurrently

PACKAGE = "masthead."


@dataclass(frozen=True)
class Finding:
    app_label: str
    migration: str
    rule: str
    operation: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.app_label, self.migration, self.rule)

    def __str__(self) -> str:
        return f"{self.app_label}.{self.migration}: {self.rule}: {self.operation}"


# Today's findings, reviewed: (app, migration, rule) → why it is safe (or was, when it ran).
BEFORE_RELEASE = (
    "shipped before Masthead's first release, when no outlet had an archive for it to "
    "hold still; an upgrade of a big archive from before it needs the maintenance window "
    "of docs/operations.md"
)
NOT_NULL_BEFORE_RELEASE = (
    "PostgreSQL (11+) adds a column with a constant default without rewriting the table; "
    "SQLite rebuilds it: " + BEFORE_RELEASE
)
ONE_ROW = "the outlet's settings: one row"
ALLOWED: dict[tuple[str, str, str], str] = {
    ("newsroom", "0002_policypage", "not-null-column"): ONE_ROW,
    ("newsroom", "0004_author_expertise", "not-null-column"): (
        "authors: the outlet's staff and contributors, hundreds of rows at most"
    ),
    ("newsroom", "0008_edition_host", "constraint"): (
        "editions: one row per language the outlet publishes in, a handful at most"
    ),
    ("newsroom", "0005_edition", "data"): (
        "one UPDATE of the desks (a few dozen rows); reversible (forget_editions)"
    ),
    ("newsroom", "0005_edition", "alter-column"): "desks: a few dozen rows",
    ("newsroom", "0006_edition_policy_pages", "not-null-column"): (
        "editions: one row per language the outlet publishes in"
    ),
    ("newsroom", "0006_edition_policy_pages", "data"): (
        "one UPDATE of the policy pages (a dozen rows); reversible while only the default "
        "edition has pages"
    ),
    ("newsroom", "0006_edition_policy_pages", "alter-column"): "policy pages: a dozen rows",
    ("newsroom", "0006_edition_policy_pages", "constraint"): "policy pages: a dozen rows",
    ("stories", "0003_story_state_changed_idx", "index"): BEFORE_RELEASE,
    ("stories", "0004_story_public_indexes", "index"): BEFORE_RELEASE,
    ("stories", "0005_story_embargo_idx", "index"): BEFORE_RELEASE,
    ("stories", "0006_story_creator_and_label_indexes", "index"): BEFORE_RELEASE,
    ("stories", "0007_story_withdrawn_at", "index"): BEFORE_RELEASE,
    ("stories", "0007_story_withdrawn_at", "data"): (
        "one UPDATE of the withdrawn stories only (a handful), from the audit trail"
    ),
    ("stories", "0011_bodies_load_own_media_only", "data"): (
        "batched: iterator(chunk_size=500) over bodies with an image, writing only changed rows"
    ),
    ("stories", "0013_sourcing_and_developing", "not-null-column"): NOT_NULL_BEFORE_RELEASE,
    ("stories", "0015_label_names", "not-null-column"): "labels: a dozen rows",
    ("media", "0002_image_file_safe_and_indexed", "alter-column"): BEFORE_RELEASE,
    ("media", "0002_image_file_safe_and_indexed", "index"): BEFORE_RELEASE,
    ("media", "0003_library_renditions_uses", "not-null-column"): NOT_NULL_BEFORE_RELEASE,
    ("media", "0003_library_renditions_uses", "index"): BEFORE_RELEASE,
    ("media", "0003_library_renditions_uses", "data"): (
        "batched: one pass over stories with iterator(), "
        "ImageUse rows by bulk_create(batch_size=1000)"
    ),
    ("search", "0001_story_index", "data"): (
        "creates the search engine's own table or index (FTS5 / tsvector): touches no rows"
    ),
    ("search", "0002_index_existing_stories", "data"): (
        "batched by id (search/indexing.py); minutes at a million stories, which an operator "
        "may defer to `search_rebuild` (docs/search.md)"
    ),
    ("search", "0003_phrase_pairs", "data"): (
        "creates a function and builds the phrase pairs' index CONCURRENTLY (atomic = False): "
        "touches no rows, writes go on"
    ),
    ("wire", "0002_pipeline_digest_and_auto", "not-null-column"): NOT_NULL_BEFORE_RELEASE,
}


def _schema_kwargs(field: models.Field) -> dict:
    _, _, _, kwargs = field.deconstruct()
    ignored = set(models.Field.non_db_attrs) - {"db_column"}
    return {name: value for name, value in kwargs.items() if name not in ignored}


def _field_before(state: ProjectState, app_label: str, model: str, name: str):
    model_state = state.models.get((app_label, model.lower()))
    return None if model_state is None else model_state.fields.get(name)


def lint_migration(migration: Migration, state: ProjectState) -> list[Finding]:
    """The findings of one migration, given the state before it (which it moves on)."""
    app = migration.app_label
    created: set[str] = set()
    findings: list[Finding] = []

    def found(rule: str, operation) -> None:
        findings.append(Finding(app, migration.name, rule, operation.describe()))

    for operation in migration.operations:
        model = getattr(operation, "model_name", None) or getattr(operation, "name", "")
        is_new_table = model.lower() in created
        if isinstance(operation, ops.CreateModel):
            created.add(operation.name.lower())
        elif isinstance(operation, AddIndexConcurrently):
            if migration.atomic:
                found("concurrent-atomic", operation)
        elif isinstance(operation, ops.AddIndex | ops.AlterIndexTogether | ops.AlterUniqueTogether):
            if not is_new_table:
                found("index", operation)
        elif isinstance(operation, ops.AddConstraint):
            if not is_new_table:
                found("constraint", operation)
        elif isinstance(operation, ops.AddField):
            field = operation.field
            needs_rebuild = (
                not (field.null or field.many_to_many) and field.db_default is models.NOT_PROVIDED
            )
            if needs_rebuild and not is_new_table:
                found("not-null-column", operation)
        elif isinstance(operation, ops.AlterField):
            before = _field_before(state, app, operation.model_name, operation.name)
            changed = (
                before is None
                or type(before) is not type(operation.field)
                or _schema_kwargs(before) != _schema_kwargs(operation.field)
            )
            if changed and not is_new_table:
                found("alter-column", operation)
        elif isinstance(operation, ops.RenameField | ops.RenameModel | ops.RenameIndex):
            found("rename", operation)
        elif isinstance(operation, ops.RunPython):
            found("data", operation)
        elif isinstance(operation, ops.RunSQL):
            found("sql", operation)
        operation.state_forwards(app, state)
    return findings


def masthead_migrations() -> Iterator[Migration]:
    """Masthead's migrations, in an order that applies each after its dependencies."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    seen: set[tuple[str, str]] = set()
    for leaf in sorted(loader.graph.leaf_nodes()):
        for node in loader.graph.forwards_plan(leaf):
            if node in seen:
                continue
            seen.add(node)
            yield loader.graph.nodes[node]


def findings() -> list[Finding]:
    """Every finding in Masthead's migrations (other apps' migrations move the state only)."""
    state = ProjectState()
    result: list[Finding] = []
    for migration in masthead_migrations():
        if migration.__module__.startswith(PACKAGE):
            result.extend(lint_migration(migration, state))
        else:
            for operation in migration.operations:
                operation.state_forwards(migration.app_label, state)
    return result
