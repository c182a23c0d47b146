"""The files under ``/media/``: public only while what shows them is public.

The file of an image that only drafts, scheduled or embargoed stories carry
answers exactly like a file that does not exist, to anyone who is not
allowed to read one of those stories, whoever learned its name (from a
preview, a shared draft, a log). Staff who may read the story, and holders
of a valid preview link of its revision, get it, never from a shared cache.
"""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from masthead.factories import (
    make_author,
    make_desk,
    make_outlet,
    make_preview_link,
    make_staff,
    take_to,
)
from masthead.media.models import Image
from masthead.media.tests.images import png_bytes
from masthead.newsroom.models import StaffRole
from masthead.stories import services
from masthead.stories.models import Story
from masthead.stories.services import Content
from masthead.tests.answers import headers_of

pytestmark = pytest.mark.django_db
R = StaffRole.Role


@pytest.fixture(autouse=True)
def no_second_factor(settings):
    settings.REQUIRE_2FA_FOR = []


@pytest.fixture
def newsroom(db):
    politics, economy = make_desk("Politics"), make_desk("Economy")
    return {
        "politics": politics,
        "economy": economy,
        "editor": make_staff(R.DESK_EDITOR, politics, username="editor"),
        "writer": make_staff(R.WRITER, politics, username="writer"),
        "other_writer": make_staff(R.WRITER, economy, username="other_writer"),
        "other_editor": make_staff(R.DESK_EDITOR, economy, username="other_editor"),
    }


def make_image(alt: str = "A picture") -> Image:
    image = Image(file=ContentFile(png_bytes(40, 24), name="picture.png"), alt_text=alt)
    image.full_clean()
    image.save()
    return image


def story_with_image(newsroom, image: Image, step: str = "draft") -> Story:
    editor = newsroom["editor"]
    story = services.create_story(
        editor, Content(headline=f"A {step} story", desk=newsroom["politics"], lead_image=image)
    )
    return take_to(editor, story, step)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def answer(response) -> tuple:
    """What a client can tell about a 404: everything but the date."""
    headers = headers_of(response, "Expires")
    return response.status_code, headers, body(response)


@pytest.mark.parametrize("step", ["draft", "scheduled", "embargoed", "withdrawn"])
def test_the_image_of_a_hidden_story_answers_like_no_file(client, newsroom, step):
    image = make_image()
    story_with_image(newsroom, image, step)

    hidden = client.get(image.file.url)
    missing = client.get(image.file.url.replace(".png", "0.png"))

    assert hidden.status_code == 404
    assert answer(hidden) == answer(missing)
    for reader in ("other_writer", "other_editor"):  # staff of another desk: the same
        assert answer(signed_in(newsroom[reader]).get(image.file.url))[0] == 404


def test_the_image_of_a_live_story_is_public_and_cacheable(client, newsroom):
    image = make_image()
    story = story_with_image(newsroom, image, "published")

    response = client.get(image.file.url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert body(response) == image.file.open("rb").read()
    assert "public" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]
    assert f"story:{story.pk}" in response["Surrogate-Key"].split()
    assert response.has_header("Last-Modified")
    again = client.get(image.file.url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert again.status_code == 304


def test_withdrawing_the_story_closes_its_image(client, newsroom):
    image = make_image()
    story = story_with_image(newsroom, image, "published")
    assert client.get(image.file.url).status_code == 200

    services.withdraw_story(newsroom["editor"], story, "Legal advice")

    assert client.get(image.file.url).status_code == 404


def test_staff_who_may_read_the_story_get_its_image_privately(newsroom):
    image = make_image()
    story_with_image(newsroom, image, "embargoed")

    for reader in ("editor",):
        response = signed_in(newsroom[reader]).get(image.file.url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
        assert not response.has_header("Surrogate-Key")


def test_a_writer_gets_the_images_of_their_own_drafts(newsroom):
    writer = newsroom["writer"]
    image = make_image()
    services.create_story(
        writer, Content(headline="My draft", desk=newsroom["politics"], lead_image=image)
    )

    assert signed_in(writer).get(image.file.url).status_code == 200
    assert signed_in(newsroom["other_writer"]).get(image.file.url).status_code == 404


def test_a_preview_link_shows_its_revisions_image_and_nothing_else(client, newsroom):
    image, other_image = make_image(), make_image("Another draft's picture")
    story = story_with_image(newsroom, image, "draft")
    story_with_image(newsroom, other_image, "draft")
    token = make_preview_link(story.latest_revision)

    page = client.get(f"/preview/{token}/").content.decode()
    (src,) = re.findall(r'<img src="([^"]+)" alt="A picture"', page)

    assert src.startswith(image.file.url + "?")
    assert client.get(src.replace("&amp;", "&")).status_code == 200
    assert client.get(src.replace("&amp;", "&"))["Cache-Control"] == "private, no-store"
    other = other_image.file.url + src[len(image.file.url) :].replace("&amp;", "&")
    assert client.get(other).status_code == 404
    assert client.get(image.file.url + "?preview=forged").status_code == 404


def test_files_that_belong_to_no_image_are_not_served(client, settings, newsroom):
    make_image()  # creates the folders
    (settings.MEDIA_ROOT / "notes.txt").write_text("private notes")
    (settings.MEDIA_ROOT / "images" / "stray.png").write_bytes(png_bytes())
    outside = settings.MEDIA_ROOT.parent / "secret.txt"
    outside.write_text("secret")

    for path in (
        "/media/notes.txt",
        "/media/images/stray.png",
        "/media/images/",
        "/media/",
        "/media/../secret.txt",
        "/media/%2e%2e/secret.txt",
        "/media/images/..%2f..%2fsecret.txt",
    ):
        assert client.get(path).status_code == 404, path


def test_author_photos_and_the_outlets_images_are_public(client, newsroom):
    photo, logo = make_image("A face"), make_image("The wordmark")
    make_author("Nima Sadeghi", photo=photo, is_active=False)
    make_outlet(logo=logo)

    for image in (photo, logo):
        response = client.get(image.file.url)
        assert response.status_code == 200
        assert "public" in response["Cache-Control"]
