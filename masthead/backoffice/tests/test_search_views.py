"""The back office's search: stories an editor may read in any state, the wire, the library."""

from __future__ import annotations

import pytest
from django.test import Client

from masthead.factories import editor_of, make_desk, make_staff, make_story
from masthead.newsroom.models import StaffRole
from masthead.site.tests.newsroom_data import make_image
from masthead.stories.models import Story
from masthead.wire.models import Source
from masthead.wire.tests.conftest import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsroom():
    politics, sports = make_desk("Politics"), make_desk("Sports")
    make_story("Draft on the caravan", desk=politics, status=Story.Status.DRAFT)
    make_story("Caravan in sports", desk=sports, status=Story.Status.IN_EDIT)
    make_story("Published caravan", desk=sports, body="<p>caravan</p>")
    source = Source.objects.create(
        name="Agency", slug="agency", kind=Source.Kind.RSS, provider="Agency",
        url="https://feeds.example.com/a.xml", desk=politics,
    )  # fmt: skip
    make_item(source, "Caravan reaches the border", body="<p>The caravan crossed.</p>")
    make_item(source, "Unrelated wire copy")
    image = make_image("A caravan of trucks")
    image.desk = politics
    image.save()
    return politics, sports


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_editor_finds_their_desks_stories_in_any_state_the_wire_and_images(newsroom):
    politics, _ = newsroom
    response = logged_in(editor_of(politics)).get("/desk/search/", {"q": "caravan"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Draft on the <mark>caravan</mark>" in html
    assert "Caravan in sports" not in html and "<mark>Caravan</mark> in sports" not in html
    assert "Caravan reaches the border" in html and "Unrelated wire copy" not in html
    assert "Talks in Vienna" in html  # the caption of the image whose alt text matches
    assert response["Cache-Control"].startswith("private")


def test_a_chief_editor_sees_every_desk(newsroom):
    chief = make_staff(StaffRole.Role.CHIEF_EDITOR)
    html = logged_in(chief).get("/desk/search/", {"q": "caravan"}).content.decode()
    assert "<mark>Caravan</mark> in sports" in html and "Published <mark>caravan</mark>" in html


def test_an_editor_of_another_desk_sees_neither_the_draft_nor_the_image(newsroom):
    _, sports = newsroom
    html = logged_in(editor_of(sports)).get("/desk/search/", {"q": "caravan"}).content.decode()
    assert "Draft on the" not in html
    assert "Talks in Vienna" not in html
    assert "Caravan reaches the border" not in html


def test_a_bad_query_gets_a_message(newsroom):
    politics, _ = newsroom
    response = logged_in(editor_of(politics)).get("/desk/search/", {"q": "-caravan"})
    assert response.status_code == 400
    assert "not only what to leave out" in response.content.decode()


def test_visitors_are_sent_to_log_in(client):
    response = client.get("/desk/search/", {"q": "caravan"})
    assert response.status_code == 302


def test_the_nav_links_to_search(newsroom):
    politics, _ = newsroom
    html = logged_in(editor_of(politics)).get("/desk/").content.decode()
    assert 'href="/desk/search/"' in html


def test_images_found_are_the_ones_the_library_shows(newsroom):
    """One rule for both (media_views.library_images): a writer of the desk does not
    find a colleague's image that no story uses yet; any editor finds the lead image
    readers see on a live story of another desk."""
    politics, sports = newsroom  # the politics image: caption "Talks in Vienna"
    on_sports = make_image("A caravan at the stadium")
    on_sports.caption = "Crowds at the stadium"
    on_sports.save()
    make_story("Stadium story", desk=sports, lead_image=on_sports)
    writer = make_staff(StaffRole.Role.WRITER, politics)
    html = logged_in(writer).get("/desk/search/", {"q": "caravan"}).content.decode()
    assert "Talks in Vienna" not in html
    assert "Crowds at the stadium" in html
    html = logged_in(editor_of(politics)).get("/desk/search/", {"q": "caravan"}).content.decode()
    assert "Talks in Vienna" in html and "Crowds at the stadium" in html
