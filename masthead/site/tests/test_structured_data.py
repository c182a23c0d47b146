"""JSON-LD, Open Graph and Twitter metadata of the article and home pages."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from masthead.factories import make_author, make_label, make_story
from masthead.newsroom.models import Outlet, PolicyPage
from masthead.site.tests.newsroom_data import make_image, make_newsroom
from masthead.stories.models import Correction, Label, Story

pytestmark = pytest.mark.django_db

LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)
ARTICLE_PROPERTIES = {
    "headline",
    "description",
    "datePublished",
    "dateModified",
    "author",
    "publisher",
    "mainEntityOfPage",
    "url",
}


@pytest.fixture
def newsroom():
    return make_newsroom()


def structured_data(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200
    return [json.loads(block) for block in LD_JSON.findall(response.content.decode())]


def article_of(client, story: Story) -> dict:
    blocks = structured_data(client, story.get_absolute_url())
    return next(block for block in blocks if block["@type"] != "BreadcrumbList")


def test_article_has_every_required_property(client, newsroom):
    story = newsroom.story
    article = article_of(client, story)

    assert article["@context"] == "https://schema.org"
    assert article.keys() >= ARTICLE_PROPERTIES
    assert article["headline"] == "Talks resume in Vienna"
    assert article["description"] == "Negotiators return to the table."
    published = story.published_at.isoformat(timespec="seconds").replace("+00:00", "Z")
    assert article["datePublished"] == article["dateModified"] == published
    assert article["dateline"] == "Tehran"
    assert article["articleSection"] == "Politics"
    assert article["keywords"] == ["Iran"]
    assert article["inLanguage"] == "en"
    assert article["url"] == "http://testserver/politics/talks-resume-in-vienna/"
    assert article["author"] == [
        {
            "@type": "Person",
            "name": "Nima Sadeghi",
            "url": "http://testserver/author/nima-sadeghi/",
            "jobTitle": "Journalist",
        },
        {
            "@type": "Organization",
            "name": "IFP Editorial Staff",
            "url": "http://testserver/author/ifp-editorial-staff/",
        },
    ]
    (image,) = article["image"]
    assert image["url"] == "http://testserver" + newsroom.image.file.url
    assert (image["width"], image["height"]) == (40, 24)
    assert image["creditText"] == "Masthead photo"


def test_publisher_is_a_news_media_organization_with_a_logo(client, newsroom):
    publisher = article_of(client, newsroom.story)["publisher"]

    assert publisher["@type"] == "NewsMediaOrganization"
    assert publisher["name"] == "Iran Front Page"
    assert publisher["url"] == "http://testserver/"
    assert publisher["masthead"] == "http://testserver/masthead/"
    logo = publisher["logo"]
    assert logo["url"].startswith("http://testserver/static/site/logo")
    assert (logo["width"], logo["height"]) == (600, 60)

    # As the admin saves it: the change bumps the "site" version every page embeds.
    outlet = Outlet.objects.get()
    outlet.logo = make_image("Wordmark", width=300, height=60)
    outlet.save()
    logo = article_of(client, newsroom.story)["publisher"]["logo"]
    assert logo["url"].startswith("http://testserver/media/images/")
    assert (logo["width"], logo["height"]) == (300, 60)


def test_publisher_names_the_policies_the_outlet_published(client, newsroom):
    for kind, slug in [
        ("corrections", "corrections-policy"),
        ("unnamed_sources", "unnamed-sources"),
        ("no_bylines", "no-bylines"),
        ("ethics", "ethics"),
        ("ownership", "ownership"),
        ("feedback", "feedback"),
        ("fact_checking", "fact-checking"),
    ]:
        PolicyPage.objects.create(kind=kind, title=slug.title(), slug=slug)
    PolicyPage.objects.create(kind="diversity", title="Draft", slug="diversity", is_published=False)

    publisher = article_of(client, newsroom.story)["publisher"]

    expected = {
        "correctionsPolicy": "corrections-policy",
        "unnamedSourcesPolicy": "unnamed-sources",
        "noBylinesPolicy": "no-bylines",
        "ethicsPolicy": "ethics",
        "ownershipFundingInfo": "ownership",
        "actionableFeedbackPolicy": "feedback",
        "verificationFactCheckingPolicy": "fact-checking",
    }
    for name, slug in expected.items():
        assert publisher[name] == f"http://testserver/policies/{slug}/"
    assert "diversityPolicy" not in publisher


@pytest.mark.parametrize(
    ("kind", "schema_type"),
    [
        (Label.Kind.NEWS, "NewsArticle"),
        (Label.Kind.BREAKING, "NewsArticle"),
        (Label.Kind.EXCLUSIVE, "NewsArticle"),
        (Label.Kind.INTERVIEW, "NewsArticle"),
        (Label.Kind.ROUNDUP, "NewsArticle"),
        (Label.Kind.REPORTAGE, "ReportageNewsArticle"),
        (Label.Kind.ANALYSIS, "AnalysisNewsArticle"),
        (Label.Kind.OPINION, "OpinionNewsArticle"),
        (Label.Kind.BACKGROUND, "BackgroundNewsArticle"),
        (Label.Kind.REVIEW, "ReviewNewsArticle"),
    ],
)
def test_article_type_follows_the_label(client, newsroom, kind, schema_type):
    story = make_story("Typed story", desk=newsroom.desk, label=make_label(f"L {kind}", kind=kind))

    article = article_of(client, story)

    assert article["@type"] == schema_type
    assert article["genre"] == f"L {kind}"


def test_a_story_without_label_image_or_byline(client, newsroom):
    story = make_story("Plain story", desk=newsroom.desk, body="<p>Only a body here.</p>")

    article = article_of(client, story)

    assert article["@type"] == "NewsArticle"
    # Search engines want an image on every article: the outlet's share image.
    assert article["image"][0]["url"].endswith(".png")
    assert article["description"] == "Only a body here."
    assert article["author"] == [
        {"@type": "Organization", "name": "Iran Front Page", "url": "http://testserver/"}
    ]


def test_corrections_are_listed(client, newsroom):
    Correction.objects.create(story=newsroom.story, note="The talks are in Vienna, not Geneva.")
    Correction.objects.create(story=newsroom.story, kind="update", note="Added reactions.")

    article = article_of(client, newsroom.story)

    assert [c["text"] for c in article["correction"]] == ["The talks are in Vienna, not Geneva."]
    assert article["correction"][0]["@type"] == "CorrectionComment"


def test_updated_story_has_its_update_time(client, newsroom):
    later = newsroom.story.published_at + timedelta(hours=1)
    Story.objects.filter(pk=newsroom.story.pk).update(updated_at=later)

    article = article_of(client, newsroom.story)

    assert article["dateModified"] == later.isoformat(timespec="seconds").replace("+00:00", "Z")


def test_breadcrumbs_lead_home_desk_story(client, newsroom):
    blocks = structured_data(client, newsroom.story.get_absolute_url())

    trail = next(block for block in blocks if block["@type"] == "BreadcrumbList")
    assert [
        (item["position"], item["name"], item["item"]) for item in trail["itemListElement"]
    ] == [
        (1, "Home", "http://testserver/"),
        (2, "Politics", "http://testserver/politics/"),
        (3, "Talks resume in Vienna", "http://testserver/politics/talks-resume-in-vienna/"),
    ]


HOSTILE = '</script><script>alert("x")</script><!-- & \u2028'


def test_hostile_text_cannot_leave_the_script_element(client, newsroom):
    story = make_story(HOSTILE, desk=newsroom.desk, dek=HOSTILE, dateline=HOSTILE)
    author = make_author("Evil </script> Author")
    story.bylines.create(author=author, position=0)

    html = client.get(story.get_absolute_url()).content.decode()

    assert '<script>alert("x")' not in html
    assert html.count("</script>") == html.count("<script")
    article = article_of(client, story)
    assert article["headline"] == story.headline
    assert article["dateline"] == story.dateline
    assert article["author"][0]["name"] == "Evil </script> Author"


def test_open_graph_and_twitter_cards(client, newsroom):
    html = client.get(newsroom.story.get_absolute_url()).content.decode()
    image_url = "http://testserver" + newsroom.image.file.url

    for tag in [
        '<meta property="og:type" content="article">',
        '<meta property="og:title" content="Talks resume in Vienna">',
        '<meta property="og:description" content="Negotiators return to the table.">',
        '<meta property="og:url" content="http://testserver/politics/talks-resume-in-vienna/">',
        '<meta property="og:site_name" content="Iran Front Page">',
        f'<meta property="og:image" content="{image_url}">',
        '<meta property="og:image:alt" content="Delegates at the table">',
        '<meta property="article:section" content="Politics">',
        '<meta property="article:tag" content="Iran">',
        '<meta property="article:author" content="http://testserver/author/nima-sadeghi/">',
        '<meta name="twitter:card" content="summary_large_image">',
        '<meta name="twitter:title" content="Talks resume in Vienna">',
        f'<meta name="twitter:image" content="{image_url}">',
        '<link rel="canonical" href="http://testserver/politics/talks-resume-in-vienna/">',
    ]:
        assert tag in html, tag


def test_canonical_and_open_graph_use_the_site_url(client, newsroom, settings):
    settings.SITE_URL = "https://news.example"

    html = client.get(newsroom.story.get_absolute_url()).content.decode()

    assert (
        '<link rel="canonical" href="https://news.example/politics/talks-resume-in-vienna/">'
        in html
    )
    assert article_of(client, newsroom.story)["url"].startswith("https://news.example/")


def test_home_page_describes_the_website_and_publisher(client, newsroom):
    PolicyPage.objects.create(kind="ethics", title="Ethics", slug="ethics")

    (block,) = structured_data(client, "/")

    website, publisher = block["@graph"]
    assert website["@type"] == "WebSite"
    assert website["url"] == "http://testserver/"
    assert website["publisher"] == {"@id": publisher["@id"]}
    assert publisher["@type"] == "NewsMediaOrganization"
    assert publisher["ethicsPolicy"] == "http://testserver/policies/ethics/"
    assert publisher["logo"]["url"]


def test_outlet_profiles_and_founding_date(client, newsroom):
    Outlet.objects.update(
        same_as="https://en.wikipedia.org/wiki/Example\nnot a link\nhttps://x.example/ifp",
        founding_date="2012-01-01",
    )

    publisher = article_of(client, newsroom.story)["publisher"]

    assert publisher["sameAs"] == ["https://en.wikipedia.org/wiki/Example", "https://x.example/ifp"]
    assert publisher["foundingDate"] == "2012-01-01"


def test_previews_carry_no_structured_data(client, newsroom):
    from masthead.factories import make_preview_link

    story = Story.objects.get(pk=newsroom.story.pk)
    html = client.get(f"/preview/{make_preview_link(story.latest_revision)}/").content.decode()

    assert "application/ld+json" not in html
    assert 'rel="canonical"' not in html


def test_without_a_dek_the_description_is_the_opening_of_the_body(client, newsroom):
    story = make_story("No dek", desk=newsroom.desk, body="<p>First line.</p><p>Second line.</p>")

    html = client.get(story.get_absolute_url()).content.decode()

    assert article_of(client, story)["description"] == "First line. Second line."
    assert '<meta name="description" content="First line. Second line.">' in html
    assert '<meta property="og:description" content="First line. Second line.">' in html


def share_tags(html: str) -> dict[str, str]:
    meta = r'<meta (?:property|name)="((?:og|twitter):image[:a-z]*)" content="([^"]*)"'
    return dict(re.findall(meta, html))


def test_a_story_without_a_lead_image_is_shared_with_the_outlets_default_image(client, newsroom):
    from django.contrib.staticfiles import finders
    from django.templatetags.static import static
    from PIL import Image as Picture

    story = make_story("No picture here", desk=newsroom.desk, age=timedelta(hours=1))
    html = client.get(story.get_absolute_url()).content.decode()

    default = "http://testserver" + static("site/share.png")
    tags = share_tags(html)
    assert tags["og:image"] == tags["twitter:image"] == default
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
    assert tags["og:image:alt"] == "Iran Front Page"
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    (image,) = article_of(client, story)["image"]
    assert image == {"@type": "ImageObject", "url": default, "width": 1200, "height": 630}
    # The file shipped is what the tags say (the protocol's size for a large card).
    with Picture.open(finders.find("site/share.png")) as picture:
        assert picture.size == (1200, 630)


def test_the_outlet_can_set_its_own_share_image(client, newsroom):
    share = make_image(alt="The Iran Front Page wordmark", width=1200, height=630)
    Outlet.objects.update(share_image=share)
    story = make_story("No picture here", desk=newsroom.desk, age=timedelta(hours=1))

    html = client.get(story.get_absolute_url()).content.decode()

    tags = share_tags(html)
    assert tags["og:image"] == tags["twitter:image"] == "http://testserver" + share.file.url
    assert tags["og:image:alt"] == "The Iran Front Page wordmark"
    assert article_of(client, story)["image"][0]["url"] == "http://testserver" + share.file.url
    # A story's own picture still comes first.
    lead = share_tags(client.get(newsroom.story.get_absolute_url()).content.decode())
    assert lead["og:image"] == "http://testserver" + newsroom.image.file.url


def test_a_share_image_smaller_than_the_protocol_asks_is_refused(newsroom):
    from django.core.exceptions import ValidationError

    outlet = Outlet.objects.get()
    outlet.share_image = make_image(width=600, height=315)

    with pytest.raises(ValidationError, match="1200"):
        outlet.full_clean()
