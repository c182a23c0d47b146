"""Administrators edit an author's expertise on the staff form (shown on the author page)."""

from __future__ import annotations

import pytest

from masthead.backoffice.tests import test_staff_views
from masthead.backoffice.tests.test_staff_views import profile_form, signed_in
from masthead.newsroom.models import Author

pytestmark = pytest.mark.django_db
accounts = test_staff_views.accounts  # the staff accounts of every kind (a fixture)

EXPERTISE = {
    "expertise": "Iranian politics\nNuclear talks",
    "languages": "English, Persian",
    "location": "Tehran",
    "other_work": "https://scholar.example/w",
}


def test_an_administrator_sets_the_expertise_shown_on_the_author_page(accounts, client):
    writer = accounts["writer"]

    response = signed_in(accounts["admin"]).post(
        f"/desk/staff/{writer.pk}/", profile_form(writer, **EXPERTISE)
    )

    assert response.status_code == 302
    author = Author.objects.get(user=writer)
    assert author.expertise_list == ["Iranian politics", "Nuclear talks"]
    assert (author.languages, author.location) == ("English, Persian", "Tehran")
    page = client.get(author.get_absolute_url()).content.decode()
    assert "Iranian politics, Nuclear talks" in page and "https://scholar.example/w" in page
    form = signed_in(accounts["admin"]).get(f"/desk/staff/{writer.pk}/").content.decode()
    assert "Nuclear talks" in form  # shown again for the next edit


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("other_work", "javascript:alert(1)", "web address"),
        ("other_work", "x" * 4001, "at most 4000"),
        ("expertise", "\n".join(f"topic {n}" for n in range(21)), "At most 20"),
        ("languages", "x" * 201, "at most 200"),
        ("location", "<b>" + "x" * 120, "at most 120"),
    ],
)
def test_hostile_expertise_is_refused_and_nothing_is_kept(accounts, field, value, message):
    writer = accounts["writer"]
    before = Author.objects.get(user=writer)

    response = signed_in(accounts["admin"]).post(
        f"/desk/staff/{writer.pk}/", profile_form(writer, **{**EXPERTISE, field: value})
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    after = Author.objects.get(user=writer)
    assert (after.expertise, after.other_work) == (before.expertise, before.other_work)


def test_markup_and_bidi_controls_stay_plain_text(accounts, client):
    writer = accounts["writer"]

    signed_in(accounts["admin"]).post(
        f"/desk/staff/{writer.pk}/",
        profile_form(writer, expertise="<script>x</script>\u202e Oil", location="\u202eQom\u202c"),
    )

    author = Author.objects.get(user=writer)
    assert author.expertise == "<script>x</script> Oil"
    assert author.location == "Qom"
    page = client.get(author.get_absolute_url()).content.decode()
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page


def test_forged_expertise_on_a_new_account_is_ignored(accounts, desk):
    response = signed_in(accounts["admin"]).post(
        "/desk/staff/new/",
        {"username": "newbie", "full_name": "New Bie", "email": "n@newsroom.example",
         "password": "a long and new password 1", f"desk_{desk.pk}": "writer", **EXPERTISE},
    )  # fmt: skip

    assert response.status_code == 302
    assert Author.objects.get(user__username="newbie").expertise == ""
