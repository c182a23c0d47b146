"""The story form's lead image: which images a person may choose, and what an upload leaves behind.

Uploads are hostile until decoded: bombs get the clear size message, not a
500; the stored file is re-encoded from the decoded picture (upright,
without GPS or any other metadata, typed by its content, never by its
name); and a request that is refused (403, 400, 409) stores nothing, neither
a row nor a file.
"""

from __future__ import annotations

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import ExifTags
from PIL import Image as PillowImage

from masthead.backoffice.tests.editor_posts import form_data
from masthead.media.image_safety import harden_pillow
from masthead.media.models import Image
from masthead.media.tests.images import (
    CANARIES,
    large_png,
    photo_with_metadata,
    png_bytes,
    png_declaring,
)
from masthead.stories import services
from masthead.stories.models import Story
from masthead.stories.services import Content

pytestmark = pytest.mark.django_db

INVALID_CHOICE = "Select a valid choice. That choice is not one of the available choices."
TOO_MANY_PIXELS = "The image has more than 40,000,000 pixels; upload a smaller one."


@pytest.fixture(autouse=True)
def pillow_as_in_production():
    """pytest resets warning filters for each test: set Pillow's as the app does at start-up."""
    harden_pillow()


def upload(content: bytes, name: str = "photo.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_image(alt_text: str, colour=(10, 120, 200)) -> Image:
    image = Image(
        file=ContentFile(png_bytes(48, 32, colour), name="picture.png"), alt_text=alt_text
    )
    image.full_clean()
    image.save()
    return image


def draft_with_image(author, desk, image: Image | None, headline="A draft") -> Story:
    return services.create_story(author, Content(headline=headline, desk=desk, lead_image=image))


def embargoed(editor, desk, image: Image) -> Story:
    story = draft_with_image(editor, desk, image, headline="Embargoed exclusive")
    services.submit_story(editor, story)
    services.claim_story(editor, story)
    when = timezone.now() + timedelta(days=1)
    services.schedule_story(editor, story, when, embargo=True)
    return Story.objects.get(pk=story.pk)


def published(editor, desk, image: Image) -> Story:
    story = draft_with_image(editor, desk, image, headline="Live story")
    services.submit_story(editor, story)
    services.claim_story(editor, story)
    services.publish_story(editor, story)
    return Story.objects.get(pk=story.pk)


def new_story_data(desk, **changes) -> dict:
    data = {"action": "save", "headline": "A new story", "desk": desk.pk, "body": ""}
    return {**data, **changes}


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def stored_state() -> tuple[int, list[Path]]:
    return Image.objects.count(), media_files()


def refresh(story: Story) -> Story:
    return Story.objects.get(pk=story.pk)


# Which images a person may choose (item 4) ------------------------------------------


@pytest.fixture
def secret_image(people, other_desk) -> Image:
    """The lead image of another desk's story under embargo."""
    image = stored_image("Secret: the minister resigns")
    embargoed(people["other_editor"], other_desk, image)
    return image


def test_a_writer_cannot_take_another_desks_embargoed_image(client_for, desk, secret_image):
    client = client_for("writer")

    forbidden = client.post("/desk/stories/new/", new_story_data(desk, lead_image=secret_image.pk))
    missing = client.post("/desk/stories/new/", new_story_data(desk, lead_image=999_999))

    assert forbidden.status_code == missing.status_code == 400
    assert forbidden.context["form"].errors == missing.context["form"].errors
    assert forbidden.context["form"].errors["lead_image"] == [INVALID_CHOICE]
    html = forbidden.content.decode()
    assert secret_image.file.url not in html and "the minister resigns" not in html
    assert not Story.objects.filter(headline="A new story").exists()


def test_the_error_page_never_shows_another_desks_image(client_for, desk, secret_image):
    # Before, a form refused for another field still showed the chosen image.
    data = new_story_data(desk, lead_image=secret_image.pk, headline="")

    response = client_for("writer").post("/desk/stories/new/", data)

    assert response.status_code == 400
    html = response.content.decode()
    assert secret_image.file.url not in html and "the minister resigns" not in html


def test_saving_and_autosaving_refuse_another_desks_image_like_a_missing_one(
    client_for, people, desk, secret_image
):
    story = draft_with_image(people["writer"], desk, None)
    client = client_for("writer")
    edit, autosave = f"/desk/stories/{story.pk}/", f"/desk/stories/{story.pk}/autosave/"

    saved = client.post(edit, form_data(story, lead_image=secret_image.pk, lead_image_alt="x"))
    assert saved.status_code == 400
    assert saved.context["form"].errors["lead_image"] == [INVALID_CHOICE]
    assert secret_image.file.url not in saved.content.decode()

    forbidden = client.post(autosave, form_data(story, lead_image=secret_image.pk))
    missing = client.post(autosave, form_data(story, lead_image=999_999))
    assert forbidden.status_code == missing.status_code == 400
    assert forbidden.json()["errors"] == missing.json()["errors"]
    assert refresh(story).lead_image is None
    assert refresh(story).latest_revision.lead_image is None


def test_editors_of_the_desk_may_choose_the_image(client_for, other_desk, secret_image):
    data = new_story_data(other_desk, lead_image=secret_image.pk, lead_image_alt="Resignation")

    response = client_for("other_editor").post("/desk/stories/new/", data)

    assert response.status_code == 302
    assert Story.objects.get(headline="A new story").lead_image.file == secret_image.file


def test_a_writer_may_reuse_a_published_image_and_keep_their_own(
    client_for, people, desk, other_desk
):
    live_image = stored_image("Crowds in the square")
    published(people["other_editor"], other_desk, live_image)
    own_image = stored_image("My own picture")
    story = draft_with_image(people["writer"], desk, own_image)
    client = client_for("writer")

    kept = client.post(f"/desk/stories/{story.pk}/", form_data(story, headline="New headline"))
    reused = client.post(
        "/desk/stories/new/",
        new_story_data(desk, lead_image=live_image.pk, lead_image_alt="Crowds in the square"),
    )

    assert kept.status_code == reused.status_code == 302
    assert refresh(story).lead_image == own_image
    assert Story.objects.get(headline="A new story").lead_image == live_image


# Bombs and damaged files (item 8) ----------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [png_declaring(20_000, 20_000), large_png(8000, 6000)],
    ids=["tiny png claiming 20000x20000", "real 48 MP png"],
)
def test_an_image_with_too_many_pixels_gets_the_clear_message(client_for, desk, content):
    before = stored_state()
    data = new_story_data(desk, lead_image_alt="Huge", lead_image_upload=upload(content))

    response = client_for("writer").post("/desk/stories/new/", data)

    assert response.status_code == 400
    assert response.context["form"].errors["lead_image_upload"] == [TOO_MANY_PIXELS]
    assert TOO_MANY_PIXELS in response.content.decode()
    assert stored_state() == before


def test_a_bomb_on_an_existing_story_gets_the_clear_message(client_for, people, desk):
    story = draft_with_image(people["writer"], desk, None)
    data = {
        **form_data(story, lead_image_alt="Huge"),
        "lead_image_upload": upload(png_declaring(20_000, 20_000)),
    }

    response = client_for("writer").post(f"/desk/stories/{story.pk}/", data)

    assert response.status_code == 400
    assert response.context["form"].errors["lead_image_upload"] == [TOO_MANY_PIXELS]


def test_a_truncated_photo_is_refused_clearly(client_for, desk):
    photo = photo_with_metadata("JPEG", (400, 300))
    data = new_story_data(
        desk, lead_image_alt="Cut", lead_image_upload=upload(photo[:300], "cut.jpg", "image/jpeg")
    )

    response = client_for("writer").post("/desk/stories/new/", data)

    assert response.status_code == 400
    (message,) = response.context["form"].errors["lead_image_upload"]
    assert message.startswith("The image could not be read")


def test_the_admin_gives_the_clear_message_for_a_bomb(client, people, desk):
    people["admin"].is_superuser = True
    people["admin"].save()
    client.force_login(people["admin"])

    response = client.post(
        "/admin/media/image/add/",
        {"alt_text": "Huge", "file": upload(png_declaring(20_000, 20_000))},
    )

    assert response.status_code == 200
    assert TOO_MANY_PIXELS in response.content.decode()
    assert not Image.objects.exists()


def test_an_upload_over_the_byte_limit_is_refused_clearly(client_for, desk, settings):
    settings.MAX_IMAGE_BYTES = 1024 * 1024
    before = stored_state()
    too_big = upload(b"\x89PNG\r\n\x1a\n" + bytes(1024 * 1024))
    data = new_story_data(desk, lead_image_alt="Big", lead_image_upload=too_big)

    response = client_for("writer").post("/desk/stories/new/", data)

    assert response.status_code == 400
    assert response.context["form"].errors["lead_image_upload"] == [
        "The image is larger than 1 MB."
    ]
    assert stored_state() == before


def test_a_photo_larger_than_the_in_memory_limits_is_accepted(client_for, people, desk):
    # Files do not count against DATA_UPLOAD_MAX_MEMORY_SIZE; above
    # FILE_UPLOAD_MAX_MEMORY_SIZE Django spools them to disk, and so does the re-encoding.
    width, height = 1500, 1400
    picture = PillowImage.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    out = io.BytesIO()
    picture.save(out, "PNG")
    assert len(out.getvalue()) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    story = draft_with_image(people["writer"], desk, None)

    story = upload_to_draft(client_for("writer"), story, out.getvalue(), "big.png", "image/png")

    assert (story.lead_image.width, story.lead_image.height) == (width, height)
    with PillowImage.open(story.lead_image.file.path) as stored:
        assert stored.tobytes() == picture.tobytes()


# Nothing stored for a refused request (item 9) ---------------------------------------


def test_a_refused_save_stores_no_upload(client_for, people, desk):
    story = draft_with_image(people["writer"], desk, None)
    services.submit_story(people["writer"], story)  # the writer may read it, not edit it
    client = client_for("writer")
    before = stored_state()

    for _ in range(2):
        data = {
            **form_data(story, lead_image_alt="A red square"),
            "lead_image_upload": upload(png_bytes()),
        }
        assert client.post(f"/desk/stories/{story.pk}/", data).status_code == 403

    assert stored_state() == before


def test_a_stale_save_stores_no_upload(client_for, people, desk):
    story = draft_with_image(people["writer"], desk, None)
    client = client_for("writer")
    old_page = form_data(story)
    client.post(f"/desk/stories/{story.pk}/", form_data(story, headline="Someone else saved"))
    before = stored_state()

    data = {**old_page, "lead_image_alt": "A red square", "lead_image_upload": upload(png_bytes())}
    response = client.post(f"/desk/stories/{story.pk}/", data)

    assert response.status_code == 409
    assert stored_state() == before
    assert "choose the file again" in response.content.decode()
    merged = response.context["form"]
    assert merged.initial["lead_image_alt"] == "A red square"  # what was typed is kept


def test_a_stale_save_of_new_image_words_stores_no_row(client_for, people, desk):
    story = draft_with_image(people["writer"], desk, stored_image("Old words"))
    client = client_for("writer")
    old_page = form_data(story)
    client.post(f"/desk/stories/{story.pk}/", form_data(story, headline="Someone else saved"))
    before = stored_state()

    save = client.post(f"/desk/stories/{story.pk}/", {**old_page, "lead_image_alt": "New words"})
    autosave = client.post(
        f"/desk/stories/{story.pk}/autosave/", {**old_page, "lead_image_alt": "Newer words"}
    )

    assert (save.status_code, autosave.status_code) == (409, 409)
    assert stored_state() == before
    merged = save.context["form"]
    assert merged.initial["lead_image"] == refresh(story).lead_image
    assert merged.initial["lead_image_alt"] == "New words"


def test_a_save_refused_by_the_story_rules_stores_no_upload(client_for, desk):
    # The form accepts the headline; the story's own rules then refuse it (empty once cleaned).
    before = stored_state()
    image = {"lead_image_alt": "A red square", "lead_image_upload": upload(png_bytes())}
    data = new_story_data(desk, headline="\u202e", **image)

    response = client_for("writer").post("/desk/stories/new/", data)

    assert response.status_code == 400
    assert "A story needs a headline." in response.content.decode()
    assert stored_state() == before


def test_an_invalid_form_stores_no_upload(client_for, people, desk):
    story = draft_with_image(people["writer"], desk, None)
    before = stored_state()

    data = {**form_data(story), "lead_image_upload": upload(png_bytes())}  # no alt text
    response = client_for("writer").post(f"/desk/stories/{story.pk}/", data)

    assert response.status_code == 400
    assert stored_state() == before


def test_an_accepted_upload_is_stored_once(client_for, people, desk):
    story = draft_with_image(people["writer"], desk, None)
    data = {
        **form_data(story, lead_image_alt="A red square"),
        "lead_image_upload": upload(png_bytes()),
    }

    response = client_for("writer").post(f"/desk/stories/{story.pk}/", data)

    assert response.status_code == 302
    count, files = stored_state()
    assert count == 1 and len(files) == 1
    assert refresh(story).lead_image.file.path == str(files[0])


# What is stored: typed by content, without metadata (item 10) ------------------------


def stored_bytes(story: Story) -> bytes:
    return Path(refresh(story).lead_image.file.path).read_bytes()


def upload_to_draft(client, story, content: bytes, name: str, content_type: str) -> Story:
    data = {
        **form_data(story, lead_image_alt="A picture"),
        "lead_image_upload": upload(content, name, content_type),
    }
    response = client.post(f"/desk/stories/{story.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return refresh(story)


def test_a_photo_loses_its_location_and_camera_data(client_for, people, desk):
    story = draft_with_image(people["writer"], desk, None)
    photo = photo_with_metadata("JPEG")
    assert all(canary in photo for canary in CANARIES)

    story = upload_to_draft(client_for("writer"), story, photo, "holiday.jpg", "image/jpeg")

    stored = stored_bytes(story)
    assert not [canary for canary in CANARIES if canary in stored]
    with PillowImage.open(io.BytesIO(stored)) as picture:
        exif = picture.getexif()
        assert ExifTags.IFD.GPSInfo not in exif and not exif.get_ifd(ExifTags.IFD.GPSInfo)
        assert picture.format == "JPEG" and picture.size == (40, 30)
    served = client_for("writer").get(story.lead_image.file.url)
    assert served.status_code == 200 and b"".join(served.streaming_content) == stored


def test_a_photo_taken_sideways_is_stored_upright(client_for, people, desk):
    # Orientation 6: the camera was turned; viewers rotate the picture 90° clockwise.
    story = draft_with_image(people["writer"], desk, None)
    photo = photo_with_metadata("JPEG", (40, 30), orientation=6)

    story = upload_to_draft(client_for("writer"), story, photo, "sideways.jpg", "image/jpeg")

    image = story.lead_image
    assert (image.width, image.height) == (30, 40)
    with PillowImage.open(image.file.path) as picture:
        assert picture.size == (30, 40)
        assert ExifTags.Base.Orientation not in picture.getexif()
        red, _green, blue = picture.convert("RGB").getpixel((15, 5))
        assert red > 150 and blue < 100  # the red left half is now on top


@pytest.mark.parametrize(
    ("content", "name", "content_type", "extension", "served_type"),
    [
        (png_bytes(), "photo.html", "text/html", ".png", "image/png"),
        (photo_with_metadata("JPEG"), "photo.png", "image/png", ".jpg", "image/jpeg"),
        (photo_with_metadata("WEBP"), "photo", "application/octet-stream", ".webp", "image/webp"),
        (photo_with_metadata("GIF"), "photo.svg", "image/svg+xml", ".gif", "image/gif"),
    ],
    ids=["png named html", "jpeg named png", "webp without a name", "gif named svg"],
)
def test_the_decoded_format_names_and_types_the_stored_file(
    client_for, people, desk, content, name, content_type, extension, served_type
):
    story = draft_with_image(people["writer"], desk, None)

    story = upload_to_draft(client_for("writer"), story, content, name, content_type)

    assert Path(story.lead_image.file.name).suffix == extension
    served = client_for("writer").get(story.lead_image.file.url)
    assert served.status_code == 200
    assert served["Content-Type"] == served_type
    assert served["X-Content-Type-Options"] == "nosniff"
