"""The public site speaks its edition's language (site/editions.py, locale/fa):
a Persian page has Persian interface words and no English ones left, and an
English page is as it was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import translation

from masthead.factories import (
    make_author,
    make_desk,
    make_edition,
    make_label,
    make_story,
)
from masthead.newsroom.models import Outlet
from masthead.sourcing.kinds import clean_sources
from masthead.stories.models import Correction, Story, Tag
from masthead.tests.interface_text import english_words

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 3, 10, 16, tzinfo=UTC)
# Every kind of source, in Persian: the article's "How we reported this" box.
PERSIAN_SOURCES = [
    {"kind": "outlet_report", "outlet": "ایرنا", "title": "گزارش مذاکرات",
     "url": "https://irna.example/a", "date": "2026-12-02", "paragraphs": [1]},
    {"kind": "outlet_report", "outlet": "همشهری", "paragraphs": [1, 2]},
    {"kind": "unnamed", "description": "دو مقام آگاه", "count": 2,
     "anonymity_reason": "اجازهٔ سخن گفتن نداشتند.", "how_known": "فقط تحریریه"},
    {"kind": "unnamed", "description": "یک دیپلمات", "anonymity_reason": "امنیت شخصی."},
    {"kind": "response", "party": "سخنگوی دولت", "outcome": "denied",
     "summary": "پیامی رد و بدل نشد.", "url": "https://gov.example/s"},
    {"kind": "response", "party": "وزارت خارجه", "outcome": "no_response"},
    {"kind": "wire", "wire_item": 7, "headline": "تکذیب پیام", "url": "https://wire.example/b"},
    {"kind": "document", "title": "فهرست تحریم‌ها", "publisher": "وزارت اقتصاد",
     "url": "https://mof.example/list"},
    {"kind": "statement", "speaker": "وزارت خارجه", "summary": "گفت‌وگوها ادامه دارد.",
     "url": "https://mfa.example/s", "date": "2026-12-01"},
    {"kind": "person", "name": "علی واعظ", "role": "تحلیلگر", "on_record": True},
    {"kind": "own_reporting", "where": "تهران", "when": "۱۲ آذر", "by": "نیما صادقی",
     "summary": "تماس گرفتیم."},
]  # fmt: skip

# Everything the pages show that the test put in is Persian, except these: an
# address, and the English edition's desk and author, which the search form
# still offers on every edition (docs/editions.md, "Still to come").
CONTENT = ("nima@example.org", "Politics", "Ann Lee")


@pytest.fixture
def persian_site(settings):
    settings.TIME_ZONE = "UTC"
    with time_machine.travel(NOW, tick=False):
        Outlet.objects.create(name="ایران فرانت پیج", short_name="IFP", email="desk@example.org")
        persian = make_edition("fa")
        english_desk = make_desk("Politics")
        desk = make_desk("سیاست", slug="siasat", edition=persian, email="siasat@example.org")
        editor = make_author("سارا احمدی", slug="sara", job_title="دبیر")
        desk.editor = editor
        desk.save()
        writer = make_author("نیما صادقی", slug="nima", email="nima@example.org")
        make_story("Talks resume in Vienna", desk=english_desk, authors=[make_author("Ann Lee")])
        body = "<p>متن خبر.</p>"
        older = make_story("خبر پیشین", desk=desk, slug="earlier", authors=[writer], body=body)
        story = make_story(
            "مذاکرات در وین از سر گرفته شد",
            desk=desk,
            slug="vienna-talks",
            authors=[writer, editor],
            tags=[Tag.objects.create(name="هسته‌ای", slug="nuclear")],
            label=make_label("تحلیل", kind="analysis"),
            dek="دور تازهٔ گفت‌وگوها",
            body=body,
            published_at=NOW - timedelta(minutes=16),
            language="fa",
        )
        Story.objects.filter(pk=story.pk).update(
            sources=clean_sources(PERSIAN_SOURCES),
            method_note="گزارش‌ها را مقایسه کردیم.",
            body="<p>یک.</p><p>دو.</p>",
        )
        Correction.objects.create(
            story=story, kind=Correction.Kind.CORRECTION, note="نام وزیر اصلاح شد.",
            published_at=NOW - timedelta(minutes=5),
        )  # fmt: skip
        yield {"edition": persian, "story": story, "older": older, "desk": desk}


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


PERSIAN_PAGES = [
    "/fa/",
    "/fa/siasat/",
    "/fa/siasat/vienna-talks/",
    "/fa/masthead/",
    "/fa/corrections/",
    "/fa/author/nima/",
    "/fa/tag/nuclear/",
    "/fa/search/?q=%D9%88%DB%8C%D9%86",
    "/fa/search/?q=%D9%86%DB%8C%D8%B3%D8%AA%DA%86%DB%8C%D8%B2%DB%8C",
]


@pytest.mark.parametrize("url", PERSIAN_PAGES)
def test_a_persian_page_has_no_english_interface_words_left(client, persian_site, url):
    with time_machine.travel(NOW, tick=False):
        words = english_words(page(client, url), CONTENT)
    assert not words, f"{url} still says {sorted(words)}"


def test_a_persian_404_is_persian(client, persian_site):
    text = page(client, "/fa/no-such-page/", 404)
    assert "این صفحه را پیدا نکردیم" in text
    assert not english_words(text, CONTENT)


def test_a_persian_interfaces_sign_in_page_wears_the_persian_editions_header(
    client, persian_site, settings
):
    """Staff whose interface is Persian sign in under the Persian edition's name, desks and
    links, in Persian: nothing of the English edition's header is left."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    text = page(client, "/account/login/")
    assert '<a href="/fa/siasat/">سیاست</a>' in text
    assert 'class="site-name" href="/fa/" dir="auto">ایران فرانت پیج</a>' in text
    assert ">Politics</a>" not in text and 'href="/masthead/"' not in text
    words = english_words(text, CONTENT)
    assert not words, f"the sign-in page still says {sorted(words)}"


def test_the_persian_article_shows_the_persian_words(client, persian_site):
    with time_machine.travel(NOW, tick=False):
        text = page(client, "/fa/siasat/vienna-talks/")
    for words in (
        "آخرین مطالب",
        "نوشتهٔ",
        "انتشار:",
        "اصلاحیه‌ها و به‌روزرسانی‌ها",
        "گزارش خطا",
        "این گزارش چگونه تهیه شد",
        "چرا نامشان را نیاوردیم:",
        "تکذیب کرد",
        "۱ اصلاحیه از زمان انتشار",  # the count in Persian digits (calendars.native_digits)
    ):
        assert words in text, words
    for english in ("Recent Posts", ">By ", "Published ", "Corrections and updates"):
        assert english not in text, english


def test_the_english_pages_keep_their_english_words(client, persian_site):
    text = page(client, "/")
    assert "Talks resume in Vienna" in text
    assert "جست‌وجو" not in text and "رفتن به محتوا" not in text
    assert 'placeholder="Search"' in text and "Masthead: our desks, editors" in text
    assert ">Corrections</a>" in page(client, "/politics/")


def test_a_reader_whose_browser_asks_for_persian_reads_the_english_edition_in_english(
    client, persian_site
):
    text = client.get("/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert 'placeholder="Search"' in text and "جست‌وجو" not in text
    assert "Content-Language" not in client.get("/").headers


def test_shared_fragments_are_never_handed_to_another_language(client, persian_site):
    # The header and footer fragments are cached per edition and language: the
    # English home after the Persian one (and back) each keep their own words.
    persian_first = page(client, "/fa/")
    english = page(client, "/")
    persian_again = page(client, "/fa/")
    assert "رفتن به محتوا" in persian_first and "رفتن به محتوا" in persian_again
    assert "Skip to content" in english and "رفتن به محتوا" not in english


def test_no_language_is_left_active_after_a_persian_request(client, persian_site):
    before = translation.get_language()
    page(client, "/fa/")
    assert translation.get_language() == before
