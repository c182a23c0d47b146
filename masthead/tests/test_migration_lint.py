"""The migration linter (masthead/migration_lint.py; RELIABILITY R8, L11).

Every migration in the tree is linted: a blocking operation that nobody
reviewed fails the suite. The rules are proven on migrations made here.
"""

from __future__ import annotations

import pytest
from django.db import migrations, models
from django.db.migrations.loader import MigrationLoader

from masthead import migration_lint
from masthead.migration_operations import AddIndexConcurrently


def test_no_migration_has_an_unreviewed_blocking_operation():
    unreviewed = [
        str(finding)
        for finding in migration_lint.findings()
        if finding.key not in migration_lint.ALLOWED
    ]

    assert not unreviewed, (
        "These migrations can hold a big table still (masthead/migration_lint.py says what to "
        "do instead, or add each to ALLOWED with the reason it is safe):\n" + "\n".join(unreviewed)
    )


def test_every_allowed_entry_names_a_finding_and_a_reason():
    keys = {finding.key for finding in migration_lint.findings()}

    stale = [key for key in migration_lint.ALLOWED if key not in keys]
    assert not stale, f"ALLOWED lists what no migration does any more: {stale}"
    assert all(len(reason) > 15 for reason in migration_lint.ALLOWED.values())


@pytest.fixture(scope="module")
def state_today():
    return MigrationLoader(None, ignore_no_migrations=True).project_state()


def lint(state, *operations, atomic: bool = True) -> list[str]:
    migration = migrations.Migration("0999_new", "stories")
    migration.operations = list(operations)
    migration.atomic = atomic
    return [finding.rule for finding in migration_lint.lint_migration(migration, state.clone())]


def story_index(name: str = "story_new_idx") -> models.Index:
    return models.Index(fields=["headline"], name=name)


@pytest.mark.parametrize(
    ("operation", "rule"),
    [
        pytest.param(migrations.AddIndex("story", story_index()), "index", id="add-index"),
        pytest.param(
            migrations.AddConstraint(
                "story", models.UniqueConstraint(fields=["headline"], name="story_headline_uniq")
            ),
            "constraint",
            id="add-constraint",
        ),
        pytest.param(
            migrations.AddField("story", "rank", models.IntegerField(default=0)),
            "not-null-column",
            id="not-null-column",
        ),
        pytest.param(
            migrations.AlterField("story", "headline", models.TextField()),
            "alter-column",
            id="type-change",
        ),
        pytest.param(
            migrations.RenameField("story", "dek", "standfirst"), "rename", id="rename-field"
        ),
        pytest.param(migrations.RenameModel("Tag", "Topic"), "rename", id="rename-model"),
        pytest.param(
            migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop),
            "data",
            id="run-python",
        ),
        pytest.param(migrations.RunSQL("UPDATE stories_story SET dek = ''"), "sql", id="run-sql"),
        pytest.param(
            AddIndexConcurrently("story", story_index()),
            "concurrent-atomic",
            id="concurrent-atomic",
        ),
    ],
)
def test_a_new_blocking_operation_is_a_finding(state_today, operation, rule):
    assert lint(state_today, operation) == [rule]


@pytest.mark.parametrize(
    "operations",
    [
        pytest.param(
            [migrations.AddField("story", "rank", models.IntegerField(null=True))], id="nullable"
        ),
        pytest.param(
            [migrations.AddField("story", "rank", models.IntegerField(db_default=0))],
            id="db-default",
        ),
        pytest.param(
            [
                migrations.CreateModel(
                    "Pin",
                    [
                        ("id", models.BigAutoField(primary_key=True)),
                        ("rank", models.IntegerField()),
                    ],
                ),
                migrations.AddIndex("pin", models.Index(fields=["rank"], name="pin_rank_idx")),
                migrations.AddField("pin", "label", models.CharField(max_length=10)),
            ],
            id="new-table",
        ),
    ],
)
def test_an_operation_that_blocks_nothing_is_not_a_finding(state_today, operations):
    assert lint(state_today, *operations) == []


def test_a_concurrent_index_outside_a_transaction_is_not_a_finding(state_today):
    assert lint(state_today, AddIndexConcurrently("story", story_index()), atomic=False) == []


def test_a_change_the_database_never_sees_is_not_a_finding(state_today):
    headline = state_today.models["stories", "story"].fields["headline"].clone()
    headline.help_text = "A new help text."
    headline.verbose_name = "title"

    assert lint(state_today, migrations.AlterField("story", "headline", headline)) == []
