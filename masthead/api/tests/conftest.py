"""Fixtures of the API tests: a small newsroom, staff with tokens, JSON requests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from masthead.api.services import issue_token
from masthead.factories import (
    editor_of,
    make_author,
    make_desk,
    make_label,
    make_staff,
    make_story,
    make_tag,
)
from masthead.media.models import Image
from masthead.media.tests.images import png_bytes
from masthead.newsroom.models import AuditEvent, Author, Desk, StaffRole
from masthead.stories import services
from masthead.stories.models import (
    Byline,
    ContentVersion,
    Correction,
    EditLock,
    Label,
    Revision,
    Story,
    StorySlug,
    Tag,
)


@pytest.fixture(autouse=True)
def api_rate_limits(settings):
    """Limits as shipped, whatever the environment says; tests that need others set them."""
    settings.API_RATE_LIMIT = "120/min"
    settings.API_PUBLIC_RATE_LIMIT = "off"


@dataclass
class Newsroom:
    desk: Desk
    other_desk: Desk
    reporter: Author
    staff: Author
    tag: Tag
    label: Label
    image: Image
    story: Story


def make_image(alt: str = "Delegates at the table") -> Image:
    image = Image(alt_text=alt, caption="Talks in Vienna", credit="Reuters/Jane Doe")
    image.file.save("photo.png", ContentFile(png_bytes(40, 24)), save=False)
    image.save()
    return image


@pytest.fixture
def newsroom(db) -> Newsroom:
    desk = make_desk("Politics", email="politics@example.org")
    other_desk = make_desk("Economy")
    reporter = make_author("Nima Sadeghi", job_title="Journalist")
    staff = make_author("IFP Editorial Staff", kind=Author.Kind.COLLECTIVE)
    tag = make_tag("Iran")
    label = make_label("IFP Exclusive", kind=Label.Kind.EXCLUSIVE)
    image = make_image()
    story = make_story(
        "Talks resume in Vienna",
        desk=desk,
        authors=[reporter, staff],
        tags=[tag, make_tag("Nuclear talks")],
        label=label,
        dek="Negotiators return to the table.",
        dateline="Tehran",
        body="<p>First paragraph of the report.</p><p>Second paragraph.</p>",
        lead_image=image,
        age=timedelta(hours=2),
    )
    services.snapshot_revision(story)
    return Newsroom(desk, other_desk, reporter, staff, tag, label, image, story)


def bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(user, 'tests').raw}"}


@pytest.fixture
def editor(newsroom):
    return editor_of(newsroom.desk)


@pytest.fixture
def writer(newsroom):
    return make_staff(StaffRole.Role.WRITER, newsroom.desk)


class JsonClient:
    """Django's test client speaking JSON with a bearer token."""

    def __init__(self, client, headers: dict[str, str] | None = None):
        self.client = client
        self.headers = headers or {}

    def request(self, method: str, path: str, payload=None, **headers):
        body = b"" if payload is None else json.dumps(payload)
        return self.client.generic(
            method,
            path,
            body,
            content_type="application/json",
            headers={**self.headers, **headers},
        )

    def get(self, path, **headers):
        return self.request("GET", path, **headers)

    def post(self, path, payload=None, **headers):
        return self.request("POST", path, payload, **headers)

    def put(self, path, payload=None, **headers):
        return self.request("PUT", path, payload, **headers)


@pytest.fixture
def as_editor(client, editor) -> JsonClient:
    return JsonClient(client, bearer(editor))


@pytest.fixture
def as_writer(client, writer) -> JsonClient:
    return JsonClient(client, bearer(writer))


def _written_state() -> dict:
    """Everything a write through the API could leave behind."""
    media = Path(settings.MEDIA_ROOT)
    return {
        "stories": list(Story.objects.order_by("pk").values()),
        "tags": list(Story.tags.through.objects.order_by("pk").values_list("story", "tag")),
        "bylines": list(Byline.objects.order_by("pk").values()),
        "revisions": list(Revision.objects.order_by("pk").values_list("pk", flat=True)),
        "corrections": Correction.objects.count(),
        "slugs": StorySlug.objects.count(),
        "locks": EditLock.objects.count(),
        "audit": list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True)),
        "versions": sorted(ContentVersion.objects.values_list("scope", "counter")),
        "images": Image.objects.count(),
        "files": sorted(str(path) for path in media.rglob("*")) if media.exists() else [],
    }


@contextmanager
def nothing_written() -> Iterator[None]:
    """Asserts that the requests inside left no trace: a refused write changes nothing.

    No story row or field, tag, byline, revision, correction, slug, lock, audit
    row, content version (so no cache or ETag moves), image row or stored file.
    """
    before = _written_state()
    yield
    after = _written_state()
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"a refused request changed {changed}"
