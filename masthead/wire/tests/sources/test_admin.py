"""The superuser admin for sources: the same address checks, and a write-only secret."""

from __future__ import annotations

import pytest
from django.test import Client

from masthead.factories import make_user
from masthead.wire.models import Source
from masthead.wire.tests.sources.support import make_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(db):
    client = Client()
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    return client


def admin_data(source: Source, **fields):
    data = {
        "name": source.name,
        "slug": source.slug,
        "kind": source.kind,
        "provider": source.provider,
        "desk": str(source.desk_id),
        "url": source.url,
        "folder": source.folder,
        "interval_seconds": str(source.interval_seconds),
        "new_push_secret": "",
        "rules-TOTAL_FORMS": "0",
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
        **fields,
    }
    return data


def test_the_secret_is_never_shown_and_kept_when_left_empty(superuser_client, desk):
    push = make_source(desk, kind=Source.Kind.PUSH, url="", push_secret="k" * 64)
    url = f"/admin/wire/source/{push.pk}/change/"
    page = superuser_client.get(url).content.decode()
    assert "k" * 64 not in page
    assert superuser_client.get("/admin/wire/source/").status_code == 200
    response = superuser_client.post(url, admin_data(push, provider="Agency 2"))
    assert response.status_code == 302, response.content.decode()[:3000]
    row = Source.objects.get(pk=push.pk)
    assert (row.provider, row.push_secret) == ("Agency 2", "k" * 64)
    superuser_client.post(url, admin_data(push, new_push_secret="n" * 40))
    assert Source.objects.get(pk=push.pk).push_secret == "n" * 40


def test_a_short_secret_is_refused(superuser_client, desk):
    push = make_source(desk, kind=Source.Kind.PUSH, url="", push_secret="k" * 64)
    url = f"/admin/wire/source/{push.pk}/change/"
    assert superuser_client.post(url, admin_data(push, new_push_secret="short")).status_code == 200
    assert Source.objects.get(pk=push.pk).push_secret == "k" * 64


@pytest.mark.parametrize(
    "url", ["http://10.0.0.1/feed", "javascript:alert(1)", "file:///etc/passwd"]
)
def test_the_admin_refuses_what_the_back_office_refuses(superuser_client, source, url):
    response = superuser_client.post(
        f"/admin/wire/source/{source.pk}/change/", admin_data(source, url=url)
    )
    assert response.status_code == 200
    assert "Not allowed" in response.content.decode()
    assert Source.objects.get(pk=source.pk).url == source.url


def test_the_admin_refuses_a_folder_outside_the_drop_root(superuser_client, desk):
    folder = make_source(desk, kind=Source.Kind.FOLDER, url="", folder="")
    response = superuser_client.post(
        f"/admin/wire/source/{folder.pk}/change/",
        admin_data(folder, folder="../../etc"),
    )
    assert response.status_code == 200
    assert Source.objects.get(pk=folder.pk).folder == ""
