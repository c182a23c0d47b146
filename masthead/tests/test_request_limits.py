"""Requests past a size limit get a clear 413 or 400, never a 500, and change nothing.

The limits are Django's (``DATA_UPLOAD_MAX_MEMORY_SIZE``,
``DATA_UPLOAD_MAX_NUMBER_FIELDS``, ``DATA_UPLOAD_MAX_NUMBER_FILES``) and the
upload cap of ``masthead/request_limits.py``; docs/security.md lists them all
with what the client gets.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from masthead.api.services import issue_token
from masthead.backoffice.tests.editor_posts import form_data
from masthead.factories import make_desk, make_staff
from masthead.media.models import Image
from masthead.media.tests.images import png_bytes
from masthead.newsroom.models import StaffRole
from masthead.stories import services
from masthead.stories.models import Revision, Story
from masthead.stories.services import Content

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json; charset=utf-8"
SIX_MB = 6 * 1024 * 1024


@pytest.fixture(autouse=True)
def no_second_factor(settings):
    settings.REQUIRE_2FA_FOR = []


@pytest.fixture
def desk(db):
    return make_desk("Politics")


@pytest.fixture
def writer(desk):
    return make_staff(StaffRole.Role.WRITER, desk, username="writer")


@pytest.fixture
def token(writer) -> str:
    return f"Bearer {issue_token(writer, 'tests').raw}"


@pytest.fixture
def client() -> Client:
    # A server never re-raises; the test client would, hiding a 500 behind an exception.
    return Client(raise_request_exception=False)


def draft(writer, desk) -> Story:
    return services.create_story(writer, Content(headline="Talks resume", desk=desk))


def json_of_size(size: int) -> str:
    return '{"headline": "Budget", "desk": "politics", "body": "' + "x" * size + '"}'


# The staff API --------------------------------------------------------------------


def test_a_json_body_over_the_limit_is_a_413_problem_and_creates_nothing(client, token, desk):
    response = client.post(
        "/api/desk/stories",
        json_of_size(SIX_MB),
        content_type="application/json",
        headers={"Authorization": token},
    )

    assert response.status_code == 413
    assert response["Content-Type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 413
    assert problem["type"] == "about:blank"
    assert "5 MB" in problem["detail"]
    assert problem["instance"] == "/api/desk/stories"
    assert not Story.objects.exists()


def test_a_save_over_the_limit_is_a_413_problem_and_keeps_the_story(client, token, desk, writer):
    story = draft(writer, desk)
    revisions = Revision.objects.count()

    response = client.put(
        f"/api/desk/stories/{story.pk}",
        json_of_size(SIX_MB),
        content_type="application/json",
        headers={"Authorization": token},
    )

    assert response.status_code == 413
    assert response["Content-Type"] == PROBLEM
    story.refresh_from_db()
    assert story.headline == "Talks resume"
    assert Revision.objects.count() == revisions


def test_too_many_query_parameters_are_a_400_problem(client, desk):
    query = "&".join(f"p{number}=1" for number in range(1_100))

    response = client.get(f"/api/stories?{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert "1,000" in response.json()["detail"]


# Pages --------------------------------------------------------------------------


def test_a_form_body_over_the_limit_is_a_413_page(client):
    response = client.post(
        "/account/login/",
        "username=" + "x" * SIX_MB,
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    assert "<title>Too large" in page
    assert "5 MB" in page


def test_a_persian_interface_gets_the_refusal_in_persian_with_persian_digits(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"

    response = client.post(
        "/account/login/",
        "username=" + "x" * SIX_MB,
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 413
    page = response.content.decode()
    assert 'lang="fa" dir="rtl"' in page
    assert "<title>بیش از حد بزرگ" in page
    assert "۵ مگابایت" in page and "۲۰ مگابایت" in page
    assert "MB" not in page


def test_the_api_answers_its_limits_in_english_whatever_the_interface_language(
    client, token, desk, settings
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"

    response = client.post(
        "/api/desk/stories",
        json_of_size(SIX_MB),
        content_type="application/json",
        headers={"Authorization": token, "Accept-Language": "fa"},
    )

    assert response.status_code == 413
    assert "5 MB" in response.json()["detail"]


def test_too_many_form_fields_are_a_400_page_that_says_so(client):
    fields = "&".join(f"f{number}=1" for number in range(1_100))

    response = client.post(
        "/account/login/", fields, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert "more than 1,000 fields" in response.content.decode()


def test_too_many_files_are_a_400_page_that_says_so(client, writer, desk):
    client.force_login(writer)
    files = {f"file{number}": SimpleUploadedFile(f"{number}.txt", b"x") for number in range(101)}

    response = client.post("/desk/stories/new/", {"headline": "Budget", **files})

    assert response.status_code == 400
    assert "more than 100 files" in response.content.decode()
    assert not Story.objects.exists()


def test_an_upload_far_past_the_image_limit_is_refused_before_it_is_read(
    client, writer, desk, settings
):
    settings.MAX_IMAGE_BYTES = 64 * 1024
    client.force_login(writer)
    story = draft(writer, desk)
    huge = SimpleUploadedFile("huge.png", png_bytes(8, 8) + b"\0" * SIX_MB, "image/png")

    response = client.post(
        f"/desk/stories/{story.pk}/",
        form_data(story, lead_image_upload=huge, lead_image_alt="A bus", headline="New"),
    )

    assert response.status_code == 413
    assert "20 MB" not in response.content.decode()  # the limit in force, not the default
    assert "5 MB" in response.content.decode()
    story.refresh_from_db()
    assert story.headline == "Talks resume"
    assert not Image.objects.exists()


def test_an_image_a_little_over_the_limit_is_a_form_error_that_keeps_the_text(
    client, writer, desk, settings
):
    settings.MAX_IMAGE_BYTES = 64 * 1024
    client.force_login(writer)
    story = draft(writer, desk)
    big = SimpleUploadedFile("big.png", png_bytes(8, 8) + b"\0" * (200 * 1024), "image/png")

    response = client.post(
        f"/desk/stories/{story.pk}/",
        form_data(story, lead_image_upload=big, lead_image_alt="A bus", headline="New words"),
    )

    assert response.status_code == 400
    assert "The image is larger than" in response.content.decode()
    assert 'value="New words"' in response.content.decode()
    assert not Image.objects.exists()
