"""The account pages wear the edition of the staff member's language
(accounts/interface_language.py): a Persian interface gets the Persian edition's
header and footer (its name, desks and policy pages) with every link into that
edition (``/fa/…``, or its own host), an English one the English edition's; the
account pages stay on the main host, and the public pages keep their own header
whatever an account page put in the shared fragment cache."""

from __future__ import annotations

import re

import lxml.html
import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from masthead.factories import make_desk, make_edition, make_staff, make_story
from masthead.newsroom.editions import forget_editions
from masthead.newsroom.models import Outlet, PolicyPage, StaffRole
from masthead.stories import services
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db

HOST = "fa.news.example"
# Every public address the header, the footer and the feed links of the head point to.
CHROME = "//header[@class='site-header']//a/@href | //header//form/@action | //footer//a/@href"
FEED_LINKS = "//link[@rel='alternate']/@href"


@pytest.fixture
def editions(db, settings):
    settings.SITE_URL = "http://testserver"
    settings.ALLOWED_HOSTS = ["testserver", HOST]
    Outlet.objects.create(name="Iran Front Page", email="desk@example.org")
    persian = make_edition("fa", tagline="اخبار ایران و منطقه")
    english_desk = make_desk("Politics", slug="politics")
    persian_desk = make_desk("سیاست", slug="siasat", edition=persian)
    PolicyPage.objects.create(
        title="Ethics", slug="ethics", kind="ethics", body="<p>Ours.</p>", is_published=True
    )
    PolicyPage.objects.create(
        title="اصول اخلاق حرفه‌ای",
        slug="akhlagh",
        kind="ethics",
        body="<p>اصول ما.</p>",
        is_published=True,
        edition=persian,
    )
    make_story("Talks resume in Vienna", desk=english_desk)
    make_story("مذاکرات در وین", desk=persian_desk, slug="vienna-talks")
    return {"persian": persian, "english_desk": english_desk, "persian_desk": persian_desk}


def page(client, url: str, status: int = 200, **headers) -> lxml.html.HtmlElement:
    response = client.get(url, **headers)
    assert response.status_code == status, (url, response.status_code)
    return lxml.html.document_fromstring(response.content.decode())


def in_persian(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    return client


def links(tree) -> list[str]:
    return tree.xpath(CHROME)


def header_text(tree) -> str:
    return " ".join(tree.xpath("//header[@class='site-header']")[0].text_content().split())


def footer_text(tree) -> str:
    return " ".join(tree.xpath("//footer")[0].text_content().split())


def test_a_persian_sign_in_page_wears_the_persian_editions_header_and_footer(client, editions):
    tree = page(in_persian(client), "/account/login/")

    html = tree.xpath("/html")[0]
    assert (html.get("lang"), html.get("dir")) == ("fa", "rtl")
    assert "ایران فرانت پیج" in header_text(tree)  # its publication name, not the outlet's
    assert "اخبار ایران و منطقه" in header_text(tree)
    assert "سیاست" in header_text(tree) and "Politics" not in header_text(tree)
    assert "اصول اخلاق حرفه‌ای" in footer_text(tree) and "Ethics" not in footer_text(tree)
    assert "Iran Front Page" not in tree.xpath("//title")[0].text
    assert sorted(links(tree)) == sorted(
        [
            "/fa/",
            "/fa/search/",
            "/fa/siasat/",
            "/fa/masthead/",
            "/fa/masthead/",
            "/fa/corrections/",
            "/fa/feed/",
            "/fa/policies/akhlagh/",
            "mailto:desk@example.org",
        ]
    )
    assert tree.xpath(FEED_LINKS) == ["/fa/feed/", "/fa/feed/atom/"]


def test_an_english_sign_in_page_wears_the_english_editions_header(client, editions):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    tree = page(client, "/account/login/")

    html = tree.xpath("/html")[0]
    assert (html.get("lang"), html.get("dir")) == ("en", "ltr")
    assert "Iran Front Page" in header_text(tree) and "Politics" in header_text(tree)
    assert "سیاست" not in header_text(tree) and "ایران فرانت پیج" not in header_text(tree)
    assert sorted(links(tree)) == sorted(
        [
            "/",
            "/search/",
            "/politics/",
            "/masthead/",
            "/masthead/",
            "/corrections/",
            "/feed/",
            "/policies/ethics/",
            "mailto:desk@example.org",
        ]
    )


def test_with_the_edition_on_its_own_host_the_links_go_there(client, editions):
    persian = editions["persian"]
    persian.host = HOST
    persian.full_clean()
    persian.save()

    tree = page(in_persian(client), "/account/login/")

    origin = f"http://{HOST}"
    public = [link for link in links(tree) if not link.startswith("mailto:")]
    assert public and all(link.startswith(f"{origin}/") for link in public), public
    assert f"{origin}/" in public and f"{origin}/siasat/" in public
    assert f"{origin}/masthead/" in public and f"{origin}/policies/akhlagh/" in public
    assert tree.xpath(FEED_LINKS) == [f"{origin}/feed/", f"{origin}/feed/atom/"]
    # The account pages themselves stay on the main host (host-only cookies).
    assert tree.xpath("//form[@class='account-form']/@action") == ["/account/login/"]
    assert client.get("/account/login/", HTTP_HOST=HOST).status_code == 404
    assert client.get("/fa/account/login/").status_code in (301, 404)


def test_a_language_no_edition_is_written_in_gets_the_default_editions_header(client, editions):
    Story.objects.filter(desk__edition=editions["persian"]).delete()
    editions["persian_desk"].delete()
    PolicyPage.objects.filter(edition=editions["persian"]).delete()
    editions["persian"].delete()

    tree = page(in_persian(client), "/account/login/")

    assert "Iran Front Page" in header_text(tree) and "Politics" in header_text(tree)
    assert "/politics/" in links(tree) and "/" in links(tree)


ANONYMOUS_PAGES = [
    "/account/login/",
    "/account/password/reset/",
    "/account/password/reset/sent/",
    "/account/password/reset/complete/",
    "/account/password/reset/MQ/not-a-token/",
]
SIGNED_IN_PAGES = [
    "/account/",
    "/account/password/",
    "/account/password/changed/",
    "/account/two-factor/setup/",
]


@pytest.fixture
def editor(editions, settings):
    settings.REQUIRE_2FA_FOR = []
    return make_staff(StaffRole.Role.DESK_EDITOR, editions["persian_desk"], username="editor")


@pytest.mark.parametrize("url", [*ANONYMOUS_PAGES, *SIGNED_IN_PAGES])
def test_every_account_page_of_a_persian_interface_links_into_the_persian_edition(
    client, editions, editor, url
):
    if url in SIGNED_IN_PAGES:
        client.force_login(editor)
    tree = page(in_persian(client), url)

    public = [link for link in links(tree) if not link.startswith("mailto:")]
    assert public and all(link.startswith("/fa/") for link in public), (url, public)
    assert "سیاست" in header_text(tree), url


def test_a_404_under_the_back_office_wears_the_editions_header(client, editions, editor):
    client.force_login(editor)
    tree = page(in_persian(client), "/desk/no-such-page/", 404)

    assert "سیاست" in header_text(tree)
    assert all(link.startswith(("/fa/", "mailto:")) for link in links(tree)), links(tree)
    # "Go to the front page" goes to the Persian edition's front page.
    assert tree.xpath("//div[@class='error-page']//a/@href") == ["/fa/"]


def test_public_pages_keep_their_own_header_after_an_account_page_filled_the_cache(
    client, editions
):
    english_first = page(client, "/")
    persian_first = page(client, "/fa/")
    cache.clear()
    forget_editions()

    page(in_persian(client), "/account/login/")  # the Persian header into the fragments
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page(client, "/account/login/")  # and the English one
    english = page(client, "/")
    persian = page(client, "/fa/")

    for first, then in ((english_first, english), (persian_first, persian)):
        assert links(then) == links(first)
        assert header_text(then) == header_text(first)
        assert footer_text(then) == footer_text(first)
        assert then.xpath(FEED_LINKS) == first.xpath(FEED_LINKS)
    assert "/" in links(english) and "/politics/" in links(english)
    assert "/fa/" in links(persian) and "/fa/siasat/" in links(persian)


def test_an_account_pages_header_is_its_editions_own_header(client, editions):
    """The same edition, language and host: the same markup as on the edition's pages, so
    sharing the fragment is sharing the same bytes."""
    public = client.get("/fa/").content.decode()
    account = in_persian(client).get("/account/login/").content.decode()

    def chrome(text: str) -> tuple[str, str]:
        header = re.search(r'<header class="site-header">.*?</header>', text, re.S).group(0)
        footer = re.search(r'<footer class="site-footer">.*?</footer>', text, re.S).group(0)
        return header, footer

    assert chrome(account) == chrome(public)


def test_a_preview_in_the_back_office_wears_its_storys_edition(client, editions, editor):
    client.force_login(editor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # an English interface
    story = Story.objects.get(slug="vienna-talks")
    revision = services.snapshot_revision(story)
    url = reverse("backoffice:preview", kwargs={"story_id": story.pk, "revision_id": revision.pk})
    response = client.get(url)
    assert response.status_code == 200
    tree = lxml.html.document_fromstring(response.content.decode())

    html = tree.xpath("/html")[0]
    assert (html.get("lang"), html.get("dir")) == ("fa", "rtl")
    assert "سیاست" in header_text(tree) and "Politics" not in header_text(tree)
    public = [link for link in links(tree) if not link.startswith("mailto:")]
    assert all(link.startswith("/fa/") for link in public), public
    with translation.override("fa"):
        assert translation.gettext("Recent Posts") in response.content.decode()
