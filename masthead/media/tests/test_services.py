"""The media library's services: upload (metadata, quota, permission), words, focal point."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from masthead.factories import make_desk, make_staff, make_story, make_user
from masthead.media import services
from masthead.media.models import Image, ImageUse, Rendition
from masthead.media.tests.embedded import exif_words, iim, jpeg, xmp_packet
from masthead.media.tests.images import CANARIES, large_png, photo_with_metadata
from masthead.newsroom.models import AuditEvent, StaffRole
from masthead.stories.models import ContentVersion

R = StaffRole.Role


def upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def stored_files(media_root) -> list:
    return [path for path in media_root.rglob("*") if path.is_file()]


@pytest.fixture
def desk(db):
    return make_desk("Politics")


@pytest.fixture
def other_desk(db):
    return make_desk("Economy")


@pytest.fixture
def people(desk, other_desk):
    return {
        "writer": make_staff(R.WRITER, desk, username="writer"),
        "other_writer": make_staff(R.WRITER, desk, username="other_writer"),
        "editor": make_staff(R.DESK_EDITOR, desk, username="editor"),
        "other_editor": make_staff(R.DESK_EDITOR, other_desk, username="other_editor"),
        "chief": make_staff(R.CHIEF_EDITOR, None, username="chief"),
        "admin": make_staff(R.ADMINISTRATOR, None, username="admin"),
        "reader": make_user("reader"),
    }


AGENCY_PHOTO = jpeg(
    exif=exif_words("exif caption", "Exif Artist", "(c) exif"),
    iptc=iim({(2, 120): b"IPTC caption", (2, 110): b"Reuters", (2, 115): b"Reuters Pictures"}),
    xmp=xmp_packet(rights="© 2026 Reuters"),
)


def test_upload_reads_the_files_words_then_strips_them(people, desk, media_root):
    image = services.upload_image(people["writer"], upload(AGENCY_PHOTO), desk=desk)
    image.refresh_from_db()
    assert (image.caption, image.credit, image.copyright, image.source) == (
        "IPTC caption",
        "Reuters",
        "© 2026 Reuters",
        "Reuters Pictures",
    )
    assert image.uploaded_by == people["writer"] and image.desk == desk
    stored = image.file.read()
    assert image.file_size == len(stored) > 0
    for word in (b"IPTC caption", b"Reuters", b"Photoshop", b"GPSLatitude", b"exif caption"):
        assert word not in stored


def test_the_persons_own_words_win(people, desk):
    image = services.upload_image(
        people["writer"],
        upload(AGENCY_PHOTO),
        desk=desk,
        caption="  Our own   caption ",
        credit="",
        alt_text="A square full of people",
    )
    assert image.caption == "Our own caption"
    assert image.credit == "Reuters"  # left empty: the file's
    assert image.alt_text == "A square full of people"


def test_private_metadata_never_reaches_the_stored_file(people):
    image = services.upload_image(people["writer"], upload(photo_with_metadata()))
    stored = image.file.read()
    assert not [canary for canary in CANARIES if canary in stored]
    # The EXIF Artist is a credit the newsroom sees, never a file readers get.
    assert image.credit == "Canary Source"


def test_upload_is_audited(people, desk):
    image = services.upload_image(people["writer"], upload(AGENCY_PHOTO), desk=desk)
    event = AuditEvent.objects.get(action="image_upload")
    assert event.actor == people["writer"] and event.target_id == image.pk
    assert event.detail["file_size"] == image.file_size
    assert event.detail["desk"] == desk.pk
    assert set(event.detail["embedded"]) == {"caption", "credit", "copyright", "source"}


@pytest.mark.parametrize("name", ["admin", "reader"])
def test_only_content_roles_upload(people, name, media_root):
    with pytest.raises(PermissionDenied):
        services.upload_image(people[name], upload(AGENCY_PHOTO))
    assert not Image.objects.exists() and not stored_files(media_root)
    assert not AuditEvent.objects.exists()


def test_a_writer_uploads_only_for_their_desks(people, other_desk, media_root):
    with pytest.raises(PermissionDenied, match="Economy"):
        services.upload_image(people["writer"], upload(AGENCY_PHOTO), desk=other_desk)
    assert not Image.objects.exists() and not stored_files(media_root)


@pytest.mark.parametrize(
    "data",
    [
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"",
        AGENCY_PHOTO[: len(AGENCY_PHOTO) // 2],  # truncated
        b"GIF89a" + b"\0" * 20,
    ],
    ids=["svg", "empty", "truncated", "damaged-gif"],
)
def test_a_refused_file_stores_nothing(people, data, media_root):
    with pytest.raises(ValidationError):
        services.upload_image(people["writer"], upload(data))
    assert not Image.objects.exists() and not stored_files(media_root)
    assert not AuditEvent.objects.exists()


def test_a_bomb_is_refused(people, settings, media_root):
    settings.MAX_IMAGE_PIXELS = 1_000_000
    with pytest.raises(ValidationError, match="pixels"):
        services.upload_image(people["writer"], upload(large_png(2000, 1000), "bomb.png"))
    assert not Image.objects.exists() and not stored_files(media_root)


def test_too_long_words_are_refused_before_anything_is_stored(people, media_root):
    with pytest.raises(ValidationError) as refused:
        services.upload_image(people["writer"], upload(AGENCY_PHOTO), credit="x" * 201)
    assert "credit" in refused.value.message_dict
    assert not Image.objects.exists() and not stored_files(media_root)


def test_quota(people, settings, media_root):
    first = services.upload_image(people["writer"], upload(AGENCY_PHOTO))
    settings.MEDIA_QUOTA_BYTES_PER_USER = first.file_size * 2 + 10
    services.upload_image(people["writer"], upload(AGENCY_PHOTO))
    with pytest.raises(services.QuotaExceeded, match="upload quota") as refused:
        services.upload_image(people["writer"], upload(AGENCY_PHOTO))
    assert "MEDIA_QUOTA_BYTES_PER_USER" in refused.value.messages[0]
    assert Image.objects.count() == 2 and len(stored_files(media_root)) == 2
    assert AuditEvent.objects.filter(action="image_upload").count() == 2
    # Another person's quota is their own.
    services.upload_image(people["other_writer"], upload(AGENCY_PHOTO))
    assert services.quota_for(people["writer"]).used == first.file_size * 2
    # No limit at all.
    settings.MEDIA_QUOTA_BYTES_PER_USER = 0
    services.upload_image(people["writer"], upload(AGENCY_PHOTO))


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("writer", True),  # the uploader
        ("other_writer", False),
        ("editor", True),  # edits the image's desk
        ("other_editor", False),
        ("chief", True),
        ("admin", False),
        ("reader", False),
    ],
)
def test_who_changes_an_image(people, desk, name, allowed):
    image = services.upload_image(people["writer"], upload(AGENCY_PHOTO), desk=desk)
    assert services.can_change(people[name], image) is allowed
    if allowed:
        services.update_image(people[name], image, caption="New caption")
        services.set_focal_point(people[name], image, 0.25, 0.75)
        image.refresh_from_db()
        assert (image.caption, image.focal_x, image.focal_y) == ("New caption", 0.25, 0.75)
    else:
        with pytest.raises(PermissionDenied):
            services.update_image(people[name], image, caption="New caption")
        with pytest.raises(PermissionDenied):
            services.set_focal_point(people[name], image, 0.25, 0.75)
        image.refresh_from_db()
        assert image.caption == "IPTC caption" and image.focal_x == 0.5


def test_update_is_audited_with_the_changed_fields(people):
    image = services.upload_image(people["writer"], upload(AGENCY_PHOTO))
    services.update_image(
        people["writer"],
        image,
        caption="IPTC caption",
        usage_terms="Editorial only",
        decorative=True,
    )
    event = AuditEvent.objects.get(action="image_update")
    assert sorted(event.detail["fields"]) == ["decorative", "usage_terms"]
    # Nothing changed: nothing audited.
    services.update_image(people["writer"], image, usage_terms="Editorial only")
    assert AuditEvent.objects.filter(action="image_update").count() == 1


def test_update_refuses_unknown_and_too_long_fields(people):
    image = services.upload_image(people["writer"], upload(AGENCY_PHOTO))
    with pytest.raises(TypeError):
        services.update_image(people["writer"], image, file_size=1)
    with pytest.raises(ValidationError):
        services.update_image(people["writer"], image, caption="x" * 501)
    image.refresh_from_db()
    assert image.caption == "IPTC caption"


def test_words_readers_see_are_frozen_while_a_published_story_shows_the_image(people, desk):
    image = services.upload_image(people["writer"], upload(AGENCY_PHOTO), desk=desk)
    story = make_story(desk=desk)
    ImageUse.objects.create(image=image, story=story, role="lead", in_published=True)
    with pytest.raises(ValidationError) as refused:
        services.update_image(people["editor"], image, caption="Changed under readers")
    assert "caption" in refused.value.message_dict
    # Staff-only records may change.
    services.update_image(people["editor"], image, usage_terms="Until 2027", source="Reuters")
    image.refresh_from_db()
    assert (image.caption, image.usage_terms) == ("IPTC caption", "Until 2027")


@pytest.mark.parametrize(
    ("x", "y"),
    [(-0.01, 0.5), (0.5, 1.01), (math.nan, 0.5), (math.inf, 0.5), ("abc", 0.5), (None, 0.5)],
)
def test_focal_point_is_validated(people, x, y):
    image = services.upload_image(people["writer"], upload(AGENCY_PHOTO))
    with pytest.raises(ValidationError):
        services.set_focal_point(people["writer"], image, x, y)
    image.refresh_from_db()
    assert (image.focal_x, image.focal_y) == (0.5, 0.5)
    assert not AuditEvent.objects.filter(action="image_focal_point").exists()


def test_focal_point_is_audited_and_bumps_live_stories(people, desk):
    image = services.upload_image(people["writer"], upload(AGENCY_PHOTO), desk=desk)
    live = make_story(desk=desk)
    draft = make_story(desk=desk, status="draft", published_at=None, age=None)
    ImageUse.objects.create(image=image, story=live, role="body", in_published=True)
    ImageUse.objects.create(image=image, story=draft, role="lead", in_working=True)
    services.set_focal_point(people["editor"], image, "0.1", "0.9")
    event = AuditEvent.objects.get(action="image_focal_point")
    assert (event.from_state, event.to_state) == ("0.500,0.500", "0.100,0.900")
    bumped = set(ContentVersion.objects.values_list("scope", flat=True))
    assert f"story:{live.pk}" in bumped and f"story:{draft.pk}" not in bumped


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_uploads_at_once_cannot_both_slip_under_the_quota(settings, media_root):
    from masthead.stories.tests.test_revisions import race

    writer = make_staff(R.WRITER, make_desk("Race desk"))
    size = services.upload_image(writer, upload(AGENCY_PHOTO)).file_size
    settings.MEDIA_QUOTA_BYTES_PER_USER = size * 2  # room for one more, not two

    def add():
        return services.upload_image(writer, upload(AGENCY_PHOTO))

    a, b = race(settings, "media.upload.after_quota_lock", add, add)

    assert (a.outcome, b.outcome) == ("done", "QuotaExceeded")
    assert Image.objects.filter(uploaded_by=writer).count() == 2
    # Only the two kept uploads have an original on disk (their renditions, made
    # after commit by the worker where tasks run at once, are theirs, not the loser's).
    assert len(stored_files(media_root / "images")) == 2
    rendered = {path.name for path in stored_files(media_root / "renditions")}
    assert rendered == {
        Path(name).name for name in Rendition.objects.values_list("file", flat=True)
    }
