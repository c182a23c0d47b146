"""The editions migration (0005_edition): every existing desk lands in the default edition,
made from today's settings, and the migration goes back as cleanly as it came."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("newsroom", "0004_author_expertise")]
AFTER = [("newsroom", "0005_edition")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_desks_join_the_default_edition_and_the_step_reverses(settings):
    settings.LANGUAGE_CODE = "en"
    try:
        old = migrate(BEFORE)
        old.get_model("newsroom", "Outlet").objects.create(name="Iran Front Page")
        Desk = old.get_model("newsroom", "Desk")
        Desk.objects.create(name="Politics", slug="politics")
        Desk.objects.create(name="Economy", slug="economy")

        new = migrate(AFTER)
        Edition = new.get_model("newsroom", "Edition")
        edition = Edition.objects.get()
        assert (edition.name, edition.language, edition.url_root, edition.is_default) == (
            "English",
            "en",
            "",
            True,
        )
        assert edition.publication_name == "Iran Front Page" and edition.time_zone == ""
        desks = new.get_model("newsroom", "Desk").objects.values_list("slug", "edition_id")
        assert sorted(desks) == [("economy", edition.pk), ("politics", edition.pk)]

        old = migrate(BEFORE)
        assert sorted(old.get_model("newsroom", "Desk").objects.values_list("slug", flat=True)) == [
            "economy",
            "politics",
        ]
        assert "newsroom_edition" not in connection.introspection.table_names()
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_policy_pages_join_the_default_edition_and_the_step_reverses():
    """0006: today's policy pages are the default edition's (their addresses unchanged); one
    page of each kind becomes one of each kind per edition; going back keeps the pages."""
    try:
        old = migrate(AFTER)
        # As 0005 leaves every real database: with its default edition (the test database was
        # emptied after 0005 ran). Without one, 0006's column default (default_edition_id) would
        # make it with today's model, whose later columns (0007's about, 0008's host) are not
        # there yet.
        old.get_model("newsroom", "Edition").objects.get_or_create(
            is_default=True,
            defaults={"name": "English", "slug": "en", "language": "en", "url_root": "",
                      "publication_name": "Masthead News"},
        )  # fmt: skip
        old.get_model("newsroom", "PolicyPage").objects.create(
            kind="corrections", title="Corrections policy", slug="corrections-policy"
        )
        new = migrate([("newsroom", "0006_edition_policy_pages")])
        default = new.get_model("newsroom", "Edition").objects.get(is_default=True)
        PolicyPage = new.get_model("newsroom", "PolicyPage")
        assert list(PolicyPage.objects.values_list("slug", "edition_id")) == [
            ("corrections-policy", default.pk)
        ]
        assert new.get_model("newsroom", "Edition").objects.get().tagline == ""

        old = migrate(AFTER)
        pages = old.get_model("newsroom", "PolicyPage").objects.values_list("slug", flat=True)
        assert list(pages) == ["corrections-policy"]
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_editions_get_no_host_and_the_step_reverses():
    """0008: every edition stays under its root (an empty host); going back drops the column."""
    before = [("newsroom", "0007_edition_about")]
    try:
        old = migrate(before)
        Edition = old.get_model("newsroom", "Edition")
        Edition.objects.get_or_create(
            is_default=True,
            defaults={"name": "English", "slug": "en", "language": "en", "url_root": "",
                      "publication_name": "Masthead News"},
        )  # fmt: skip
        Edition.objects.create(name="فارسی", slug="fa", language="fa", url_root="fa",
                               publication_name="ایران فرانت پیج")  # fmt: skip
        new = migrate([("newsroom", "0008_edition_host")])
        hosts = new.get_model("newsroom", "Edition").objects.values_list("url_root", "host")
        assert sorted(hosts) == [("", ""), ("fa", "")]
        old = migrate(before)
        assert sorted(
            old.get_model("newsroom", "Edition").objects.values_list("slug", flat=True)
        ) == [
            "en",
            "fa",
        ]
        columns = connection.introspection.get_table_description(
            connection.cursor(), "newsroom_edition"
        )
        assert "host" not in {column.name for column in columns}
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_editions_get_no_address_of_their_own_and_the_step_reverses():
    """0011: every edition keeps showing the outlet's address (an empty column, filled by the
    database); going back drops the column and keeps the editions."""
    before = [("newsroom", "0010_author_name_expertise")]
    try:
        old = migrate(before)
        Edition = old.get_model("newsroom", "Edition")
        Edition.objects.get_or_create(
            is_default=True,
            defaults={"name": "English", "slug": "en", "language": "en", "url_root": "",
                      "publication_name": "Masthead News"},
        )  # fmt: skip
        Edition.objects.create(name="فارسی", slug="fa", language="fa", url_root="fa",
                               publication_name="ایران فرانت پیج")  # fmt: skip
        new = migrate([("newsroom", "0011_edition_address")])
        addresses = new.get_model("newsroom", "Edition").objects.values_list("slug", "address")
        assert sorted(addresses) == [("en", ""), ("fa", "")]
        old = migrate(before)
        slugs = old.get_model("newsroom", "Edition").objects.values_list("slug", flat=True)
        assert sorted(slugs) == ["en", "fa"]
        columns = connection.introspection.get_table_description(
            connection.cursor(), "newsroom_edition"
        )
        assert "address" not in {column.name for column in columns}
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
