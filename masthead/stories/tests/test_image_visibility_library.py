"""``image_visibility.staff_can_see`` for media library uploads: who sees a picture before
any story uses it, and how a story's use takes over."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from masthead.factories import make_desk, make_staff, make_story, make_user
from masthead.media import services
from masthead.media.models import ImageUse
from masthead.media.tests.embedded import jpeg
from masthead.newsroom.models import StaffRole
from masthead.stories import image_visibility

R = StaffRole.Role


@pytest.fixture
def people(db):
    politics, economy = make_desk("Politics"), make_desk("Economy")
    return {
        "politics": politics,
        "economy": economy,
        "uploader": make_staff(R.WRITER, politics, username="uploader"),
        "colleague": make_staff(R.WRITER, politics, username="colleague"),
        "editor": make_staff(R.DESK_EDITOR, politics, username="editor"),
        "other_editor": make_staff(R.DESK_EDITOR, economy, username="other_editor"),
        "chief": make_staff(R.CHIEF_EDITOR, None, username="chief"),
        "admin": make_staff(R.ADMINISTRATOR, None, username="admin"),
        "reader": make_user("reader"),
    }


def uploaded(people):
    upload = SimpleUploadedFile("a.jpg", jpeg(), "image/jpeg")
    return services.upload_image(people["uploader"], upload, desk=people["politics"])


def sees(people, image) -> set[str]:
    ids = image_visibility.image_ids(image.file.name)
    names = ("uploader", "colleague", "editor", "other_editor", "chief", "admin", "reader")
    return {name for name in names if image_visibility.staff_can_see(people[name], ids)}


def test_an_unused_upload_is_seen_by_its_uploader_its_desks_editors_and_chief_editors(people):
    image = uploaded(people)
    assert sees(people, image) == {"uploader", "editor", "chief"}
    assert not image_visibility.public_scopes(image_visibility.image_ids(image.file.name))


def test_once_an_embargoed_story_uses_it_the_storys_readers_see_it(people):
    image = uploaded(people)
    draft = make_story(
        "Embargoed", desk=people["economy"], status="draft", published_at=None, age=None
    )
    ImageUse.objects.create(image=image, story=draft, role="body", in_working=True)
    assert sees(people, image) == {"other_editor", "chief"}


def test_a_lead_image_in_a_revision_counts_as_used(people):
    image = uploaded(people)
    make_story(
        "Draft",
        desk=people["economy"],
        status="draft",
        published_at=None,
        age=None,
        lead_image=image,
    )
    assert sees(people, image) == {"other_editor", "chief"}
