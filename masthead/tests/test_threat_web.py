"""Web-platform threats (RELIABILITY.md §2.5): open redirects (E1), Host header and
absolute-URL poisoning (E6), proxy headers (E7). Mapped in docs/security.md."""

from __future__ import annotations

from datetime import UTC
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.core import mail

from masthead.accounts.tests.conftest import LOGIN, sign_in, unique_email
from masthead.factories import make_desk, make_staff, make_user
from masthead.newsroom.models import StaffRole
from masthead.site.tests import surfaces
from masthead.site.tests.newsroom_data import make_newsroom
from masthead.site.tests.test_page_cache import app, call  # noqa: F401 - the WSGI fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    writer = make_staff(
        StaffRole.Role.WRITER, make_desk("Politics"), username="writer", email=unique_email("w")
    )
    return {"writer": writer}


# RELIABILITY.md E1's list, plus the forms browsers also read as another host.
HOSTILE_NEXT = [
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https:evil.example",
    "/%2F%2Fevil.example",
    "http://testserver@evil.example",
    "/\t/evil.example",
    "\uff0f\uff0fevil.example",
    "javascript:alert(1)",
    "https://evil.example/phish",
    "http://evil.example\\@testserver/",
    "///evil.example",
    "/" + "a" * 20_000,
    "//evil.example/" + "a" * 20_000,
]


def lands_on_this_site(location: str) -> bool:
    """Where a browser goes with this ``Location``: it drops tabs and newlines and reads
    a backslash as a slash (WHATWG URL), so check what it would read."""
    browser_reads = location.replace("\t", "").replace("\n", "").replace("\r", "")
    browser_reads = browser_reads.replace("\\", "/")
    target = urlsplit(urljoin("http://testserver/account/login/", browser_reads))
    return target.scheme in ("http", "https") and target.netloc == "testserver"


def assert_stays_on_this_site(client, location: str, hops: int = 3) -> None:
    """The address and every redirect a browser then follows stay on this site (a local
    ``/%2F%2Fevil.example`` must not come back as ``//evil.example`` from a slash redirect)."""
    for _ in range(hops):
        assert lands_on_this_site(location), location
        target = urljoin("http://testserver/account/login/", location.replace("\\", "/"))
        response = client.get(urlsplit(target).path or "/")
        if response.status_code not in (301, 302, 307, 308):
            return
        location = response["Location"]
    assert lands_on_this_site(location), location


@pytest.mark.parametrize("next_url", HOSTILE_NEXT)
def test_sign_in_never_sends_anyone_to_another_site(client, people, next_url):
    response = sign_in(client, "writer", next=next_url)

    assert response.status_code == 302
    location = response["Location"]
    assert lands_on_this_site(location), location
    assert_stays_on_this_site(client, location)


@pytest.mark.parametrize("next_url", HOSTILE_NEXT)
def test_sign_in_through_the_query_string_never_leaves_the_site(client, people, next_url):
    response = client.post(
        f"{LOGIN}?{_query(next_url)}", {"username": "writer", "password": _password()}
    )

    assert response.status_code == 302
    assert_stays_on_this_site(client, response["Location"])


@pytest.mark.parametrize("next_url", HOSTILE_NEXT)
def test_sign_out_never_sends_anyone_to_another_site(client, people, next_url):
    client.force_login(people["writer"])

    response = client.post("/account/logout/", {"next": next_url})

    assert response.status_code == 302
    assert_stays_on_this_site(client, response["Location"])
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("next_url", HOSTILE_NEXT)
def test_the_second_factor_step_never_sends_anyone_to_another_site(client, people, next_url):
    # A writer owes no second factor by default: the step sends them straight to ``next``.
    client.force_login(people["writer"])

    response = client.get("/account/two-factor/verify/", {"next": next_url})

    assert response.status_code == 302
    assert_stays_on_this_site(client, response["Location"])


@pytest.mark.parametrize("next_url", ["//evil.example", "https://evil.example/"])
def test_the_language_switch_goes_to_the_account_page_whatever_it_is_told(
    client,
    people,
    next_url,
):
    client.force_login(people["writer"])

    response = client.post(
        f"/account/language/?next={_query(next_url)}", {"language": "fa", "next": next_url}
    )

    assert response.status_code == 302
    assert response["Location"] == "/account/"


def test_local_next_addresses_still_work(client, people):
    """The refusals above are not a sign-in that ignores ``next`` altogether."""
    assert sign_in(client, "writer", next="/desk/stories/7/?tab=history")["Location"] == (
        "/desk/stories/7/?tab=history"
    )


def _query(next_url: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"next": next_url})


def _password() -> str:
    from masthead.factories import TEST_PASSWORD

    return TEST_PASSWORD


# E6: Host header and absolute-URL poisoning ------------------------------------------


@pytest.fixture
def newsroom(db):
    return make_newsroom()


def _walk(client, newsroom, **headers) -> list[surfaces.Answer]:
    story = newsroom.story
    month = f"stories-{story.published_at.astimezone(UTC):%Y-%m}"
    pool = surfaces.Pool(
        {
            "slug": [story.slug, newsroom.reporter.slug, newsroom.tag.slug, newsroom.label.slug],
            "desk_slug": [newsroom.desk.slug],
            "story_id": [str(story.pk)],
            "section": [month, "news", "pages", "desks", "authors", "tags", "labels"],
        }
    )

    def get(url: str) -> surfaces.Answer:
        response = client.get(url, **headers)
        return surfaces.Answer(url, response.status_code, dict(response.headers), response.content)

    return surfaces.walk(get, surfaces.public_addresses(pool), extra=surfaces.EXTRA)


@pytest.mark.parametrize(
    "url",
    ["/", "/feed/", "/sitemap.xml", "/api/stories", "/robots.txt", "/account/password/reset/"],
)
def test_a_host_the_site_does_not_serve_is_a_400(client, newsroom, url):
    response = client.get(url, HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert b"evil.example" not in response.content


def test_a_host_the_site_does_not_serve_is_refused_by_the_page_cache_too(app, newsroom):  # noqa: F811
    poisoned = call(app, "/", host="evil.example")
    clean = call(app, "/")

    assert poisoned.status == 400
    assert clean.status == 200 and clean.outcome == "MISS"  # the 400 stored nothing
    assert "evil.example" not in clean.text


FORWARDED = {"HTTP_X_FORWARDED_HOST": "evil.example", "HTTP_X_FORWARDED_PROTO": "https"}


def test_no_public_surface_builds_an_address_from_forwarded_headers(client, newsroom):
    """Every public surface (pages, feeds, sitemaps, ninjs, API, robots.txt) walked with a
    forged X-Forwarded-Host: canonical, og:url, feed links, <loc> and ninjs uri stay ours."""
    answers = _walk(client, newsroom, **FORWARDED)

    assert len([a for a in answers if a.status == 200]) > 20
    for answer in answers:
        assert "evil.example" not in answer.everything(), answer.url
    article = client.get(newsroom.story.get_absolute_url(), **FORWARDED).content.decode()
    canonical = f"http://testserver{newsroom.story.get_absolute_url()}"
    assert f'<link rel="canonical" href="{canonical}">' in article
    assert f'<meta property="og:url" content="{canonical}">' in article
    ninjs = client.get(
        f"/api/stories/{newsroom.story.pk}", HTTP_ACCEPT="application/ninjs+json", **FORWARDED
    ).json()
    assert ninjs["uri"].startswith("http://testserver/")


def test_with_site_url_set_no_surface_uses_the_request_host(client, newsroom, settings):
    settings.SITE_URL = "https://news.example"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "mirror.example"]

    answers = _walk(client, newsroom, HTTP_HOST="mirror.example")

    absolute = [a for a in answers if a.status == 200 and "https://news.example/" in a.text]
    assert len(absolute) > 10  # feeds, sitemaps, pages and the API name SITE_URL …
    for answer in answers:
        assert "mirror.example" not in answer.everything(), answer.url  # … never the Host


def test_forwarded_host_is_read_only_behind_a_proxy_and_then_checked(client, newsroom, settings):
    settings.USE_X_FORWARDED_HOST = True  # what BEHIND_PROXY=true sets

    assert client.get("/", HTTP_X_FORWARDED_HOST="evil.example").status_code == 400
    assert client.get("/feed/", HTTP_X_FORWARDED_HOST="evil.example").status_code == 400


def test_the_password_reset_mail_never_names_a_forged_host(client, db):
    user = make_user("reporter", email=unique_email("reporter"))

    forged = client.post(
        "/account/password/reset/", {"email": user.email}, HTTP_X_FORWARDED_HOST="evil.example"
    )
    refused = client.post(
        "/account/password/reset/", {"email": user.email}, HTTP_HOST="evil.example"
    )

    assert forged.status_code == 302 and refused.status_code == 400
    assert len(mail.outbox) == 1  # the refused request sent nothing
    assert "evil.example" not in mail.outbox[0].body
    assert "http://testserver/account/password/reset/" in mail.outbox[0].body


# E7: proxy headers ---------------------------------------------------------------------


def test_the_scheme_comes_from_the_proxy_header_only_behind_a_proxy(client, newsroom):
    """Without BEHIND_PROXY a client's X-Forwarded-Proto does not make a request secure,
    so it cannot ask for https canonical addresses or secure-only behaviour."""
    article = client.get(
        newsroom.story.get_absolute_url(), HTTP_X_FORWARDED_PROTO="https"
    ).content.decode()

    assert 'href="https://testserver' not in article
    assert settings.SECURE_PROXY_SSL_HEADER is None
