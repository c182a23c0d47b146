"""Each edition's own standards, name and numbers (issue 13): its policy pages in its footer,
masthead page, publisher JSON-LD and pages sitemap, under its root; its tagline; numbers in
its digits. The default (English) edition stays as it was."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.utils import translation

from masthead.factories import make_desk, make_edition, make_outlet, make_staff, make_story
from masthead.newsroom.models import Outlet, PolicyPage, StaffRole
from masthead.stories.models import Correction

pytestmark = pytest.mark.django_db

ENGLISH_TITLES = ("Corrections policy", "Ethics policy")
PERSIAN_TITLES = ("شیوهٔ اصلاح خطا", "اصول اخلاق حرفه‌ای")


@pytest.fixture
def two_editions(settings):
    settings.TIME_ZONE = "UTC"
    make_outlet(name="Iran Front Page", tagline="News from Iran and the region")
    persian = make_edition("fa", tagline="اخبار ایران و منطقه")
    english_desk = make_desk("Politics")
    persian_desk = make_desk("سیاست", slug="siasat", edition=persian)
    pages = {}
    for edition, titles, slugs in (
        (None, ENGLISH_TITLES, ("corrections-policy", "ethics")),
        (persian, PERSIAN_TITLES, ("شیوه-اصلاح-خطا", "اخلاق")),
    ):
        for kind, title, slug in zip(
            (PolicyPage.Kind.CORRECTIONS, PolicyPage.Kind.ETHICS), titles, slugs, strict=True
        ):
            fields = {"edition": edition} if edition is not None else {}
            pages[title] = PolicyPage.objects.create(
                kind=kind, title=title, slug=slug, summary=f"{title}.", **fields
            )
    english = make_story("Talks resume in Vienna", desk=english_desk)
    farsi = make_story(
        "مذاکرات در وین از سر گرفته شد", desk=persian_desk, slug="vienna-talks", language="fa"
    )
    return {"fa": persian, "pages": pages, "en_story": english, "fa_story": farsi}


def get(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def footer(page: str) -> str:
    return page[page.index('<footer class="site-footer">') :]


def website(page: str) -> dict:
    for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S):
        for item in json.loads(block).get("@graph", []):
            if item.get("@type") == "WebSite":
                return item
    raise AssertionError("no WebSite in the page's JSON-LD")


def publisher(page: str) -> dict:
    for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S):
        data = json.loads(block)
        items = data.get("@graph", [data])
        items += [item["publisher"] for item in items if "publisher" in item]
        for item in items:
            if item.get("@type") == "NewsMediaOrganization":
                return item
    raise AssertionError("no publisher in the page's JSON-LD")


def test_a_persian_page_names_its_own_policy_pages_and_no_english_ones(client, two_editions):
    for url in ("/fa/", two_editions["fa_story"].get_absolute_url(), "/fa/masthead/"):
        page = get(client, url)
        for title in PERSIAN_TITLES:
            assert title in footer(page), (url, title)
        assert "/fa/policies/" in footer(page)
        for title in ENGLISH_TITLES:
            assert title not in page, (url, title)
        assert 'href="/policies/' not in page


def test_the_english_pages_name_the_english_policy_pages_at_their_old_addresses(
    client, two_editions
):
    for url in ("/", two_editions["en_story"].get_absolute_url(), "/masthead/"):
        page = get(client, url)
        assert '<a href="/policies/corrections-policy/">Corrections policy</a>' in footer(page)
        assert '<a href="/policies/ethics/">Ethics policy</a>' in footer(page)
        for title in PERSIAN_TITLES:
            assert title not in page, (url, title)
        assert "/fa/policies/" not in page


def test_the_masthead_page_lists_the_editions_standards(client, two_editions):
    page = get(client, "/fa/masthead/")
    standards = page[page.index('class="policy-list"') :]
    assert "شیوهٔ اصلاح خطا" in standards and "Corrections policy" not in standards


def test_each_editions_publisher_json_ld_names_its_own_policy_pages(client, two_editions):
    persian = publisher(get(client, "/fa/"))
    english = publisher(get(client, "/"))

    slug = two_editions["pages"]["شیوهٔ اصلاح خطا"].get_absolute_url()
    assert slug.startswith("/fa/policies/")
    assert persian["correctionsPolicy"] == "http://testserver" + slug
    assert persian["masthead"] == "http://testserver/fa/masthead/"
    assert english["correctionsPolicy"] == "http://testserver/policies/corrections-policy/"
    assert english["ethicsPolicy"] == "http://testserver/policies/ethics/"
    # One organisation publishes both editions.
    assert persian["@id"] == english["@id"]
    article = publisher(get(client, two_editions["fa_story"].get_absolute_url()))
    assert article["correctionsPolicy"] == "http://testserver" + slug


def test_a_policy_page_answers_at_its_editions_root_and_moves_there_from_another(
    client, two_editions
):
    page = two_editions["pages"]["شیوهٔ اصلاح خطا"]
    address = page.get_absolute_url()

    html = get(client, address)
    assert '<html lang="fa" dir="rtl"' in html and '<h1 dir="auto">شیوهٔ اصلاح خطا</h1>' in html
    assert "<title>شیوهٔ اصلاح خطا — ایران فرانت پیج</title>" in html

    moved = client.get(address.removeprefix("/fa"))
    assert (moved.status_code, moved["Location"]) == (301, address)
    moved = client.get("/fa/policies/corrections-policy/")
    assert (moved.status_code, moved["Location"]) == (301, "/policies/corrections-policy/")
    assert "Corrections policy" in get(client, "/policies/corrections-policy/")


def test_an_unpublished_policy_page_is_at_no_root(client, two_editions):
    page = two_editions["pages"]["اصول اخلاق حرفه‌ای"]
    page.is_published = False
    page.save()

    get(client, page.get_absolute_url(), 404)
    get(client, page.get_absolute_url().removeprefix("/fa"), 404)
    assert "اصول اخلاق حرفه‌ای" not in get(client, "/fa/")


def test_each_edition_has_one_page_of_a_kind(two_editions):
    with transaction.atomic(), pytest.raises(IntegrityError):
        PolicyPage.objects.create(
            kind=PolicyPage.Kind.CORRECTIONS,
            title="Again",
            slug="again",
            edition=two_editions["fa"],
        )


def test_the_pages_sitemap_lists_each_policy_page_and_home_at_its_editions_address(
    client, two_editions
):
    sitemap = get(client, "/sitemaps/pages.xml")
    slug = two_editions["pages"]["شیوهٔ اصلاح خطا"].get_absolute_url()
    assert f"<loc>http://testserver{slug}</loc>" in sitemap
    assert "<loc>http://testserver/policies/corrections-policy/</loc>" in sitemap
    assert "<loc>http://testserver/fa/</loc>" in sitemap
    assert "<loc>http://testserver/fa/masthead/</loc>" in sitemap


def test_each_edition_shows_its_own_tagline(client, two_editions):
    persian, english = get(client, "/fa/"), get(client, "/")

    assert '<p class="site-tagline" dir="auto">اخبار ایران و منطقه</p>' in persian
    assert "<title>ایران فرانت پیج — اخبار ایران و منطقه</title>" in persian
    assert "News from Iran and the region" not in persian
    assert '<p class="site-tagline" dir="auto">News from Iran and the region</p>' in english
    assert "<title>Iran Front Page — News from Iran and the region</title>" in english
    assert "اخبار ایران" not in english
    # The edition's WebSite description and site feed say it too.
    assert website(persian)["description"] == "اخبار ایران و منطقه"
    assert website(english)["description"] == "News from Iran and the region"
    assert "<description>اخبار ایران و منطقه</description>" in get(client, "/fa/feed/")
    assert "<description>News from Iran and the region</description>" in get(client, "/feed/")


def test_an_edition_without_a_tagline_shows_none_rather_than_the_outlets(client, two_editions):
    two_editions["fa"].tagline = ""
    two_editions["fa"].save()

    page = get(client, "/fa/")
    assert "site-tagline" not in page and "News from Iran" not in page
    assert "<title>ایران فرانت پیج</title>" in page


ENGLISH_ADDRESS = "PO Box 15875-1234, Tehran, Iran"
PERSIAN_ADDRESS = "تهران، صندوق پستی ۱۵۸۷۵-۱۲۳۴"


def contact(page: str) -> str:
    start = page.index('<section class="contact-block"')
    return page[start : page.index("</section>", start)]


def test_each_editions_masthead_page_gives_the_postal_address_in_its_language(client, two_editions):
    Outlet.objects.update(address=ENGLISH_ADDRESS)
    two_editions["fa"].address = PERSIAN_ADDRESS
    two_editions["fa"].save()

    persian, english = get(client, "/fa/masthead/"), get(client, "/masthead/")

    assert f'<span dir="auto">{PERSIAN_ADDRESS}</span>' in contact(persian)
    assert ENGLISH_ADDRESS not in persian
    assert f'<span dir="auto">{ENGLISH_ADDRESS}</span>' in contact(english)
    assert PERSIAN_ADDRESS not in english


def test_an_edition_without_an_address_of_its_own_gives_the_outlets(client, two_editions):
    """A letter still arrives at an address written in another script: better than none."""
    Outlet.objects.update(address=ENGLISH_ADDRESS)

    assert f'<span dir="auto">{ENGLISH_ADDRESS}</span>' in contact(get(client, "/fa/masthead/"))


def test_an_administrator_writes_an_editions_about_text_and_address_in_the_admin(
    client, two_editions, settings
):
    settings.REQUIRE_2FA_FOR = []  # the admin's second factor is tested in accounts/
    administrator = make_staff(StaffRole.Role.ADMINISTRATOR, None, username="admin")
    administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    persian = two_editions["fa"]
    address = f"/admin/newsroom/edition/{persian.pk}/change/"
    form = get(client, address)
    assert 'name="about"' in form and 'name="address"' in form

    response = client.post(
        address,
        {
            "name": persian.name,
            "slug": persian.slug,
            "language": persian.language,
            "calendar": persian.calendar,
            "time_zone": persian.time_zone,
            "host": "",
            "publication_name": persian.publication_name,
            "tagline": persian.tagline,
            "about": "ما اخبار ایران را گزارش می‌کنیم.",
            "address": f"  {PERSIAN_ADDRESS}  ",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    persian.refresh_from_db()
    assert (persian.about, persian.address) == ("ما اخبار ایران را گزارش می‌کنیم.", PERSIAN_ADDRESS)
    page = get(client, "/fa/masthead/")
    assert "ما اخبار ایران را گزارش می‌کنیم." in page and PERSIAN_ADDRESS in contact(page)


def render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template("{% load site_tags %}" + source).render(Context(context))


def test_numbers_take_the_pages_digits_outside_markup_only():
    assert render("{{ n|native_digits }}", "fa", n=1405) == "۱۴۰۵"
    assert render("{{ n|native_digits }}", "en", n=1405) == "1405"
    markup = (
        '{% filter native_digits %}<a href="#p3" data-n="12">3 & 4</a>'
        "<time datetime=\"2026-12-03\">'12'</time>{% endfilter %}"
    )
    assert render(markup, "fa") == (
        '<a href="#p3" data-n="12">۳ & ۴</a><time datetime="2026-12-03">\'۱۲\'</time>'
    )
    # Escaped text keeps its character references whole.
    assert render("{{ text|native_digits }}", "fa", text="it's 5") == "it&#x27;s ۵"


def test_a_persian_articles_counts_are_in_persian_digits(client, two_editions):
    story = two_editions["fa_story"]
    story.sources = [{"kind": "statement", "speaker": "وزارت خارجه", "paragraphs": [1]}]
    story.save()
    now = datetime.now(UTC)
    for minutes, kind in ((1, "correction"), (2, "correction"), (3, "update")):
        Correction.objects.create(
            story=story, kind=kind, note="اصلاح شد.", published_at=now - timedelta(minutes=minutes)
        )
    english = two_editions["en_story"]
    english.sources = story.sources
    english.save()
    for minutes in (1, 2):
        Correction.objects.create(
            story=english,
            kind="correction",
            note="Fixed.",
            published_at=now - timedelta(minutes=minutes),
        )

    persian_page = get(client, story.get_absolute_url())
    english_page = get(client, english.get_absolute_url())

    changes = re.search(r'<p class="how-reported__changes">(.*?)</p>', persian_page, re.S)
    assert changes is not None, "the article shows what changed"
    assert "۲" in changes.group(1) and "۱" in changes.group(1)
    assert not re.search(r"[0-9]", re.sub(r"<[^>]+>", "", changes.group(1)))
    assert "2 corrections since publication" in english_page


def test_an_editor_picks_a_policy_pages_edition_in_the_admin(client, two_editions, settings):
    settings.REQUIRE_2FA_FOR = []  # the admin's second factor is tested in accounts/
    administrator = make_staff(StaffRole.Role.ADMINISTRATOR, None, username="admin")
    administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    admin_client = client
    response = admin_client.get("/admin/newsroom/policypage/add/")
    assert response.status_code == 200
    form = response.content.decode()
    assert 'name="edition"' in form and "Edition fa" in form

    response = admin_client.post(
        "/admin/newsroom/policypage/add/",
        {
            "kind": PolicyPage.Kind.OWNERSHIP,
            "title": "مالکیت و منابع مالی",
            "slug": "مالکیت",
            "edition": two_editions["fa"].pk,
            "summary": "",
            "body": "<p>مالک ما کیست.</p>",
            "is_published": "on",
            "position": 3,
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    page = PolicyPage.objects.get(slug="مالکیت")
    assert page.edition == two_editions["fa"]
    assert page.get_absolute_url() == "/fa/policies/%D9%85%D8%A7%D9%84%DA%A9%DB%8C%D8%AA/"
