"""Media in a private S3-compatible bucket: stored, served through the gate, removed.

Every test here runs against a real S3 server over HTTP (moto's, see
``conftest.py``), with ``STORAGES`` made by the settings module from the
variables an operator sets. The bucket is read with a client of its own, so
what a test sees is what is in the bucket, not what the storage believes.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured, SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone
from PIL import Image as PillowImage

from masthead.factories import make_desk, make_staff
from masthead.media.forms import ImageUploadField
from masthead.media.models import Image, Rendition, file_removed_unless_saved
from masthead.media.storage import PrivateBucketStorage
from masthead.media.tests.images import CANARIES, photo_with_metadata, png_bytes
from masthead.newsroom.models import StaffRole
from masthead.settings import media_storage_from_env
from masthead.stories import services
from masthead.stories.services import Content

STORED_NAME = re.compile(r"images/\d{4}/\d{2}/[0-9a-f]{32}\.(png|jpg|webp|gif)")


def make_image(content: bytes = b"", name: str = "photo.png") -> Image:
    image = Image(file=SimpleUploadedFile(name, content or png_bytes()), alt_text="A picture")
    image.full_clean()
    image.save()
    return image


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- configuration -------------------------------------------------------------------------


def test_the_local_disk_is_the_default():
    assert media_storage_from_env({}) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert media_storage_from_env({"MEDIA_STORAGE": " Local "})["BACKEND"].endswith(
        "FileSystemStorage"
    )


def test_s3_is_configured_from_the_environment():
    storage = media_storage_from_env(
        {
            "MEDIA_STORAGE": "s3",
            "AWS_STORAGE_BUCKET_NAME": "newsroom-media",
            "AWS_S3_ENDPOINT_URL": "https://minio.internal:9000",
            "AWS_S3_REGION_NAME": "us-east-1",
            "AWS_S3_ADDRESSING_STYLE": "path",
            "AWS_LOCATION": "/masthead/",
        }
    )

    assert storage["BACKEND"] == "masthead.media.storage.PrivateBucketStorage"
    options = storage["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"], options["location"]) == (
        "newsroom-media",
        "https://minio.internal:9000",
        "masthead",
    )
    assert (options["default_acl"], options["querystring_auth"]) == (None, False)
    assert not {"access_key", "secret_key"} & set(options)  # boto3 reads them itself


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"MEDIA_STORAGE": "ftp"}, "MEDIA_STORAGE='ftp' is not a media storage (use local or s3)"),
        ({"MEDIA_STORAGE": "s3"}, "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME"),
        (
            {"MEDIA_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "b", "AWS_S3_ADDRESSING_STYLE": "x"},
            "AWS_S3_ADDRESSING_STYLE='x' is not an addressing style (use auto, path or virtual)",
        ),
    ],
)
def test_a_wrong_media_configuration_stops_the_start(environ, message):
    with pytest.raises(ImproperlyConfigured) as refused:
        media_storage_from_env(environ)

    assert str(refused.value) == message


# --- storing -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_upload_is_stored_in_the_bucket_without_its_metadata(s3_bucket, settings):
    image = make_image(photo_with_metadata("JPEG"), "IMG_0001.JPG")

    assert isinstance(default_storage._wrapped, PrivateBucketStorage)
    assert STORED_NAME.fullmatch(image.file.name)
    assert s3_bucket.names() == [image.file.name]
    stored = s3_bucket.read(image.file.name)
    assert [canary for canary in CANARIES if canary in stored] == []
    assert PillowImage.open(io.BytesIO(stored)).size == (image.width, image.height) == (40, 30)
    head = s3_bucket.client.head_object(Bucket=s3_bucket.name, Key=image.file.name)
    assert head["ContentType"] == "image/jpeg"
    assert not Path(settings.MEDIA_ROOT).exists()  # nothing on the local disk


@pytest.mark.django_db
def test_code_that_saves_a_file_directly_writes_to_the_bucket(s3_bucket):
    image = Image(alt_text="Made in code")
    image.file.save("../../etc/passwd.html", ContentFile(png_bytes(20, 10)), save=False)
    image.save()

    assert STORED_NAME.fullmatch(image.file.name) and image.file.name.endswith(".png")
    assert s3_bucket.names() == [image.file.name]
    assert (image.width, image.height) == (20, 10)


@pytest.mark.django_db
def test_the_upload_form_field_stores_into_the_bucket(s3_bucket):
    class UploadForm(forms.Form):
        file = ImageUploadField()

    form = UploadForm(files={"file": SimpleUploadedFile("a.webp", photo_with_metadata("WEBP"))})
    assert form.is_valid(), form.errors
    image = Image(file=form.cleaned_data["file"], alt_text="From the form")
    image.full_clean()
    image.save()

    assert s3_bucket.names() == [image.file.name]
    assert image.file.name.endswith(".webp")
    assert b"canary-xmp" not in s3_bucket.read(image.file.name)


@pytest.mark.django_db
def test_a_refused_upload_leaves_the_bucket_empty(s3_bucket):
    with pytest.raises(ValidationError):
        make_image(b"GIF89a<script>alert(1)</script>", "x.gif")

    assert s3_bucket.names() == []
    assert not Image.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_failed_save_takes_its_file_out_of_the_bucket(s3_bucket):
    image = Image(file=SimpleUploadedFile("p.png", png_bytes()), alt_text="Refused later")

    with pytest.raises(RuntimeError), file_removed_unless_saved(image), transaction.atomic():
        image.save()
        assert s3_bucket.names() == [image.file.name]
        raise RuntimeError("the request failed after the file was written")

    assert s3_bucket.names() == []
    assert not Image.objects.exists()


@pytest.mark.django_db
def test_renditions_land_in_the_bucket_under_their_prefix(s3_bucket):
    image = make_image()
    rendition = Rendition(image=image, format="webp", width=20, height=12)
    rendition.file.save("r.webp", ContentFile(b"RIFF....WEBP"), save=True)

    assert rendition.file.name.startswith("renditions/")
    assert s3_bucket.names() == sorted([image.file.name, rendition.file.name])
    assert rendition.file.url == f"/media/{rendition.file.name}"


@pytest.mark.django_db
def test_a_prefix_keeps_media_in_a_folder_of_the_bucket(s3_bucket, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **settings.STORAGES["default"],
            "OPTIONS": {**settings.STORAGES["default"]["OPTIONS"], "location": "masthead"},
        },
    }

    image = make_image()

    assert s3_bucket.names() == [f"masthead/{image.file.name}"]
    assert image.file.url == f"/media/{image.file.name}"
    assert image.file.open("rb").read() == s3_bucket.read(f"masthead/{image.file.name}")


# --- addresses -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_addresses_are_the_gates_never_the_buckets(s3_bucket, settings):
    image = make_image()

    assert image.file.url == f"/media/{image.file.name}"
    assert s3_bucket.name not in image.file.url and "Signature" not in image.file.url
    settings.MEDIA_URL = "https://cdn.example.org/media/"
    assert default_storage.url("images/a b.png") == "https://cdn.example.org/media/images/a%20b.png"


def test_a_name_that_climbs_out_of_the_bucket_prefix_is_refused(s3_bucket):
    for name in ("../outside.png", "images/../../outside.png"):
        with pytest.raises(SuspiciousFileOperation):
            default_storage.url(name)
        with pytest.raises(SuspiciousFileOperation):
            default_storage.open(name)


def test_missing_files_are_missing_as_on_disk(s3_bucket):
    for read in (default_storage.get_modified_time, default_storage.open, default_storage.size):
        with pytest.raises(FileNotFoundError):
            read("images/2026/01/none.png")
    assert not default_storage.exists("images/2026/01/none.png")


# --- the media gate on a bucket ------------------------------------------------------------


@pytest.fixture
def editor(db, settings):
    settings.REQUIRE_2FA_FOR = []
    return make_staff(StaffRole.Role.DESK_EDITOR, make_desk("Politics"), username="editor")


def story_showing(editor, image: Image, *, publish: bool):
    desk = StaffRole.objects.get(user=editor).desk
    story = services.create_story(editor, Content(headline="A story", desk=desk, lead_image=image))
    services.submit_story(editor, story)
    services.claim_story(editor, story)
    if publish:
        services.publish_story(editor, story)
    else:
        services.schedule_story(editor, story, timezone.now() + timedelta(days=1), embargo=True)
    return story


def test_the_gate_serves_a_public_file_from_the_bucket(s3_bucket, editor, client):
    image = make_image(png_bytes(64, 36))
    story_showing(editor, image, publish=True)

    response = client.get(image.file.url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert body(response) == s3_bucket.read(image.file.name)
    assert int(response["Content-Length"]) == len(s3_bucket.read(image.file.name))
    assert "public" in response["Cache-Control"]
    again = client.get(image.file.url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert again.status_code == 304


def test_the_gate_keeps_an_unpublished_file_in_the_bucket_shut(s3_bucket, editor, client):
    image = make_image()
    story_showing(editor, image, publish=False)

    hidden = client.get(image.file.url)
    missing = client.get(image.file.url.replace(".png", "0.png"))

    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert body(hidden) == body(missing)
    staff = Client()
    staff.force_login(editor)
    private = staff.get(image.file.url)
    assert private.status_code == 200 and private["Cache-Control"] == "private, no-store"


def test_a_file_gone_from_the_bucket_is_a_404_not_an_error(s3_bucket, editor, client):
    image = make_image()
    story_showing(editor, image, publish=True)
    s3_bucket.client.delete_object(Bucket=s3_bucket.name, Key=image.file.name)

    assert client.get(image.file.url).status_code == 404


def test_objects_no_image_names_are_not_served(s3_bucket, editor, client):
    make_image()
    s3_bucket.put("notes.txt", b"private notes")
    s3_bucket.put("images/stray.png", png_bytes())

    for path in ("/media/notes.txt", "/media/images/stray.png", "/media/images/", "/media/"):
        assert client.get(path).status_code == 404, path
