"""A full disk: the write fails with a clear 503, nothing is stored, reads go on (R10).

Real faults, not mocks: the image upload runs under a lowered
``RLIMIT_FSIZE`` (this process may not write past 64 KB into any file;
Python ignores SIGXFSZ, so the write fails with EFBIG, as on a full disk),
and SQLite's ``max_page_count`` pinned to the database's size makes it
answer "database or disk is full". The live run, a second `masthead serve`
under ``prlimit --fsize``, is ``bench/faults --only R10 --backends sqlite``.
"""

from __future__ import annotations

import os
import resource
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from masthead.api.services import issue_token
from masthead.factories import make_desk, make_staff
from masthead.media.models import Image
from masthead.newsroom.models import StaffRole
from masthead.stories import services
from masthead.stories.models import Story
from masthead.stories.services import Content

PROBLEM = "application/problem+json; charset=utf-8"


@pytest.fixture(autouse=True)
def no_second_factor(settings):
    settings.REQUIRE_2FA_FOR = []


@pytest.fixture
def newsroom(db):
    desk = make_desk("Politics")
    writer = make_staff(StaffRole.Role.WRITER, desk, username="writer")
    draft = services.create_story(writer, Content(headline="Talks resume", desk=desk))
    return {"desk": desk, "writer": writer, "draft": draft}


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)  # a server never re-raises


@contextmanager
def files_limited_to(size: int) -> Iterator[None]:
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


@contextmanager
def full_sqlite_database() -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute("PRAGMA max_page_count")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {int(pages)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA max_page_count = {int(before)}")


def noise_png(side: int) -> bytes:
    import io

    from PIL import Image as PillowImage

    out = io.BytesIO()
    PillowImage.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


def assert_no_room(response, content_type: str) -> None:
    assert response.status_code == 503, response.content[:300]
    assert response["Content-Type"] == content_type
    assert int(response["Retry-After"]) > 0
    assert b"Traceback" not in response.content


def test_an_image_upload_on_a_full_disk_is_a_503_that_says_so_and_stores_nothing(
    client, newsroom, media_root
):
    client.force_login(newsroom["writer"])
    image = noise_png(200)  # ~120 KB of pixels that do not compress
    assert len(image) > 100_000

    with files_limited_to(64 * 1024):
        response = client.post(
            "/desk/media/upload/",
            {"desk": "", "files": SimpleUploadedFile("full.png", image, "image/png")},
        )

    assert_no_room(response, "text/html; charset=utf-8")
    page = response.content.decode()
    assert "its disk is full or failing" in page
    assert "kept in this browser" in page
    assert not Image.objects.exists()
    stored = [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []
    assert stored == []  # the partial file is taken away with its row


def test_a_persian_interface_is_told_in_persian(client, newsroom, settings):
    client.force_login(newsroom["writer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    upload = {"desk": "", "files": SimpleUploadedFile("full.png", noise_png(200), "image/png")}

    with files_limited_to(64 * 1024):
        page = client.post("/desk/media/upload/", upload)
        upload["files"].seek(0)
        script = client.post("/desk/media/upload/", upload, headers={"X-Requested-With": "fetch"})

    assert_no_room(page, "text/html; charset=utf-8")
    assert "دیسک آن پر است یا از کار افتاده" in page.content.decode()
    assert "disk" not in page.content.decode()
    assert_no_room(script, "application/json")
    assert "دیسک آن پر است یا از کار افتاده" in script.json()["message"]
    assert not Image.objects.exists()


def test_the_same_upload_is_stored_once_there_is_room(client, newsroom):
    client.force_login(newsroom["writer"])

    response = client.post(
        "/desk/media/upload/",
        {"desk": "", "files": SimpleUploadedFile("room.png", noise_png(200), "image/png")},
    )

    assert response.status_code in (200, 302)
    assert Image.objects.count() == 1


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="SQLite's max_page_count; a full PostgreSQL disk is the server's, not tested here",
)
def test_a_story_save_on_a_full_database_is_a_503_problem_and_keeps_the_story(client, newsroom):
    draft = newsroom["draft"]
    token = issue_token(newsroom["writer"], "tests").raw
    auth = {"Authorization": f"Bearer {token}"}
    current = client.get(f"/api/desk/stories/{draft.pk}", headers=auth).json()
    body = {
        **current["content"],
        "base_revision": current["latest_revision"],
        "body": "<p>A long new text</p>" * 5000,
    }

    with full_sqlite_database():
        response = client.put(
            f"/api/desk/stories/{draft.pk}", body, content_type="application/json", headers=auth
        )
        reads = client.get(f"/api/desk/stories/{draft.pk}", headers=auth)

    assert_no_room(response, PROBLEM)
    assert "its disk is full or failing" in response.json()["detail"]
    assert reads.status_code == 200  # reads go on
    assert Story.objects.get(pk=draft.pk).latest_revision_id == current["latest_revision"]
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        assert cursor.fetchone()[0] == "ok"
