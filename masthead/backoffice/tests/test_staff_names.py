"""Administrators give a staff member their name, job title and bio in another edition's
language on the staff form (``AuthorName``; docs/editions.md, "Staff in two editions")."""

from __future__ import annotations

import pytest

from masthead.backoffice.tests import test_staff_views
from masthead.backoffice.tests.test_staff_views import profile_form, signed_in
from masthead.factories import make_edition
from masthead.newsroom.models import Author, AuthorName

pytestmark = pytest.mark.django_db
accounts = test_staff_views.accounts  # the staff accounts of every kind (a fixture)

PERSIAN = {"name_fa": "کاوه نوری", "job_title_fa": "تحلیلگر", "bio_fa": "تحلیلگر آب."}


@pytest.fixture
def persian(db):
    return make_edition("fa", name="فارسی")


def test_the_form_offers_a_name_per_other_editions_language(accounts, persian):
    writer = accounts["writer"]
    form = signed_in(accounts["admin"]).get(f"/desk/staff/{writer.pk}/").content.decode()

    assert "As the فارسی edition shows them" in form
    assert 'name="name_fa"' in form and 'name="job_title_fa"' in form and 'name="bio_fa"' in form
    assert 'lang="fa"' in form
    assert 'name="name_en"' not in form  # the profile itself is in English


def test_no_other_edition_no_fields(accounts):
    writer = accounts["writer"]
    form = signed_in(accounts["admin"]).get(f"/desk/staff/{writer.pk}/").content.decode()
    assert 'name="name_fa"' not in form


def test_an_administrator_names_a_writer_in_persian_and_the_edition_shows_it(
    accounts, persian, client
):
    writer = accounts["writer"]
    admin = signed_in(accounts["admin"])

    response = admin.post(f"/desk/staff/{writer.pk}/", profile_form(writer, **PERSIAN))

    assert response.status_code == 302
    name = AuthorName.objects.get(author__user=writer, language="fa")
    assert (name.name, name.job_title, name.bio) == ("کاوه نوری", "تحلیلگر", "تحلیلگر آب.")
    author = Author.objects.get(user=writer)
    page = client.get(f"/fa/author/{author.slug}/").content.decode()
    assert "کاوه نوری" in page and "تحلیلگر" in page
    form = admin.get(f"/desk/staff/{writer.pk}/").content.decode()
    assert 'value="کاوه نوری"' in form  # shown again for the next edit

    # Left empty, the name goes and the profile's shows again.
    admin.post(f"/desk/staff/{writer.pk}/", profile_form(writer, name_fa="", job_title_fa=""))
    assert not AuthorName.objects.filter(author__user=writer).exists()
    assert "کاوه نوری" not in client.get(f"/fa/author/{author.slug}/").content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name_fa": "", "job_title_fa": "تحلیلگر"}, "Give the name too"),
        ({"name_fa": "x" * 121}, "at most 120"),
        ({"name_fa": "\u202e  "}, "name in this language"),
    ],
)
def test_a_hostile_or_half_name_is_refused_and_nothing_is_kept(accounts, persian, changes, message):
    writer = accounts["writer"]

    response = signed_in(accounts["admin"]).post(
        f"/desk/staff/{writer.pk}/", profile_form(writer, **{**PERSIAN, **changes})
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AuthorName.objects.filter(author__user=writer).exists()


EXPERTISE_FA = {
    "expertise_fa": "آب و خشکسالی\nحمل‌ونقل شهری",
    "languages_fa": "فارسی، انگلیسی",
    "location_fa": "اصفهان",
    "other_work_fa": "https://atlas-ab.example/kaveh",
}


def test_the_form_offers_the_expertise_per_other_editions_language(accounts, persian, settings):
    writer = accounts["writer"]
    admin = signed_in(accounts["admin"])
    form = admin.get(f"/desk/staff/{writer.pk}/").content.decode()

    for name in EXPERTISE_FA:
        assert f'name="{name}"' in form
    assert form.count('lang="fa"') == 7  # name, job title, bio and the four of expertise
    assert "Empty: the edition shows the profile" in form

    admin.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    persian_form = admin.get(f"/desk/staff/{writer.pk}/").content.decode()
    assert "Empty: the edition shows the profile" not in persian_form
    assert "Other work" not in persian_form and "Location" not in persian_form


def test_an_administrator_sets_the_persian_expertise_and_the_author_page_shows_it(
    accounts, persian, client
):
    writer = accounts["writer"]
    admin = signed_in(accounts["admin"])

    response = admin.post(
        f"/desk/staff/{writer.pk}/",
        profile_form(writer, location="Isfahan", **PERSIAN, **EXPERTISE_FA),
    )

    assert response.status_code == 302
    name = AuthorName.objects.get(author__user=writer, language="fa")
    assert (name.location, name.languages) == ("اصفهان", "فارسی، انگلیسی")
    author = Author.objects.get(user=writer)
    persian_page = client.get(f"/fa/author/{author.slug}/").content.decode()
    assert '<dd dir="auto">اصفهان</dd>' in persian_page
    assert '<dd dir="auto">آب و خشکسالی، حمل‌ونقل شهری</dd>' in persian_page
    assert "Isfahan" in client.get(f"/author/{author.slug}/").content.decode()
    form = admin.get(f"/desk/staff/{writer.pk}/").content.decode()
    assert 'value="اصفهان"' in form  # shown again for the next edit


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"location_fa": "ق" * 121}, "at most 120"),
        ({"expertise_fa": "آ" * 121}, "at most 120 characters"),
        ({"other_work_fa": "javascript:alert(1)"}, "web address"),
        ({"name_fa": "", "job_title_fa": "", "bio_fa": "", "location_fa": "اصفهان"}, "name too"),
    ],
)
def test_hostile_expertise_in_persian_is_refused_and_nothing_is_kept(
    accounts, persian, changes, message
):
    writer = accounts["writer"]

    response = signed_in(accounts["admin"]).post(
        f"/desk/staff/{writer.pk}/", profile_form(writer, **{**PERSIAN, **EXPERTISE_FA, **changes})
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AuthorName.objects.filter(author__user=writer).exists()
