"""Auto-publish rules: only on an editor's rule, through the publish services, in their name."""

from __future__ import annotations

import pytest

from masthead.factories import editor_of, make_desk, make_staff
from masthead.newsroom.audit import events_for
from masthead.newsroom.models import StaffRole
from masthead.stories.models import Story
from masthead.wire import ingest
from masthead.wire.items import Status
from masthead.wire.models import StoryBasis, WireItem
from masthead.wire.tests.pipeline_support import ahead, copy, feed, make_rule, make_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    return make_desk("Media Wire")


@pytest.fixture
def editor(desk):
    return editor_of(desk)


@pytest.fixture
def source(desk):
    return make_source("Reuters", desk=desk)


def test_nothing_is_published_without_an_auto_publish_rule(source, editor):
    make_rule(source, keywords="quake")  # routing only
    report = ingest.store(source, feed(copy("urn:a", headline="Quake")))
    assert report.published == []
    assert not Story.objects.exists()


def test_an_auto_publish_rule_publishes_through_the_workflow_as_its_editor(source, editor):
    make_rule(source, auto_publish=True, publish_as=editor)
    report = ingest.store(
        source,
        feed(copy("urn:a", headline="Quake hits Tehran", body_html="<p>Strong.</p>", dek="Big.")),
    )

    story = Story.objects.get()
    assert report.published == [story.pk]
    assert story.is_live()
    assert (story.headline, story.body, story.dek, story.desk) == (
        "Quake hits Tehran",
        "<p>Strong.</p>",
        "Big.",
        source.desk,
    )
    assert [author.name for author in story.authors.all()] == ["Reuters"]
    basis = StoryBasis.objects.get()
    assert (basis.story, basis.item.provider_id, basis.added_by, basis.auto_published) == (
        story,
        "urn:a",
        editor,
        True,
    )
    actions = [(event.action, event.actor) for event in events_for(story).order_by("pk")]
    assert actions == [
        ("create", editor),
        ("submit", editor),
        ("claim", editor),
        ("approve", editor),
        ("publish", editor),
    ]
    assert story.published_revision is not None
    assert story.published_revision.note.startswith("From the wire")


def test_an_embargoed_item_is_scheduled_under_embargo(source, editor):
    make_rule(source, auto_publish=True, publish_as=editor)
    until = ahead(hours=2)
    ingest.store(source, feed(copy("urn:a", embargoed_until=until)))
    story = Story.objects.get()
    assert story.status == Story.Status.SCHEDULED
    assert story.embargoed_until == until
    assert not story.is_live()


def test_an_editor_without_rights_on_the_desk_publishes_nothing(source):
    outsider = editor_of(make_desk("Sport"))
    make_rule(source, auto_publish=True, publish_as=outsider)
    report = ingest.store(source, feed(copy("urn:a")))
    assert report.created == ["urn:a"] and report.published == []
    assert not Story.objects.exists()
    assert any("Not auto-published" in problem for problem in WireItem.objects.get().problems)


def test_a_writer_cannot_auto_publish(source, desk):
    writer = make_staff(StaffRole.Role.WRITER, desk)
    make_rule(source, auto_publish=True, publish_as=writer)
    ingest.store(source, feed(copy("urn:a")))
    assert not Story.objects.exists()
    assert not StoryBasis.objects.exists()


def test_a_rule_without_an_editor_killed_or_duplicate_copy_is_not_published(source, editor):
    make_rule(source, position=0, keywords="orphan", auto_publish=True)
    make_rule(source, position=1, auto_publish=True, publish_as=editor)
    text = {"body_html": "<p>The same copy from two places, word for word.</p>"}
    ingest.store(
        source,
        feed(
            copy("orphan", headline="Orphan rule"),
            copy("killed", status=Status.CANCELED),
            copy("first", headline="Same", **text),
            copy("second", headline="Same", **text),
        ),
    )
    published = Story.objects.values_list("wire_basis__item__provider_id", flat=True)
    original = WireItem.objects.get(provider_id__in=["first", "second"], duplicate_of=None)
    assert list(published) == [original.provider_id]


def test_a_later_version_updates_an_untouched_auto_published_story(source, editor):
    make_rule(source, auto_publish=True, publish_as=editor)
    ingest.store(source, feed(copy("urn:a", version="1", headline="First take")))
    ingest.store(source, feed(copy("urn:a", version="2", headline="Fuller take")))
    story = Story.objects.get()
    assert story.headline == "Fuller take" and story.is_live()
    assert story.revisions.count() == 2


def test_wire_copy_cannot_name_the_outlets_library_images(source, editor):
    # An agency's figure naming image 7 would make image 7 public on auto-publish.
    from django.core.files.base import ContentFile

    from masthead.media.models import Image, ImageUse
    from masthead.media.tests.images import png_bytes

    secret = Image(alt_text="Embargoed picture")
    secret.file.save("p.png", ContentFile(png_bytes(40, 24)), save=False)
    secret.save()
    make_rule(source, auto_publish=True, publish_as=editor)
    body = (
        f'<p>Text.</p><figure data-image="{secret.pk}"><img src="{secret.file.url}">'
        '<figcaption>Caption</figcaption></figure><figure data-gallery=""></figure>'
    )

    ingest.store(source, feed(copy("urn:a", headline="Quake", body_html=body)))

    story = Story.objects.get()
    assert story.is_live()
    assert "data-image" not in story.body and "data-gallery" not in story.body
    assert "<figcaption>Caption</figcaption>" in story.body
    assert not ImageUse.objects.filter(image=secret).exists()
