"""The demo's Persian edition reads as Persian everywhere (issue 13): no English words and
no ASCII digits left on its public pages and feeds, nor in the back office of a Persian
editor whose interface is Persian.

The demo is loaded, every kind of Persian page fetched, and the text a reader sees
(text, and the attributes browsers show or speak: ``interface_text.latin_text``)
scanned for Latin letters and ASCII digits. Addresses, code, keys to press and text
marked as another language (``lang="en"``) are not prose; what else may stay Latin is
the short, reviewed ``ALLOWED`` list below. A failure lists what each page still says.
"""

from __future__ import annotations

import re

import jdatetime
import lxml.etree
import lxml.html
import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from masthead.demo.tests.conftest import demo_in_a_rolled_back_transaction
from masthead.media.models import Image
from masthead.newsroom.models import Author, Desk, PolicyPage
from masthead.stories.models import Label, Story, StoryThread, Tag
from masthead.tests.interface_text import latin_in, latin_text
from masthead.wire.models import Source

pytestmark = pytest.mark.django_db

# What a Persian page may write in Latin letters or ASCII digits, and why.
ALLOWED = (
    "Natural Earth",  # the map data's publisher, credited by its own name
    "https://",  # the start of an address, in the report form's address field
)
# The back office is the whole newsroom's, not one edition's: it names the outlet by its
# name and states times in UTC by that international name.
ALLOWED_IN_BACK_OFFICE = (
    "Iran Front Page",
    "UTC",
    # File formats and sizes, as they are named in every language.
    "JPEG",
    "PNG",
    "WebP",
    "GIF",
    "KB",
    "MB",
    "GB",
)
JALALI_MONTHS = "|".join(jdatetime.date.j_months_fa)
# The English source text beside a translation is marked lang="en" and not scanned;
# logins (``editor.siasat``) are what staff type, so they stay as they are.


@pytest.fixture(scope="module")
def loaded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, loaded once for the module in a transaction rolled back at its end (as in
    test_persian.py: each test runs in a savepoint of it)."""
    media = tmp_path_factory.mktemp("demo-media")
    with demo_in_a_rolled_back_transaction(django_db_blocker, media, now=timezone.now()):
        yield media


@pytest.fixture
def demo(loaded_once, settings):
    settings.MEDIA_ROOT = loaded_once
    settings.REQUIRE_2FA_FOR = []


def _persian_stories():
    return Story.objects.live().filter(desk__edition__slug="fa").select_related("desk")


def _public_pages() -> list[str]:
    desks = Desk.objects.filter(edition__slug="fa").order_by("position", "pk")
    stories = [_persian_stories().filter(desk=desk).order_by("-published_at")[0] for desk in desks]
    # The Persian stories' authors, and every staff member the edition shows by their Persian
    # words (AuthorName: the staff of both editions, the chief editor), bylined there or not.
    authors = (
        Author.objects.filter(Q(stories__in=_persian_stories()) | Q(names__language="fa"))
        .distinct()
        .order_by("pk")
    )
    tags = Tag.objects.filter(stories__in=_persian_stories()).distinct().order_by("pk")[:6]
    labels = Label.objects.filter(pk__in=_persian_stories().values("label")).order_by("pk")
    policies = PolicyPage.objects.published().filter(edition__slug="fa").order_by("pk")
    return [
        "/fa/",
        *(desk.get_absolute_url() for desk in desks),
        *(story.get_absolute_url() for story in stories),
        stories[0].get_absolute_url() + "report-error/",
        *(f"/fa/author/{author.slug}/" for author in authors),
        *(f"/fa/tag/{tag.slug}/" for tag in tags),
        *(f"/fa/label/{label.slug}/" for label in labels),
        "/fa/search/?q=مذاکرات",
        "/fa/corrections/",
        "/fa/masthead/",
        *(policy.get_absolute_url() for policy in policies),
    ]


def _listed(found: dict[str, list[str]]) -> str:
    """What each page still says in Latin letters or ASCII digits, a line each."""
    lines = ["Latin letters or ASCII digits left on Persian pages:"]
    for url, texts in found.items():
        lines.append(f"{url}:")
        lines += [f"    {text[:160]!r}" for text in texts]
    return "\n".join(lines)


def _latin_on_pages(client, urls, expected_status=200, allowed=ALLOWED, content=()):
    """Per page, what is still written in Latin letters or ASCII digits, leaving out
    ``content``: records the page lists whose own text is Latin (a text that is one of
    them, or the start of one cut short with “…”)."""
    found = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == expected_status, (url, response.status_code)
        latin = [
            text
            for text in latin_text(response.content.decode(), "fa", (*allowed, *content))
            if not any(text.rstrip("…") in record for record in content)
        ]
        if latin:
            found[url] = latin
    return found


def _other_editions_records() -> list[str]:
    """What the back office lists of the whole newsroom in its records' own words: the
    English edition's desks, bylines, tags, pictures and threads, and the agencies."""
    records = [*Desk.objects.values_list("name", flat=True)]
    records += Author.objects.values_list("name", flat=True)
    records += Tag.objects.values_list("name", flat=True)
    records += StoryThread.objects.values_list("title", flat=True)
    records += Source.objects.values_list("name", flat=True)
    for texts in Image.objects.values_list("caption", "alt_text", "credit"):
        records += [text for text in texts if text]
    return records


def test_the_persian_public_pages_have_no_latin_text_left(demo, client):
    found = _latin_on_pages(client, _public_pages())
    assert not found, _listed(found)


def test_the_persian_404_has_no_latin_text_left(demo, client):
    found = _latin_on_pages(client, ["/fa/no-such-page/"], expected_status=404)
    assert not found, _listed(found)


def _feed_texts(feed: bytes) -> list[str]:
    """What a feed reader shows of a feed: titles, descriptions, categories (not its
    dates, identifiers or links, which the formats write in ASCII)."""
    tree = lxml.etree.fromstring(feed)
    shown = tree.xpath(
        "//*[local-name()='title' or local-name()='subtitle' or local-name()='category'"
        " or local-name()='name']/text() | //*[local-name()='category']/@term"
    )
    for html in tree.xpath(
        "//*[local-name()='description' or local-name()='summary' or local-name()='content']/text()"
    ):
        shown += [text for text in lxml.html.fragment_fromstring(html, "div").itertext()]
    return [text for text in shown if text.strip()]


def test_the_persian_feeds_have_no_latin_text_left(demo, client):
    desk = Desk.objects.filter(edition__slug="fa").order_by("position", "pk")[0]
    # An author, a tag and a kind of work of the Persian stories.
    author = Author.objects.filter(stories__in=_persian_stories()).order_by("pk")[0]
    tag = Tag.objects.filter(stories__in=_persian_stories()).order_by("pk")[0]
    label = Label.objects.filter(pk__in=_persian_stories().values("label")).order_by("pk")[0]
    found = {}
    for url in (
        "/fa/feed/",
        "/fa/feed/atom/",
        f"{desk.get_absolute_url()}feed.xml",
        f"/fa/author/{author.slug}/feed.xml",
        f"/fa/tag/{tag.slug}/atom.xml",
        f"/fa/label/{label.slug}/feed.xml",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        latin = latin_in(_feed_texts(response.content), ALLOWED)
        if latin:
            found[url] = latin
    assert not found, _listed(found)


def _back_office_pages() -> list[str]:
    story = _persian_stories().filter(desk__slug="siasat", translation_key=None).first()
    translated = _persian_stories().get(top_rank=1)
    image = Image.objects.filter(pk=translated.lead_image_id).get()
    tag = Tag.objects.filter(stories=story).first()
    return [
        "/desk/",
        "/desk/board/",
        "/desk/search/?q=مذاکرات",
        "/desk/audit/",
        "/desk/stories/new/",
        f"/desk/stories/{story.pk}/",
        f"/desk/stories/{translated.pk}/",
        f"/desk/stories/{story.pk}/history/",
        "/desk/media/",
        f"/desk/media/{image.pk}/",
        "/desk/tags/",
        f"/desk/tags/{tag.pk}/",
        "/desk/wire/",
        "/desk/corrections/",
    ]


def test_a_persian_editors_back_office_has_no_latin_text_left(demo, client):
    editor = get_user_model().objects.get(username="editor.siasat")
    client.force_login(editor)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fa"
    logins = get_user_model().objects.values_list("username", flat=True)

    found = _latin_on_pages(
        client,
        _back_office_pages(),
        allowed=(*ALLOWED, *ALLOWED_IN_BACK_OFFICE, *logins),
        content=_other_editions_records(),
    )
    assert not found, _listed(found)


# The account pages (/account/) of a Persian interface: signed out, then signed in.
ACCOUNT_PAGES_SIGNED_OUT = [
    "/account/login/",
    "/account/password/reset/",
    "/account/password/reset/sent/",
    "/account/password/reset/complete/",
    "/account/password/reset/MQ/not-a-token/",
]
ACCOUNT_PAGES_SIGNED_IN = [
    "/account/",
    "/account/password/",
    "/account/password/changed/",
    "/account/two-factor/setup/",
]
# Authenticator apps, named as their makers name them (the set-up page suggests some), and
# the name the app shows above the codes (the outlet's own, ``accounts/authenticator.issuer_name``),
# which the set-up page quotes so the person finds it there.
AUTHENTICATOR_APPS = ("Aegis", "FreeOTP", "2FAS", "Google", "Microsoft Authenticator")
ISSUER = "Iran Front Page"


def test_the_persian_account_pages_have_no_latin_text_left(demo, client):
    """They wear the Persian edition's header and footer (its name, desks and standards),
    not the English edition's, and speak Persian in between."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fa"
    found = _latin_on_pages(client, ACCOUNT_PAGES_SIGNED_OUT)
    client.force_login(get_user_model().objects.get(username="editor.siasat"))
    found |= _latin_on_pages(
        client,
        ACCOUNT_PAGES_SIGNED_IN,
        allowed=(*ALLOWED, *AUTHENTICATOR_APPS, ISSUER, "editor.siasat"),
    )
    assert not found, _listed(found)
    page = client.get("/account/").content.decode()
    english_desks = Desk.objects.exclude(edition__slug="fa").values_list("name", flat=True)
    assert not [name for name in english_desks if f">{name}</a>" in page]


def test_the_persian_corrections_table_counts_solar_hijri_months(demo, client):
    # The demo's Persian corrections: one 5 minutes ago, one 20 days ago (آذر and آبان).
    page = client.get("/fa/corrections/").content.decode()
    months = re.findall(r'<th scope="row">([^<]+)</th>', page)

    assert months and all(re.fullmatch(rf"({JALALI_MONTHS}) [۰-۹]{{4}}", m) for m in months)
    assert "دسامبر" not in page and "نوامبر" not in page
    assert "در نسخهٔ نخست این خبر ساعت آغاز کاهش فشار آب" in page


def test_a_persian_interface_dates_the_back_office_in_the_solar_hijri_calendar(demo, client):
    client.force_login(get_user_model().objects.get(username="editor.siasat"))
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fa"
    story = _persian_stories().filter(desk__slug="siasat").first()

    for url in ("/desk/board/", f"/desk/stories/{story.pk}/history/"):
        page = client.get(url).content.decode()
        assert re.search(rf"[۰-۹]+ ({JALALI_MONTHS})", page), url
        assert "دسامبر" not in page and "نوامبر" not in page, url
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    assert re.search(r"\d+ [A-Z][a-z]{2}, \d\d:\d\d", client.get("/desk/board/").content.decode())
