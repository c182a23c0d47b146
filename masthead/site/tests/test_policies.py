"""The outlet's policy pages: editable pages of the site, linked from the footer and masthead."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from masthead.demo.loader import POLICY_PAGES, load_policy_pages
from masthead.factories import make_outlet
from masthead.newsroom.models import PolicyPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def corrections_policy():
    make_outlet(name="Iran Front Page")
    return PolicyPage.objects.create(
        kind=PolicyPage.Kind.CORRECTIONS,
        title="Corrections policy",
        slug="corrections-policy",
        summary="We correct errors openly.",
        body='<p>We fix <a href="javascript:alert(1)">errors</a>.</p><script>alert(1)</script>',
    )


def test_a_policy_page_is_a_page_of_the_site(client, corrections_policy):
    response = client.get("/policies/corrections-policy/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 dir="auto">Corrections policy</h1>' in html
    assert "We correct errors openly." in html
    assert "<title>Corrections policy — Iran Front Page</title>" in html
    assert "etag" in {name.lower() for name in response.headers}


def test_the_body_is_sanitised_on_save(corrections_policy):
    corrections_policy.refresh_from_db()

    assert "<script>" not in corrections_policy.body
    assert "javascript:" not in corrections_policy.body
    assert "<p>We fix <a" in corrections_policy.body


def test_policy_pages_are_linked_from_footer_and_masthead(client, corrections_policy):
    PolicyPage.objects.create(
        kind="ethics", title="Ethics draft", slug="ethics", is_published=False
    )

    for url in ("/", "/masthead/"):
        html = client.get(url).content.decode()
        assert 'href="/policies/corrections-policy/"' in html, url
        assert "Ethics draft" not in html and "/policies/ethics/" not in html, url


def test_an_unpublished_or_unknown_policy_answers_404(client, corrections_policy):
    PolicyPage.objects.create(
        kind="ethics", title="Ethics draft", slug="ethics", is_published=False
    )

    assert client.get("/policies/ethics/").status_code == 404
    assert client.get("/policies/nothing/").status_code == 404


def test_one_page_per_kind_but_any_number_of_other_pages(corrections_policy):
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyPage.objects.create(kind=PolicyPage.Kind.CORRECTIONS, title="Again", slug="again")

    PolicyPage.objects.create(kind=PolicyPage.Kind.OTHER, title="Privacy", slug="privacy")
    PolicyPage.objects.create(kind=PolicyPage.Kind.OTHER, title="Terms", slug="terms")
    assert PolicyPage.objects.filter(kind="other").count() == 2


def test_every_kind_but_other_names_a_schema_org_property():
    for kind in PolicyPage.Kind:
        page = PolicyPage(kind=kind)
        assert (page.schema_property is None) == (kind == PolicyPage.Kind.OTHER), kind


def test_the_admin_edits_policy_pages():
    from django.contrib import admin

    model_admin = admin.site._registry[PolicyPage]
    assert model_admin.prepopulated_fields == {"slug": ["title"]}
    assert "is_published" in model_admin.list_display


def test_demo_policy_pages_load_once(client):
    make_outlet(name="Iran Front Page")
    load_policy_pages()
    load_policy_pages()

    assert PolicyPage.objects.count() == len(POLICY_PAGES)
    for page in PolicyPage.objects.all():
        assert "sample text" in page.body
        assert client.get(page.get_absolute_url()).status_code == 200
