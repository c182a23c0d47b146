"""The staff API takes no image choice: lead images are chosen in the back office only.

Every image choice goes through the back office's rule (an image the person
may see, ``stories.image_visibility``); the API must not become a way
around it, so a ``lead_image`` in a write is refused and changes nothing.
"""

from __future__ import annotations

import pytest

from masthead.api.tests.conftest import make_image
from masthead.media.models import Image
from masthead.stories.models import Revision, Story

pytestmark = pytest.mark.django_db


def test_creating_a_story_with_a_lead_image_is_refused(as_writer, newsroom):
    secret = make_image("Another desk's secret")
    before = (Story.objects.count(), Revision.objects.count(), Image.objects.count())

    response = as_writer.post(
        "/api/desk/stories", {"headline": "Mine", "desk": "politics", "lead_image": secret.pk}
    )

    assert response.status_code == 422, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert (Story.objects.count(), Revision.objects.count(), Image.objects.count()) == before


def test_saving_a_story_with_a_lead_image_is_refused(as_writer, newsroom):
    secret = make_image("Another desk's secret")
    created = as_writer.post("/api/desk/stories", {"headline": "Mine", "desk": "politics"}).json()
    content = {"base_revision": created["latest_revision"], **created["content"]}

    response = as_writer.put(
        f"/api/desk/stories/{created['id']}", {**content, "lead_image": secret.pk}
    )

    assert response.status_code == 422, response.content
    story = Story.objects.get(pk=created["id"])
    assert story.lead_image is None and story.revisions.count() == 1
