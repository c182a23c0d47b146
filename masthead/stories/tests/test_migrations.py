"""Data migrations, run on rows as an older Masthead stored them."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps

from masthead.factories import make_outlet, make_story
from masthead.newsroom.models import PolicyPage
from masthead.stories import services
from masthead.stories.models import Revision, Story
from masthead.stories.versions import SITE, counters

pytestmark = pytest.mark.django_db

OTHER_HOST = '<img src="https://tracker.example/pixel.gif" alt="">'
OWN_MEDIA = '<img src="/media/images/crowds.jpg" alt="Crowds">'


def stored_as_before(model, pk: int, body: str) -> None:
    """The body as a Masthead whose sanitiser let other hosts' images through stored it."""
    model.objects.filter(pk=pk).update(body=body)


def test_stored_bodies_lose_images_from_other_hosts_and_keep_their_own(client):
    make_outlet(name="Iran Front Page")
    story = make_story("Talks resume", body="<p>Talks.</p>")
    services.snapshot_revision(story)
    policy = PolicyPage.objects.create(
        kind=PolicyPage.Kind.CORRECTIONS, title="Corrections", slug="corrections", body="<p>x</p>"
    )
    body = f"<p>Talks resume.</p>{OTHER_HOST}<p>{OWN_MEDIA}</p>"
    for model, pk in (
        (Story, story.pk),
        (Revision, story.latest_revision_id),
        (PolicyPage, policy.pk),
    ):
        stored_as_before(model, pk, body)
    site_version = counters([SITE])[SITE]

    migration = import_module("masthead.stories.migrations.0011_bodies_load_own_media_only")
    migration.clean_bodies_with_images(apps, None)

    clean = f"<p>Talks resume.</p><p>{OWN_MEDIA}</p>"
    assert Story.objects.get(pk=story.pk).body == clean
    assert Revision.objects.get(pk=story.latest_revision_id).body == clean
    assert PolicyPage.objects.get(pk=policy.pk).body == clean
    assert counters([SITE])[SITE] == site_version + 1
    page = client.get(story.get_absolute_url()).content.decode()
    assert "tracker.example" not in page
    assert OWN_MEDIA in page


def _migrate(targets):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _indexes() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, Story._meta.db_table)


@pytest.mark.django_db(transaction=True)
def test_the_translation_index_is_built_and_dropped_without_blocking_on_postgresql():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = (
        [("stories", "0013_sourcing_and_developing")],
        [("stories", "0014_translation_key")],
    )
    try:
        _migrate(before)
        assert "story_translation_idx" not in _indexes()
        _migrate(after)  # CONCURRENTLY on PostgreSQL: outside a transaction, or it fails
        assert _indexes()["story_translation_idx"]["columns"] == ["translation_key"]
        _migrate(before)
        assert "story_translation_idx" not in _indexes()
        columns = [
            column.name
            for column in connection.introspection.get_table_description(
                connection.cursor(), Story._meta.db_table
            )
        ]
        assert "translation_key" not in columns
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
