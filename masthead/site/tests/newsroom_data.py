"""A small newsroom for the distribution tests (feeds, sitemaps, structured data, HTTP)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile

from masthead.factories import (
    editor_of,
    make_author,
    make_desk,
    make_label,
    make_outlet,
    make_story,
    make_tag,
)
from masthead.media.models import Image
from masthead.media.tests.images import png_bytes
from masthead.newsroom.models import Author, Desk, Outlet
from masthead.stories import services
from masthead.stories.models import Label, Story, Tag


@dataclass
class Newsroom:
    outlet: Outlet
    desk: Desk
    reporter: Author
    staff: Author
    tag: Tag
    label: Label
    image: Image
    story: Story
    editor: object


def make_image(alt: str = "Delegates at the table", width: int = 40, height: int = 24) -> Image:
    image = Image(alt_text=alt, caption="Talks in Vienna", credit="Masthead photo")
    image.file.save("photo.png", ContentFile(png_bytes(width, height)), save=False)
    image.save()
    return image


def make_newsroom() -> Newsroom:
    outlet = make_outlet(name="Iran Front Page", short_name="IFP", email="news@ifp.example")
    desk = make_desk("Politics", email="politics@ifp.example")
    reporter = make_author("Nima Sadeghi", job_title="Journalist")
    staff = make_author("IFP Editorial Staff", kind=Author.Kind.COLLECTIVE)
    tag = make_tag("Iran")
    label = make_label("Analysis", kind=Label.Kind.ANALYSIS)
    image = make_image()
    story = make_story(
        "Talks resume in Vienna",
        desk=desk,
        authors=[reporter, staff],
        tags=[tag],
        label=label,
        dek="Negotiators return to the table.",
        dateline="Tehran",
        body="<p>First paragraph of the report.</p><p>Second paragraph.</p>",
        lead_image=image,
        age=timedelta(hours=2),
    )
    services.snapshot_revision(story)
    return Newsroom(
        outlet=outlet,
        desk=desk,
        reporter=reporter,
        staff=staff,
        tag=tag,
        label=label,
        image=image,
        story=story,
        editor=editor_of(desk),
    )


def publish_update(newsroom: Newsroom, story: Story, **changes) -> Story:
    """Edit ``story`` as an editor does and publish the update: what readers see changes."""
    save_draft_edit(newsroom, story, **changes)
    return services.publish_update(newsroom.editor, Story.objects.get(pk=story.pk))


def save_draft_edit(newsroom: Newsroom, story: Story, **changes) -> Story:
    """Save an edit of a live story without publishing it: readers must see no change."""
    story = Story.objects.get(pk=story.pk)
    content = services.Content.of(story)
    for name, value in changes.items():
        setattr(content, name, value)
    services.save_story(newsroom.editor, story, content, story.latest_revision_id)
    return Story.objects.get(pk=story.pk)
