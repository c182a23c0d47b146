"""The alt text rule on every publishing path, and the uses body figures leave (ImageUse)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from masthead.factories import make_desk, make_staff
from masthead.media import alt_text
from masthead.media.figures import figure_html, gallery_html
from masthead.media.models import Image, ImageUse
from masthead.media.tests.images import png_bytes
from masthead.newsroom.models import StaffRole
from masthead.stories import services
from masthead.stories.models import Story
from masthead.stories.services import Content

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    return make_staff(StaffRole.Role.DESK_EDITOR, make_desk("Politics"), username="editor")


def image(alt: str = "A picture", colour=(1, 2, 3), **words) -> Image:
    made = Image(alt_text=alt, **words)
    made.file.save("p.png", ContentFile(png_bytes(40, 24, colour)), save=False)
    made.save()
    return made


def claimed(editor, **content) -> Story:
    story = services.create_story(
        editor, Content(headline="A story", desk=editor.staff_roles.first().desk, **content)
    )
    services.submit_story(editor, story)
    services.claim_story(editor, story)
    return Story.objects.get(pk=story.pk)


def test_body_figures_and_galleries_are_recorded_as_uses(editor):
    first, second, third = image(), image(colour=(2, 2, 2)), image(colour=(3, 3, 3))
    gallery = gallery_html([figure_html(second), figure_html(third)])
    story = claimed(editor, body=figure_html(first) + gallery, lead_image=first)

    uses = {(use.image_id, use.role) for use in ImageUse.objects.filter(story=story)}
    assert uses == {(first.pk, "lead"), (first.pk, "body"), (second.pk, "body"), (third.pk, "body")}

    services.publish_story(editor, story)
    published = ImageUse.objects.filter(story=story, in_published=True)
    assert set(published.values_list("image_id", "role")) == uses

    story = Story.objects.get(pk=story.pk)
    content = Content.of(story.latest_revision)
    content.body = figure_html(second)
    services.save_story(editor, story, content, story.latest_revision_id)
    working = ImageUse.objects.filter(story=story, in_working=True)
    assert set(working.values_list("image_id", "role")) == {(first.pk, "lead"), (second.pk, "body")}
    assert set(published.values_list("image_id", "role")) == uses  # readers' copy unchanged


@pytest.mark.parametrize("where", ["lead", "body"])
def test_an_image_without_alt_text_stops_publishing_and_is_named(editor, where):
    wordless = image("", caption="Crowd at the rally")
    Image.objects.filter(pk=wordless.pk).update(alt_text="")
    wordless.refresh_from_db()
    content = {"lead_image": wordless} if where == "lead" else {"body": figure_html(wordless)}
    story = claimed(editor, **content)

    with pytest.raises(ValidationError) as refused:
        services.publish_story(editor, story)

    (message,) = refused.value.messages
    assert f"{'the lead image' if where == 'lead' else 'the body image'} {wordless.pk}" in message
    assert "“Crowd at the rally”" in message and "mark it decorative" in message
    assert not Story.objects.get(pk=story.pk).is_live()


def test_scheduling_and_republishing_meet_the_rule_too(editor):
    from datetime import timedelta

    from django.utils import timezone

    wordless = image("")
    Image.objects.filter(pk=wordless.pk).update(alt_text="")
    story = claimed(editor, body=figure_html(Image.objects.get(pk=wordless.pk)))

    with pytest.raises(ValidationError, match="has no alt text"):
        services.schedule_story(editor, story, timezone.now() + timedelta(hours=1))


def test_a_decorative_image_needs_no_alt_text(editor):
    ornament = image("", decorative=True)
    story = claimed(editor, body=figure_html(ornament))

    services.publish_story(editor, story)

    assert Story.objects.get(pk=story.pk).is_live()
    assert alt_text.images_without_alt(Story.objects.get(pk=story.pk).published_revision) == []
