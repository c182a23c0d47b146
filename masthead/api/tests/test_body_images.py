"""Body figures through the desk API: the image must be one the client's user may see, and
publishing needs alt text on every image the story shows (422 otherwise)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from masthead.api.tests.conftest import nothing_written
from masthead.api.tests.test_desk_views import create, move
from masthead.factories import make_story
from masthead.media.figures import figure_html
from masthead.media.models import Image, ImageUse
from masthead.media.tests.images import png_bytes
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db


def image(alt: str = "A picture", colour=(1, 2, 3), **words) -> Image:
    made = Image(alt_text=alt, **words)
    made.file.save("p.png", ContentFile(png_bytes(40, 24, colour)), save=False)
    made.save()
    return made


def public_image(alt: str = "A picture", colour=(1, 2, 3)) -> Image:
    """An image readers already see: the lead image of a live story."""
    shown = image(alt, colour)
    make_story(lead_image=shown)
    return shown


def ready(as_writer, as_editor, body: str) -> int:
    response = create(as_writer, body=body)
    assert response.status_code == 201, response.content
    story_id = response.json()["id"]
    move(as_writer, story_id, "submit")
    move(as_editor, story_id, "claim")
    return story_id


def test_a_figure_of_a_visible_image_is_saved_with_its_own_file(as_writer, newsroom):
    shown = public_image()
    # The client's src and alt are not trusted: the id decides.
    sent = figure_html(shown, "Caption", "Credit").replace(shown.file.url, "/media/other.png")

    response = create(as_writer, body=f"<p>Text.</p>{sent}")

    assert response.status_code == 201, response.content
    body = response.json()["content"]["body"]
    assert f'<figure data-image="{shown.pk}"><img src="{shown.file.url}"' in body
    story = Story.objects.get(pk=response.json()["id"])
    assert ImageUse.objects.get(story=story, image=shown).role == ImageUse.Role.BODY


@pytest.mark.parametrize("which", ["hidden", "missing"])
def test_a_figure_naming_an_image_the_user_may_not_see_is_refused(as_writer, newsroom, which):
    hidden = image("Secret")  # no story shows it: nobody but its uploader's stories
    pk = hidden.pk if which == "hidden" else 999_999
    body = f'<figure data-image="{pk}"><img src="{hidden.file.url}"></figure>'

    with nothing_written():
        response = create(as_writer, body=body, headline="Refused")

    assert response.status_code == 422
    assert f"image {pk}, which does not exist or which you may not use" in response.json()["detail"]
    assert not Story.objects.filter(headline="Refused").exists()


def test_publishing_a_body_image_without_alt_text_is_refused(as_writer, as_editor, newsroom):
    wordless = public_image("", colour=(4, 4, 4))
    Image.objects.filter(pk=wordless.pk).update(alt_text="", caption="The square at night")
    story_id = ready(as_writer, as_editor, figure_html(Image.objects.get(pk=wordless.pk)))

    with nothing_written():
        response = move(as_editor, story_id, "publish")

    assert response.status_code == 422
    detail = response.json()["detail"]
    assert f"the body image {wordless.pk} (“The square at night”) has no alt text" in detail
    assert not Story.objects.get(pk=story_id).is_live()

    Image.objects.filter(pk=wordless.pk).update(decorative=True)
    assert move(as_editor, story_id, "publish").status_code == 200
    assert Story.objects.get(pk=story_id).is_live()
