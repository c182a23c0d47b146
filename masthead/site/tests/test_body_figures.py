"""Images inside story bodies, as readers, crawlers and partners get them.

A body figure's file is public only while a live story's published revision
shows it; staff who may read the story see it; a preview link opens the
images of its revision. Readers get each figure's picture from its image id
(the ``{% picture %}`` tag's markup), and JSON-LD, ninjs, the image sitemap
and the feeds list body images next to the lead image, only for what is
public.
"""

from __future__ import annotations

from datetime import UTC

import feedparser
import pytest
from django.core.files.base import ContentFile
from django.test import Client
from lxml import etree

from masthead.api.tests.test_ninjs import assert_valid as assert_valid_ninjs
from masthead.factories import make_desk, make_preview_link, make_staff, take_to
from masthead.media.figures import figure_html, gallery_html
from masthead.media.models import Image, ImageUse
from masthead.media.tests.images import png_bytes
from masthead.newsroom.models import StaffRole
from masthead.site.tests.test_reporting import assert_valid as assert_valid_json_ld
from masthead.site.tests.test_sitemaps import NS, PARSER, _schema
from masthead.site.tests.test_structured_data import article_of
from masthead.stories import services
from masthead.stories.models import Story
from masthead.stories.services import Content

pytestmark = pytest.mark.django_db
R = StaffRole.Role


@pytest.fixture(autouse=True)
def no_second_factor(settings):
    settings.REQUIRE_2FA_FOR = []


@pytest.fixture
def newsroom(db):
    politics, economy = make_desk("Politics"), make_desk("Economy")
    return {
        "politics": politics,
        "editor": make_staff(R.DESK_EDITOR, politics, username="editor"),
        "writer": make_staff(R.WRITER, politics, username="writer"),
        "other_editor": make_staff(R.DESK_EDITOR, economy, username="other_editor"),
    }


def make_image(alt: str = "A picture", colour=(10, 120, 200), **words) -> Image:
    image = Image(file=ContentFile(png_bytes(40, 24, colour), name="p.png"), alt_text=alt, **words)
    image.full_clean()
    image.save()
    return image


def body_with(*images: Image) -> str:
    figures = "".join(figure_html(image, f"Caption {image.pk}", "Staff") for image in images)
    return f"<p>Opening paragraph.</p>{figures}<p>Closing paragraph.</p>"


def story_showing(newsroom, images, step: str = "published", **content) -> Story:
    editor = newsroom["editor"]
    story = services.create_story(
        editor,
        Content(
            headline=f"A {step} story",
            desk=newsroom["politics"],
            body=body_with(*images),
            **content,
        ),
    )
    return take_to(editor, story, step)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def status(client: Client, url: str) -> int:
    return client.get(url).status_code


# The media gate -----------------------------------------------------------------


@pytest.mark.parametrize("step", ["draft", "scheduled", "embargoed", "withdrawn"])
def test_a_body_image_of_a_hidden_story_is_no_file_to_the_public(client, newsroom, step):
    image = make_image()
    story_showing(newsroom, [image], step)

    assert status(client, image.file.url) == 404
    assert status(signed_in(newsroom["other_editor"]), image.file.url) == 404
    assert status(signed_in(newsroom["editor"]), image.file.url) == 200  # the desk reads it


def test_a_body_image_of_a_live_story_is_public_with_the_storys_surrogate_key(client, newsroom):
    image = make_image()
    story = story_showing(newsroom, [image])

    response = client.get(image.file.url)

    assert response.status_code == 200
    assert f"story:{story.pk}" in response["Surrogate-Key"].split()
    assert "public" in response["Cache-Control"]
    assert ImageUse.objects.get(image=image, story=story).in_published


def test_withdrawing_takes_the_body_images_down_with_the_page(client, newsroom):
    image = make_image()
    story = story_showing(newsroom, [image])
    assert status(client, image.file.url) == 200

    services.withdraw_story(newsroom["editor"], story, "Legal advice")

    assert status(client, image.file.url) == 404


def test_a_figure_added_in_an_unpublished_revision_stays_shut(client, newsroom):
    shown, added = make_image(), make_image(colour=(200, 10, 10))
    story = story_showing(newsroom, [shown])
    content = Content.of(story)
    content.body = body_with(shown, added)
    services.save_story(newsroom["editor"], story, content, story.latest_revision_id)

    assert status(client, shown.file.url) == 200
    assert status(client, added.file.url) == 404
    assert status(signed_in(newsroom["editor"]), added.file.url) == 200
    page = client.get(story.get_absolute_url()).content.decode()
    assert added.file.url not in page
    assert article_of(client, story)["image"][-1]["url"].endswith(shown.file.url)


def test_a_preview_link_opens_the_body_images_of_its_revision(client, newsroom):
    image, elsewhere = make_image(), make_image(colour=(0, 200, 0))
    story = story_showing(newsroom, [image], "scheduled")
    story_showing(newsroom, [elsewhere], "draft")
    token = make_preview_link(story.latest_revision)

    assert status(client, f"{image.file.url}?preview={token}") == 200
    assert status(client, f"{elsewhere.file.url}?preview={token}") == 404
    assert status(client, f"{image.file.url}?preview=not-a-token") == 404
    preview = client.get(f"/preview/{token}/").content.decode()
    assert f'src="{image.file.url}?preview={token}"' in preview


# The article page ---------------------------------------------------------------


def test_the_article_renders_each_figure_from_its_image(client, newsroom):
    first = make_image("Delegates at the table")
    second = make_image("The hall from above", colour=(0, 0, 0))
    decorative = make_image("", colour=(9, 9, 9), decorative=True)
    story = story_showing(newsroom, [first, second, decorative])
    # A stored src that no longer matches its id (edited by hand): the id wins.
    Story.objects.filter(pk=story.pk).update(
        body=story.body.replace(first.file.url, second.file.url, 1)
    )

    html = client.get(story.get_absolute_url()).content.decode()

    assert html.count(f'src="{first.file.url}"') == 1
    assert html.count(f'src="{second.file.url}"') == 1
    assert f'alt="Delegates at the table" width="{first.width}"' in html
    assert f'src="{decorative.file.url}" alt=""' in html
    assert f'<figcaption>Caption {first.pk} <span class="credit">Staff</span></figcaption>' in html
    assert 'loading="lazy"' in html


def test_a_gallery_renders_as_a_grid_of_figures(client, newsroom):
    images = [make_image(f"Picture {n}", colour=(n * 40, 0, 0)) for n in range(3)]
    body = gallery_html((figure_html(image) for image in images), caption="The day in pictures")
    story = story_showing(newsroom, [])
    content = Content.of(story)
    content.body = f"<p>Text.</p>{body}"
    services.save_story(newsroom["editor"], story, content, story.latest_revision_id)
    services.publish_update(newsroom["editor"], Story.objects.get(pk=story.pk))

    html = client.get(story.get_absolute_url()).content.decode()

    assert '<figure data-gallery="">' in html
    assert "<figcaption>The day in pictures</figcaption>" in html
    for image in images:
        assert f'src="{image.file.url}"' in html
        assert status(client, image.file.url) == 200


# Machine surfaces ---------------------------------------------------------------


def test_json_ld_lists_lead_and_body_images_and_validates(client, newsroom):
    lead = make_image("Lead", credit="Lead credit")
    body_image = make_image(
        "In the body",
        colour=(1, 2, 3),
        caption="Stored caption",
        credit="Reuters",
        copyright="© 2026 Reuters",
        usage_terms="https://reuters.example/licence",
    )
    story = story_showing(newsroom, [body_image], lead_image=lead)

    article = article_of(client, story)

    assert_valid_json_ld(article)
    urls = [image["url"] for image in article["image"]]
    assert urls[0].endswith(lead.file.url) and urls[1].endswith(body_image.file.url)
    assert article["image"][1] | {} == {
        "@type": "ImageObject",
        "url": "http://testserver" + body_image.file.url,
        "width": 40,
        "height": 24,
        "caption": "Stored caption",
        "creditText": "Reuters",
        "copyrightNotice": "© 2026 Reuters",
        "license": "https://reuters.example/licence",
    }


def test_ninjs_associations_carry_body_images_and_validate(client, newsroom):
    lead = make_image("Lead")
    first = make_image("First", colour=(5, 5, 5), usage_terms="Editorial use only")
    second = make_image("Second", colour=(6, 6, 6), copyright="© Agency")
    story = story_showing(newsroom, [first, second], lead_image=lead)

    item = client.get(f"/api/stories/{story.pk}/ninjs").json()

    assert_valid_ninjs(item)
    names = [association["name"] for association in item["associations"]]
    assert names == ["leadimage", "bodyimage1", "bodyimage2"]
    assert item["associations"][1]["uri"] == "http://testserver" + first.file.url
    assert item["associations"][1]["usageterms"] == "Editorial use only"
    assert item["associations"][2]["copyrightnotice"] == "© Agency"


def test_the_image_sitemap_lists_body_images_and_validates(client, newsroom):
    lead, body_image = make_image("Lead"), make_image("Body", colour=(7, 7, 7))
    story = story_showing(newsroom, [body_image, lead], lead_image=lead)
    hidden = make_image("Draft only", colour=(8, 8, 8))
    story_showing(newsroom, [hidden], "draft")
    month = f"{story.published_at.astimezone(UTC):%Y-%m}"

    response = client.get(f"/sitemaps/stories-{month}.xml")

    document = etree.fromstring(response.content, PARSER)
    schema = _schema("sitemap-with-extensions.xsd")
    assert schema.validate(document), schema.error_log
    images = document.xpath("//image:image/image:loc/text()", namespaces=NS)
    assert images == [
        "http://testserver" + lead.file.url,
        "http://testserver" + body_image.file.url,
    ]


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_feeds_carry_body_images_as_media_content(client, newsroom, url):
    lead, first, second = (make_image(f"Image {n}", colour=(n, n, n)) for n in range(3))
    story_showing(newsroom, [first, second], lead_image=lead)
    story_showing(newsroom, [make_image("Hidden", colour=(99, 0, 0))], "embargoed")

    feed = feedparser.parse(client.get(url).content)

    assert not feed.bozo, feed.bozo_exception
    (entry,) = feed.entries
    expected = ["http://testserver" + image.file.url for image in (lead, first, second)]
    assert [media["url"] for media in entry.media_content] == expected
    enclosures = [link.href for link in entry.links if link.rel == "enclosure"]
    assert enclosures == (expected if "atom" in url else expected[:1])


def test_a_story_without_lead_image_encloses_its_first_figure_in_rss(client, newsroom):
    first, second = make_image("First"), make_image("Second", colour=(3, 3, 3))
    story_showing(newsroom, [first, second])

    entry = feedparser.parse(client.get("/feed/").content).entries[0]

    enclosures = [link.href for link in entry.links if link.rel == "enclosure"]
    assert enclosures == ["http://testserver" + first.file.url]
