"""Issue 12 from end to end, through the back office's own pages and the public site.

A writer uploads several photos (carrying GPS), gives them words, moves a
focal point, puts two of them in a story's body with captions and submits;
the editor publishes. Readers then get ``srcset`` renditions with no location
in any file, and a reader and an editor both find the story by a word of its
body. Runs on both databases (the suite's SQLite and PostgreSQL passes), so
both search engines are covered.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PillowImage

from masthead.backoffice.tests.editor_posts import form_data
from masthead.media.figures import figure_html
from masthead.media.models import Image
from masthead.media.tests.images import photo_with_metadata
from masthead.stories import services
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db

WORD = "pistachio"  # only in the body, never in the headline or the dek


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_writer_illustrates_a_story_and_readers_and_editors_find_it(
    client, client_for, people, desk, django_capture_on_commit_callbacks
):
    writer = client_for("writer")
    photos = [
        SimpleUploadedFile(f"photo-{n}.jpg", photo_with_metadata(size=(900, 600)), "image/jpeg")
        for n in range(3)
    ]
    with django_capture_on_commit_callbacks(execute=True):  # the renditions' task runs
        uploaded = writer.post("/desk/media/upload/", {"desk": desk.pk, "files": photos})
    assert uploaded.status_code == 302
    images = list(Image.objects.filter(uploaded_by=people["writer"]).order_by("pk"))
    assert len(images) == 3 and all(image.renditions.exists() for image in images)

    first, second = images[0], images[1]
    for image, alt in ((first, "Farmers sort nuts"), (second, "A drying yard at dusk")):
        words = {"alt_text": alt, "caption": "", "credit": "Staff photographer", "source": ""}
        response = writer.post(f"/desk/media/{image.pk}/", {**words, "copyright": ""})
        assert response.status_code == 302, response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        moved = writer.post(
            f"/desk/media/{first.pk}/focal-point/", {"focal_x": "0.2", "focal_y": "0.7"}
        )
    assert moved.status_code == 302
    first.refresh_from_db()
    assert (first.focal_x, first.focal_y) == (0.2, 0.7)
    assert first.renditions.filter(crop="16x9", focal_x=0.2, focal_y=0.7).exists()

    body = (
        f"<p>Growers in Rafsanjan say the {WORD} harvest fell by a third.</p>"
        + figure_html(first, caption="Sorting the harvest in Rafsanjan")
        + "<p>Prices at the bazaar rose with it.</p>"
        + figure_html(second, caption="A drying yard outside Kerman")
    )
    created = writer.post(
        "/desk/stories/new/",
        form_data(headline="A poor year for Kerman's growers", desk=desk.pk, body=body),
    )
    assert created.status_code == 302
    story = Story.objects.get(headline="A poor year for Kerman's growers")
    services.submit_story(people["writer"], story)
    editor = client_for("editor")
    services.claim_story(people["editor"], story)
    story.refresh_from_db()
    published = editor.post(f"/desk/stories/{story.pk}/", form_data(story, action="publish"))
    assert published.status_code == 302
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED

    page = client.get(story.get_absolute_url()).content.decode()
    assert "Sorting the harvest in Rafsanjan" in page and "A drying yard outside Kerman" in page
    pictures = re.findall(r"<picture>.*?</picture>", page, re.S)
    shown = [p for p in pictures if 'alt="Farmers sort nuts"' in p or "A drying yard" in p]
    assert len(shown) == 2
    addresses = set()
    for picture in shown:
        assert 'type="image/avif"' in picture and 'type="image/webp"' in picture
        for srcset in re.findall(r'srcset="([^"]+)"', picture):
            addresses.update(part.split()[0] for part in srcset.split(", "))
    assert len(addresses) >= 6
    for address in addresses:
        response = client.get(address.replace("&amp;", "&"))
        assert response.status_code == 200, address
        data = body_of(response)
        with PillowImage.open(io.BytesIO(data)) as decoded:
            assert not decoded.getexif(), address
            assert "xmp" not in decoded.info and "exif" not in decoded.info
        assert b"canary" not in data and b"GPS" not in data

    found = client.get("/search/", {"q": WORD}).content.decode()
    assert story.get_absolute_url() in found
    desk_search = editor.get("/desk/search/", {"q": WORD}).content.decode()
    assert f"/desk/stories/{story.pk}/" in desk_search
