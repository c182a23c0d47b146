"""Plain text in special contexts (RELIABILITY.md §2.2 B2) and control characters in
headlines (B3): every surface that shows a headline, a tag, an author's name or an
image's alt text stays a valid document that runs nothing. Mapped in docs/security.md.
"""

from __future__ import annotations

import json
from datetime import UTC, timedelta

import pytest
from lxml import etree
from lxml import html as lxml_html

from masthead.factories import editor_of, make_author, make_desk, make_story, make_tag
from masthead.site.tests.newsroom_data import make_image

pytestmark = pytest.mark.django_db

# RELIABILITY.md B2's payloads, all in one headline (and the shorter fields).
PAYLOAD = "A </script><script>alert(1)</script> \"><svg onload=alert(1)> {{7*7}} ${7*7} '-- Z"
SHORT = '"><svg onload=alert(2)>{{7*7}}'


@pytest.fixture
def hostile():
    desk = make_desk("Politics")
    author = make_author(f"Ann {SHORT}", slug="ann")
    tag = make_tag(SHORT)
    image = make_image(alt=f"Alt {SHORT}")
    story = make_story(
        PAYLOAD,
        desk=desk,
        dek=PAYLOAD,
        authors=[author],
        tags=[tag],
        lead_image=image,
        age=timedelta(minutes=5),
    )
    return story, author, tag, desk


def assert_runs_nothing(page: str, url: str) -> lxml_html.HtmlElement:
    """No script a page did not mean, no event handler, no SVG: the payloads stayed text."""
    document = lxml_html.document_fromstring(page)
    for script in document.iter("script"):
        kind = script.get("type", "")
        assert script.get("src") or kind in ("application/ld+json", "importmap"), (
            url,
            etree.tostring(script)[:200],
        )
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag not in ("svg", "math"), url
        handlers = [name for name in element.attrib if name.lower().startswith("on")]
        assert not handlers, (url, element.tag, handlers)
    return document


def test_the_article_title_open_graph_and_json_ld_keep_the_payload_as_text(client, hostile):
    story, _author, _tag, _desk = hostile
    page = client.get(story.get_absolute_url()).content.decode()

    document = assert_runs_nothing(page, story.get_absolute_url())

    assert PAYLOAD in document.findtext(".//title")
    meta = {m.get("property") or m.get("name"): m.get("content") for m in document.iter("meta")}
    assert meta["og:title"] == PAYLOAD
    assert meta["og:description"] == PAYLOAD
    assert meta["og:image:alt"] == f"Alt {SHORT}"
    assert SHORT in meta["article:tag"]
    (ld,) = [
        json.loads(s.text)
        for s in document.iter("script")
        if s.get("type") == "application/ld+json" and '"NewsArticle"' in s.text
    ]
    assert ld["headline"] == PAYLOAD
    assert ld["author"][0]["name"] == f"Ann {SHORT}"
    assert "{{7*7}}" in page and "${7*7}" in page  # not evaluated by any template


def test_lists_and_pages_naming_the_story_run_nothing(client, hostile):
    _story, author, tag, desk = hostile

    for url in ("/", f"/{desk.slug}/", f"/tag/{tag.slug}/", f"/author/{author.slug}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert PAYLOAD in assert_runs_nothing(response.content.decode(), url).text_content()


def test_feeds_stay_valid_xml_with_the_payload_as_their_title(client, hostile):
    _story, author, tag, desk = hostile
    feeds = [
        "/feed/",
        "/feed/atom/",
        f"/{desk.slug}/feed.xml",
        f"/{desk.slug}/atom.xml",
        f"/tag/{tag.slug}/feed.xml",
        f"/author/{author.slug}/atom.xml",
    ]

    for url in feeds:
        response = client.get(url)
        assert response.status_code == 200, url
        root = etree.fromstring(response.content)  # raises on a broken document
        titles = [t.text for t in root.iter("{*}title", "title")]
        assert PAYLOAD in titles, url
        assert not list(root.iter("{*}script", "script")), url


def test_sitemaps_and_the_api_stay_valid_with_the_payload(client, hostile):
    story, *_ = hostile
    month = f"stories-{story.published_at.astimezone(UTC):%Y-%m}"

    for url in ("/sitemap.xml", f"/sitemaps/{month}.xml", "/sitemaps/news.xml"):
        response = client.get(url)
        assert response.status_code == 200, url
        etree.fromstring(response.content)
    news = etree.fromstring(client.get("/sitemaps/news.xml").content)
    assert PAYLOAD in [t.text for t in news.iter("{*}title")]
    ninjs = client.get(f"/api/stories/{story.pk}", HTTP_ACCEPT="application/ninjs+json").json()
    assert ninjs["headlines"][0]["value"] == PAYLOAD


def test_the_back_office_lists_run_nothing(client, hostile, settings):
    settings.REQUIRE_2FA_FOR = []
    story, _author, _tag, desk = hostile
    client.force_login(editor_of(desk))

    for url in ("/desk/", "/desk/board/", f"/desk/stories/{story.pk}/", "/desk/audit/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_runs_nothing(response.content.decode(), url)


# B3: control characters and invalid Unicode --------------------------------------------

CONTROLS = (
    [chr(c) for c in range(0x00, 0x20) if chr(c) not in "\t\n\r"]
    + [chr(c) for c in range(0x7F, 0xA0)]
    + ["\ufffe", "\uffff", "\ufdd0", "\U0010ffff", "\u202e", "\u202d", "\ud800", "\udfff"]
)


def test_controls_in_headlines_leave_every_feed_and_sitemap_parsing(client):
    """One story per control character: the headline is cleaned on the way in, so no
    feed, sitemap or JSON-LD block is broken by any of them (and none is a 500)."""
    desk = make_desk("Politics")
    stories = [
        make_story(f"Story {ord(c):04x} a{c}b", desk=desk, dek=f"dek{c}", age=timedelta(minutes=1))
        for c in CONTROLS
    ]

    for story in stories:
        assert not any(c in story.headline + story.dek for c in CONTROLS), repr(story.headline)
    month = f"stories-{stories[0].published_at.astimezone(UTC):%Y-%m}"
    for url in (
        "/feed/",
        "/feed/atom/",
        f"/{desk.slug}/feed.xml",
        "/sitemap.xml",
        f"/sitemaps/{month}.xml",
        "/sitemaps/news.xml",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        etree.fromstring(response.content)
    for story in stories[:5] + stories[-4:]:
        page = client.get(story.get_absolute_url())
        assert page.status_code == 200
        for script in lxml_html.document_fromstring(page.content).iter("script"):
            if script.get("type") == "application/ld+json":
                json.loads(script.text)


def test_zero_width_non_joiner_and_joiner_are_kept_everywhere(client):
    headline = "می\u200cخواهم \u200dبروم"  # Persian needs ZWNJ inside words
    story = make_story(headline, desk=make_desk("Politics"), age=timedelta(minutes=1))

    assert story.headline == headline
    assert headline in client.get(story.get_absolute_url()).content.decode()
    feed = etree.fromstring(client.get("/feed/").content)
    assert headline in [t.text for t in feed.iter("title")]
    news = etree.fromstring(client.get("/sitemaps/news.xml").content)
    assert headline in [t.text for t in news.iter("{*}title")]


def test_the_readers_mail_carries_the_payload_as_plain_text(
    hostile, mailoutbox, django_capture_on_commit_callbacks
):
    """Notification mails are text/plain only: the words arrive as typed, unescaped and
    inert, and the subject stays one header line."""
    from masthead.sourcing import reports

    story, _author, _tag, desk = hostile
    report = reports.file_report(
        story, client="c" * 64, what_is_wrong="Wrong date.", email="reader@example.org"
    )
    with django_capture_on_commit_callbacks(execute=True):
        reports.decline_report(editor_of(desk), report.pk, f"Reason {PAYLOAD}\nBcc: x@evil.example")

    (mail,) = mailoutbox
    assert mail.alternatives == []  # no HTML part to run anything in
    assert PAYLOAD in mail.subject and "\n" not in mail.subject
    assert PAYLOAD in mail.body and "&lt;" not in mail.body
    assert mail.bcc == [] and mail.to == ["reader@example.org"]
    assert "Bcc" not in mail.message().as_string().split("\n\n", 1)[0]
