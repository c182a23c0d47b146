"""The public preview page (``site.views.preview``): what a link opens, with
the headers RELIABILITY.md §2.1 A3 asks for, and one 404 for every link that
opens nothing, identical to a token that never existed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from masthead.factories import make_story
from masthead.site.tests.newsroom_data import make_newsroom, save_draft_edit
from masthead.stories import services
from masthead.stories.models import PreviewLink, Story
from masthead.tests.answers import headers_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsroom():
    return make_newsroom()


def shared(newsroom, **changes) -> str:
    """A preview link to a draft edit of the newsroom's story."""
    save_draft_edit(newsroom, newsroom.story, **changes)
    _, token = services.share_preview(newsroom.editor, Story.objects.get(pk=newsroom.story.pk))
    return f"/preview/{token}/"


def assert_preview_headers(response) -> None:
    assert response["Cache-Control"] == "private, no-store"
    assert "noindex" in response["X-Robots-Tag"]
    assert response["Referrer-Policy"] == "no-referrer"
    for validator in ("ETag", "Last-Modified", "Expires", "Surrogate-Key"):
        assert not response.has_header(validator), validator


def test_a_link_shows_the_revision_as_readers_will_see_it(client, newsroom):
    url = shared(newsroom, headline="Draft headline for a source")

    response = client.get(url)

    assert response.status_code == 200
    assert ">Draft headline for a source</h1>" in response.content.decode()
    assert_preview_headers(response)


def closed(newsroom, how: str) -> str:
    url = shared(newsroom, headline="Draft headline for a source")
    selector = url.split("/")[2].split(".")[0]
    link = PreviewLink.objects.get(selector=selector)
    story = Story.objects.get(pk=newsroom.story.pk)
    if how == "revoked":
        services.revoke_preview(newsroom.editor, link)
    elif how == "withdrawn":
        services.withdraw_story(newsroom.editor, story, "Withdrawn: forged.")
    elif how == "expired":
        PreviewLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
    elif how == "embargoed":
        ready = make_story("Embargoed merger", desk=newsroom.desk, status=Story.Status.READY)
        services.snapshot_revision(ready)
        _, token = services.share_preview(newsroom.editor, ready)
        when = timezone.now() + timedelta(hours=1)
        services.schedule_story(newsroom.editor, ready, when, embargo=True)
        return f"/preview/{token}/"
    elif how == "altered":
        return url[:-3] + ("AA/" if url[-3:-1] != "AA" else "BB/")
    return url


@pytest.mark.parametrize("how", ["revoked", "withdrawn", "expired", "embargoed", "altered"])
def test_a_link_that_opens_nothing_answers_like_one_that_never_existed(client, newsroom, how):
    url = closed(newsroom, how)
    never = "/preview/" + "x" * (len(url) - len("/preview//")) + "/"

    response, missing = client.get(url), client.get(never)

    assert response.status_code == missing.status_code == 404
    assert response.content == missing.content
    assert headers_of(response) == headers_of(missing)
    assert_preview_headers(response)
    assert "Draft headline" not in response.content.decode()


def test_a_preview_neither_leaks_its_address_nor_is_stored(client, newsroom):
    response = client.get(shared(newsroom, headline="Draft headline for a source"))

    html = response.content.decode()
    assert 'name="robots" content="noindex' in html
    assert_preview_headers(response)
