"""Editions (newsroom/editions.py): what an edition may be, and the one default."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from masthead.factories import make_desk, make_edition, make_story
from masthead.newsroom.editions import (
    Edition,
    all_editions,
    default_edition,
    default_edition_id,
    url_root_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def default_row():
    """The default edition's row, as migration 0005 makes it (test_migrations.py).

    A transactional test that ran earlier in the same worker empties every
    table, the rows migrations made included; the default is then made again
    from the settings, as ``Desk.edition``'s default does.
    """
    return Edition.objects.get(pk=default_edition_id())


def persian(**fields) -> Edition:
    values = {
        "name": "فارسی",
        "slug": "fa",
        "language": "fa",
        "calendar": "jalali",
        "time_zone": "Asia/Tehran",
        "url_root": "fa",
        "publication_name": "ایران فرانت پیج",
        **fields,
    }
    return Edition(**values)


def errors_of(edition: Edition) -> dict:
    with pytest.raises(ValidationError) as raised:
        edition.full_clean()
    return raised.value.message_dict


def test_the_default_edition_is_made_from_the_settings(settings):
    settings.TIME_ZONE = "UTC"
    edition = Edition.objects.get(is_default=True)

    assert (edition.language, edition.calendar, edition.url_root) == ("en", "gregorian", "")
    assert edition.direction == "ltr"
    # Its zone is the outlet's, the TIME_ZONE setting, as the back office's.
    assert edition.time_zone == "" and edition.zone_name == "UTC"
    assert default_edition() == edition


def test_a_new_desk_is_in_the_default_edition_and_its_stories_too():
    desk = make_desk("Politics")
    story = make_story("Talks resume", desk=desk)

    assert desk.edition == default_edition()
    assert story.edition_id == desk.edition_id
    assert desk.get_absolute_url() == "/politics/"
    assert story.get_absolute_url() == "/politics/talks-resume/"


def test_a_persian_edition_is_right_to_left_and_its_addresses_carry_its_root():
    edition = make_edition("fa")
    desk = make_desk("سیاست", slug="siasat", edition=edition)
    story = make_story("مذاکرات از سر گرفته شد", desk=desk, slug="talks")

    assert edition.direction == "rtl"
    assert desk.get_absolute_url() == "/fa/siasat/"
    assert story.get_absolute_url() == "/fa/siasat/talks/"


@pytest.mark.parametrize(
    ("language", "direction"),
    [("en", "ltr"), ("fa", "rtl"), ("ar", "rtl"), ("he", "rtl"), ("ur", "rtl"), ("de", "ltr")],
)
def test_direction_follows_the_language(language, direction):
    assert persian(language=language).direction == direction


@pytest.mark.parametrize(("language", "stored"), [("fa", "fa"), ("fa-IR", "fa-ir"), ("AR", "ar")])
def test_language_codes_are_taken_in_any_case_and_kept_lower_case(language, stored):
    edition = persian(language=language)
    edition.full_clean()
    assert edition.language == stored and edition.direction == "rtl"


@pytest.mark.parametrize("language", ["xx", "klingon", "FA_IR", "fa ir", "", "e", "fa-", "../en"])
def test_unknown_or_malformed_language_codes_are_refused(language):
    assert "language" in errors_of(persian(language=language))


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", "UTC+3:30", "Tehran"])
def test_unknown_time_zones_are_refused(zone):
    assert "time_zone" in errors_of(persian(time_zone=zone))


@pytest.mark.parametrize(
    "root",
    ["fa/", "/fa", "f", "FA", "fa fa", "fa%2F", "../fa", "fa.", "-fa", "fa-", "ف", "a" * 41],
)
def test_malformed_url_roots_are_refused(root):
    assert "url_root" in errors_of(persian(url_root=root))


@pytest.mark.parametrize("root", ["desk", "api", "admin", "static", "media", "wire", "search"])
def test_roots_the_site_itself_uses_are_refused(root):
    assert "url_root" in errors_of(persian(url_root=root))


def test_a_root_that_is_a_desks_address_is_refused_and_the_other_way_round():
    make_desk("Farsi news", slug="fa")
    assert "url_root" in errors_of(persian())

    make_edition("ar", name="العربية", language="ar")
    desk = make_desk("Arabic", slug="arabic")
    desk.slug = "ar"
    with pytest.raises(ValidationError) as raised:
        desk.full_clean()
    assert "slug" in raised.value.message_dict


def test_an_edition_other_than_the_default_needs_a_root():
    assert "url_root" in errors_of(persian(url_root=""))


def test_a_second_default_edition_is_refused_by_the_form_and_by_the_database():
    assert "is_default" in errors_of(persian(is_default=True, url_root=""))

    with pytest.raises(IntegrityError), transaction.atomic():
        persian(is_default=True, url_root="").save()
    assert Edition.objects.filter(is_default=True).count() == 1


def test_the_database_refuses_a_default_with_a_root_or_another_edition_without_one():
    with pytest.raises(IntegrityError), transaction.atomic():
        persian(url_root="").save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Edition.objects.filter(is_default=True).update(url_root="en")
    # Demoted in the database alone, it would leave the site's root to no edition.
    with pytest.raises(IntegrityError), transaction.atomic():
        Edition.objects.filter(is_default=True).update(is_default=False)


def test_the_default_edition_stays_the_default_and_cannot_be_deleted():
    edition = Edition.objects.get(is_default=True)
    edition.is_default = False
    edition.url_root = "en"
    assert "is_default" in errors_of(edition)

    edition = Edition.objects.get(is_default=True)
    with pytest.raises(ValidationError):
        edition.delete()
    assert Edition.objects.filter(pk=edition.pk).exists()


def test_a_root_cannot_change_once_saved():
    edition = make_edition("fa")
    edition.url_root = "farsi"

    assert "url_root" in errors_of(edition)
    with pytest.raises(ValidationError):
        edition.save()
    assert Edition.objects.get(pk=edition.pk).url_root == "fa"


def test_an_edition_with_desks_cannot_be_deleted():
    edition = make_edition("fa")
    make_desk("سیاست", slug="siasat", edition=edition)

    with pytest.raises(ProtectedError):
        edition.delete()


def test_an_edition_change_reaches_the_cached_rows_at_once():
    edition = make_edition("fa")
    assert [e.language for e in all_editions()] == ["en", "fa"]

    edition.language = "ar"
    edition.save()

    assert [e.language for e in all_editions()] == ["en", "ar"]
    assert url_root_of(edition.pk) == "fa"


def test_without_any_edition_reads_write_nothing_and_a_new_desk_makes_the_default():
    Edition.objects.filter(is_default=False).delete()
    Edition.objects.all().delete()

    assert default_edition().pk is None  # from the settings, unsaved
    assert not Edition.objects.exists()

    desk = make_desk("Politics")
    assert desk.edition.is_default and desk.edition_id == default_edition_id()
    assert Edition.objects.count() == 1
