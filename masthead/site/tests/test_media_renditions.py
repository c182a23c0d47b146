"""Renditions to readers: the media gate gives each the fate of its image's file, and the
article page shows its lead as a <picture> (and shares its 1.91:1 crop)."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.files.base import ContentFile
from PIL import Image as PillowImage

from masthead.factories import make_desk, make_outlet, make_preview_link, make_staff
from masthead.media import renditions
from masthead.media.models import Image, Rendition
from masthead.media.tests.images import png_bytes
from masthead.newsroom.models import StaffRole
from masthead.site.tests.test_media import answer, body, signed_in, story_with_image
from masthead.stories import services

pytestmark = pytest.mark.django_db
R = StaffRole.Role


@pytest.fixture(autouse=True)
def no_second_factor(settings):
    settings.REQUIRE_2FA_FOR = []


@pytest.fixture
def newsroom(db):
    politics = make_desk("Politics")
    economy = make_desk("Economy")
    return {
        "politics": politics,
        "editor": make_staff(R.DESK_EDITOR, politics, username="editor"),
        "other_writer": make_staff(R.WRITER, economy, username="other_writer"),
    }


def rendered_image(alt: str = "A picture", size=(40, 24)) -> Image:
    image = Image(file=ContentFile(png_bytes(*size), name="p.png"), alt_text=alt)
    image.save()
    renditions.make_renditions(image)
    return image


def rendition_urls(image: Image) -> dict[str, str]:
    rows = Rendition.objects.filter(image=image)
    return {row.format: row.file.url for row in rows.filter(crop="16x9")}


def test_renditions_of_a_live_storys_image_are_public_like_its_file(client, newsroom):
    image = rendered_image()
    story = story_with_image(newsroom, image, "published")
    original = client.get(image.file.url)

    for fmt, url in rendition_urls(image).items():
        response = client.get(url)
        assert response.status_code == 200, fmt
        assert (
            response["Content-Type"]
            == {
                "avif": "image/avif",
                "webp": "image/webp",
                "jpeg": "image/jpeg",
            }[fmt]
        )
        assert response["Cache-Control"] == original["Cache-Control"]
        assert response["Surrogate-Key"] == original["Surrogate-Key"]
        assert f"story:{story.pk}" in response["Surrogate-Key"].split()
        assert body(response)[:4] != b""
        again = client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
        assert again.status_code == 304


@pytest.mark.parametrize("step", ["draft", "scheduled", "embargoed", "withdrawn"])
def test_renditions_of_a_hidden_storys_image_answer_like_no_file(client, newsroom, step):
    image = rendered_image()
    story_with_image(newsroom, image, step)

    for url in rendition_urls(image).values():
        hidden = client.get(url)
        missing = client.get(url.replace("renditions/", "renditions/0"))
        assert hidden.status_code == 404
        assert answer(hidden) == answer(missing)
        assert signed_in(newsroom["other_writer"]).get(url).status_code == 404


def test_withdrawing_closes_the_renditions_with_the_file(client, newsroom):
    image = rendered_image()
    story = story_with_image(newsroom, image, "published")
    url = rendition_urls(image)["avif"]
    assert client.get(url).status_code == 200

    services.withdraw_story(newsroom["editor"], story, "Legal advice")

    assert client.get(url).status_code == 404


def test_staff_who_may_read_the_story_get_renditions_privately(newsroom):
    image = rendered_image()
    story_with_image(newsroom, image, "embargoed")

    response = signed_in(newsroom["editor"]).get(rendition_urls(image)["webp"])

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert not response.has_header("Surrogate-Key")


def test_author_photo_renditions_are_public_and_stray_rendition_files_are_not(
    client, settings, newsroom
):
    logo = rendered_image("The wordmark")
    make_outlet(logo=logo)
    assert client.get(rendition_urls(logo)["jpeg"]).status_code == 200

    (settings.MEDIA_ROOT / "renditions" / "stray.avif").write_bytes(b"\0" * 10)
    assert client.get("/media/renditions/stray.avif").status_code == 404


def test_a_preview_shows_the_lead_as_a_picture_whose_every_file_it_opens(client, newsroom):
    image, other = rendered_image(size=(400, 300)), rendered_image("Other", size=(400, 300))
    story = story_with_image(newsroom, image, "draft")
    story_with_image(newsroom, other, "draft")
    token = make_preview_link(story.latest_revision)

    page = client.get(f"/preview/{token}/").content.decode()

    (lead,) = re.findall(r'<figure class="article__image">\s*(<picture>.*?</picture>)', page)
    urls = re.findall(r'(?:src|srcset)="([^"]+)"', lead)
    urls = [entry.split(" ")[0] for url in urls for entry in url.split(", ")]
    assert len(urls) > 6
    for url in urls:
        url = url.replace("&amp;", "&")
        assert "?preview=" in url
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "private, no-store"
        assert client.get(url.split("?")[0]).status_code == 404
    other_url = rendition_urls(other)["jpeg"] + "?" + urls[0].split("?")[1]
    assert client.get(other_url.replace("&amp;", "&")).status_code == 404


def photo_bytes(size=(1500, 1000)) -> bytes:
    out = io.BytesIO()
    PillowImage.new("RGB", size, (200, 120, 40)).save(out, "JPEG", quality=85)
    return out.getvalue()


def test_the_article_page_shows_its_lead_as_an_eager_picture_and_shares_its_191_crop(
    client, newsroom
):
    image = Image(file=ContentFile(photo_bytes(), name="p.jpg"), alt_text="A harbour")
    image.save()
    renditions.make_renditions(image)
    story = story_with_image(newsroom, image, "published")

    page = client.get(story.get_absolute_url()).content.decode()

    (lead,) = re.findall(r'<figure class="article__image">\s*(<picture>.*?</picture>)', page)
    assert '<source type="image/avif"' in lead and '<source type="image/webp"' in lead
    (img,) = re.findall(r"<img\b[^>]*>", lead)
    for expected in (
        'width="1500"',
        'height="1000"',
        'alt="A harbour"',
        'loading="eager"',
        'fetchpriority="high"',
        'sizes="(min-width: 48rem) 46rem, calc(100vw - 2rem)"',
    ):
        assert expected in img
    share = Rendition.objects.get(image=image, crop="191x100")
    assert (share.width, share.height) == (1200, 628)
    og_image = re.search(r'<meta property="og:image" content="([^"]+)"', page).group(1)
    assert og_image.endswith(share.file.url)
    assert '<meta property="og:image:width" content="1200">' in page
    assert '<meta property="og:image:height" content="628">' in page
    assert f'<meta name="twitter:image" content="{og_image}">' in page
    data = [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    ]
    article = next(item for item in data if item.get("headline"))
    assert article["image"][0]["url"] == og_image
    assert (article["image"][0]["width"], article["image"][0]["height"]) == (1200, 628)
    assert client.get(og_image.split("testserver")[-1]).status_code == 200


def test_cards_show_the_16x9_crop(client, newsroom):
    image = Image(file=ContentFile(photo_bytes(), name="p.jpg"), alt_text="A harbour")
    image.save()
    renditions.make_renditions(image)
    story = story_with_image(newsroom, image, "published")

    page = client.get(story.desk.get_absolute_url()).content.decode()

    (card,) = re.findall(r'<a class="card__image"[^>]*>(<picture>.*?</picture>)</a>', page)
    assert 'width="1280" height="720"' in card and 'alt=""' in card
    crop_files = set(
        Rendition.objects.filter(image=image, crop="16x9").values_list("file", flat=True)
    )
    shown = {url.split("/media/")[1] for url in re.findall(r"/media/[^\s\"?]+", card)}
    assert shown and shown <= crop_files


def test_renditions_made_after_publishing_reach_the_cached_article_page(client, newsroom):
    picture = ContentFile(photo_bytes((800, 600)), name="p.jpg")
    image = Image(file=picture, alt_text="A harbour")
    image.save()
    story = story_with_image(newsroom, image, "published")
    before = client.get(story.get_absolute_url()).content.decode()
    assert "<picture>" not in before and image.file.url in before  # the stored file, for now

    renditions.make_renditions(image)  # what the worker does after the upload's commit

    after = client.get(story.get_absolute_url()).content.decode()
    assert '<figure class="article__image">\n    <picture>' in after


def test_the_home_page_reads_the_lead_picture_and_the_bylines_it_shows_only(client, newsroom):
    """It reads some forty stories to fill its blocks; the desk blocks show neither
    pictures nor bylines, and only the lead shows its picture. After a publish, only
    the cards that changed read theirs (``{% cards %}``)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from masthead.factories import make_story
    from masthead.newsroom.models import Desk
    from masthead.stories import services

    desks = [newsroom["politics"], Desk.objects.get(name="Economy")] * 4
    stories = [
        make_story(f"Story {n}", desk=desk, lead_image=rendered_image(f"Picture {n}"))
        for n, desk in enumerate(desks)
    ]
    lead = stories[-1]  # the newest

    with CaptureQueriesContext(connection) as captured:
        html = client.get("/").content.decode()

    lead_block = html.split('class="front__lead"', 1)[1].split('class="front__top"', 1)[0]
    for url in rendition_urls(lead.lead_image).values():
        assert url in lead_block  # the lead's <picture> with its 16:9 renditions
    reads = [q["sql"] for q in captured.captured_queries if '"media_rendition"' in q["sql"]]
    assert len(reads) == 1 and f"IN ({lead.lead_image_id})" in reads[0]
    top = html.split('class="front__top"', 1)[1].split("</section>", 1)[0]
    shown = {story.pk for story in stories if story.get_absolute_url() in lead_block + top}
    # One read for the lead's card, one for the top's.
    assert _bylines_read_for(captured) == [{lead.pk}, shown - {lead.pk}] and len(shown) == 5

    # A publish: the cards kept by story version are not made again, so only the new
    # lead's and that of the lead it moved to the top are read.
    newer = make_story(
        "Story 9", desk=desks[0], lead_image=rendered_image("Picture 9"), status="ready", age=None
    )
    services.snapshot_revision(newer)
    services.publish_story(newsroom["editor"], newer)
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/").content.decode()

    assert _bylines_read_for(captured) == [{newer.pk}, {lead.pk}]
    reads = [q["sql"] for q in captured.captured_queries if '"media_rendition"' in q["sql"]]
    assert len(reads) == 1 and f"IN ({newer.lead_image_id})" in reads[0]


def _bylines_read_for(captured) -> list[set[int]]:
    """The ids of the stories each read of bylines asked for."""
    reads = [q["sql"] for q in captured.captured_queries if 'FROM "stories_byline"' in q["sql"]]
    found = [re.search(r'"stories_byline"\."story_id" IN \(([^)]*)\)', sql)[1] for sql in reads]
    return [{int(pk) for pk in ids.split(", ")} for ids in found]
