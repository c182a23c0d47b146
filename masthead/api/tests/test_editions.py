"""The API across editions (issue 13): a Persian story's words are its language's, desks say
their edition, and authors are given in an edition's language on request."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from masthead.factories import make_author, make_desk, make_edition, make_story
from masthead.newsroom.models import Author, AuthorName
from masthead.stories.models import ContentVersion

pytestmark = pytest.mark.django_db

KAVEH = "کاوه نوری"
KAVEH_TITLE = "تحلیلگر"
KAVEH_BIO = "کاوه نوری تحلیلگر ایران فرانت پیج است و از اصفهان دربارهٔ آب می‌نویسد."
STAFF = "تحریریهٔ ایران فرانت پیج"
EXCLUSIVE = "اختصاصی ایران فرانت پیج"


@pytest.fixture
def persian(newsroom):
    """The Persian edition at /fa/ with its politics desk (edited by Kaveh Nouri, who has
    Persian words) and a Persian story signed by him and the collective byline."""
    edition = make_edition("fa", name="فارسی")
    siasat = make_desk("سیاست", slug="siasat", edition=edition, email="siasat@example.org")
    kaveh = make_author(
        "Kaveh Nouri", job_title="Analyst", bio="Writes on water and drought from Isfahan."
    )
    AuthorName.objects.create(
        author=kaveh, language="fa", name=KAVEH, job_title=KAVEH_TITLE, bio=KAVEH_BIO
    )
    AuthorName.objects.create(author=newsroom.staff, language="fa", name=STAFF)
    siasat.editor = kaveh
    siasat.save()
    newsroom.label.names = {"fa": EXCLUSIVE}
    newsroom.label.save()
    story = make_story(
        "مذاکرات در وین از سر گرفته شد",
        desk=siasat,
        slug="mozakerat-vin",
        authors=[kaveh, newsroom.staff],
        label=newsroom.label,
        language="fa",
    )
    return {"edition": edition, "desk": siasat, "kaveh": kaveh, "story": story}


# A story's words are its language's -------------------------------------------------------


def test_a_persian_story_names_its_authors_label_and_desk_in_persian(client, persian):
    story = persian["story"]

    full = client.get(f"/api/stories/{story.pk}").json()
    listed = client.get("/api/stories?language=fa").json()["items"][0]

    for item in (full, listed):
        assert [b["author"]["name"] for b in item["bylines"]] == [KAVEH, STAFF]
        assert [b["author"]["url"] for b in item["bylines"]] == [
            "http://testserver/fa/author/kaveh-nouri/",
            "http://testserver/fa/author/ifp-editorial-staff/",
        ]
        assert item["label"] == {"name": EXCLUSIVE, "slug": "ifp-exclusive", "kind": "exclusive"}
        assert item["desk"]["name"] == "سیاست"
        assert item["desk"]["url"] == "http://testserver/fa/siasat/"
        assert item["url"] == "http://testserver/fa/siasat/mozakerat-vin/"


def test_an_english_story_of_the_same_authors_is_as_it_was(client, newsroom, persian):
    make_story("Water rationing in Isfahan", desk=newsroom.desk, authors=[persian["kaveh"]])

    item = client.get("/api/stories?language=en&author=kaveh-nouri").json()["items"][0]
    full = client.get(f"/api/stories/{newsroom.story.pk}").json()

    assert item["bylines"][0]["author"]["name"] == "Kaveh Nouri"
    assert item["bylines"][0]["author"]["url"] == "http://testserver/author/kaveh-nouri/"
    assert full["label"]["name"] == "IFP Exclusive"
    assert [b["author"]["name"] for b in full["bylines"]] == ["Nima Sadeghi", "IFP Editorial Staff"]


def test_an_english_story_on_a_persian_desk_names_its_authors_in_english(client, persian):
    """Words follow the story's language (as its JSON-LD does); addresses its edition."""
    story = make_story(
        "Talks in Vienna, in English", desk=persian["desk"], authors=[persian["kaveh"]]
    )

    byline = client.get(f"/api/stories/{story.pk}").json()["bylines"][0]["author"]

    assert byline["name"] == "Kaveh Nouri"
    assert byline["url"] == "http://testserver/fa/author/kaveh-nouri/"


def test_an_edition_on_its_own_host_links_its_bylines_there(client, settings, persian):
    settings.SITE_URL = "https://news.example"
    settings.ALLOWED_HOSTS = ["news.example", "fa.news.example"]
    persian["edition"].host = "fa.news.example"
    persian["edition"].full_clean()
    persian["edition"].save()

    item = client.get(f"/api/stories/{persian['story'].pk}", HTTP_HOST="news.example").json()

    assert item["url"] == "https://fa.news.example/siasat/mozakerat-vin/"
    assert item["bylines"][0]["author"]["url"] == "https://fa.news.example/author/kaveh-nouri/"


def test_an_author_without_persian_words_keeps_the_profiles_name(client, newsroom, persian):
    story = make_story("خبر دیگر", desk=persian["desk"], slug="other", authors=[newsroom.reporter])

    byline = client.get(f"/api/stories/{story.pk}").json()["bylines"][0]["author"]

    assert byline["name"] == "Nima Sadeghi"
    assert byline["url"] == "http://testserver/fa/author/nima-sadeghi/"


def test_ninjs_of_a_persian_story_is_in_persian(client, persian):
    item = client.get(f"/api/stories/{persian['story'].pk}/ninjs").json()

    assert item["by"] == f"{KAVEH} و {STAFF}"  # joined as the page joins them, not with “and”
    assert item["people"] == [
        {
            "name": KAVEH,
            "rel": "author",
            "literal": "kaveh-nouri",
            "uri": "http://testserver/fa/author/kaveh-nouri/",
        }
    ]
    assert item["organisations"][0]["name"] == STAFF
    assert item["organisations"][0]["uri"] == "http://testserver/fa/author/ifp-editorial-staff/"
    assert item["genres"][0]["name"] == EXCLUSIVE


def test_ninjs_of_three_persian_bylines_uses_the_persian_comma(client, newsroom, persian):
    story = make_story(
        "گزارش سه‌نفره",
        desk=persian["desk"],
        slug="three",
        authors=[persian["kaveh"], newsroom.reporter, newsroom.staff],
        language="fa",
    )

    item = client.get(f"/api/stories/{story.pk}/ninjs").json()

    assert item["by"] == f"{KAVEH}، Nima Sadeghi و {STAFF}"


def test_ninjs_of_an_english_story_is_as_it_was(client, newsroom, persian):
    item = client.get(f"/api/stories/{newsroom.story.pk}/ninjs").json()

    assert item["by"] == "Nima Sadeghi and IFP Editorial Staff"
    assert item["people"][0]["uri"] == "http://testserver/author/nima-sadeghi/"
    assert item["genres"][0]["name"] == "IFP Exclusive"


# Desks say their edition ------------------------------------------------------------------


@pytest.fixture
def arabic(persian):
    """A third edition, so that a language filter has more than one other edition to leave out."""
    edition = make_edition("ar", name="العربية", language="ar", publication_name="إيران فرانت")
    return make_desk("السياسة", slug="siyasa", edition=edition)


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [desk["slug"] for desk in response.json()]


def test_every_desk_says_its_edition_and_language(client, persian, arabic):
    desks = {desk["slug"]: desk for desk in client.get("/api/desks").json()}

    assert {slug: (d["edition"], d["language"]) for slug, d in desks.items()} == {
        "politics": ("en", "en"),
        "economy": ("en", "en"),
        "siasat": ("fa", "fa"),
        "siyasa": ("ar", "ar"),
    }
    assert desks["siasat"]["url"] == "http://testserver/fa/siasat/"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fa", ["siasat"]),
        ("FA", ["siasat"]),
        ("ar", ["siyasa"]),
        ("en", ["economy", "politics"]),
        ("de", []),  # no edition in German: no desk, as the story list's language filter
        ("fa-IR", []),  # no edition in exactly that language
    ],
)
def test_the_desk_list_per_language_shows_only_that_editions_desks(
    client, persian, arabic, language, expected
):
    assert slugs(client.get(f"/api/desks?language={language}")) == expected


def test_a_persian_desks_editor_is_named_as_the_desk_page_names_them(client, persian):
    desk = client.get("/api/desks/siasat").json()

    assert desk["edition"] == "fa"
    assert desk["language"] == "fa"
    assert desk["editor"]["name"] == KAVEH
    assert desk["editor"]["url"] == "http://testserver/fa/author/kaveh-nouri/"


def test_an_english_desks_editor_is_as_it_was(client, newsroom, persian):
    newsroom.desk.editor = persian["kaveh"]
    newsroom.desk.save()

    editor = client.get("/api/desks/politics").json()["editor"]

    assert editor["name"] == "Kaveh Nouri"
    assert editor["url"] == "http://testserver/author/kaveh-nouri/"


def test_a_desk_slug_names_one_desk_across_editions(client, persian):
    """``/api/desks/{slug}`` takes no edition: it needs none while the model keeps desk slugs
    unique across editions. Were that to change, this fails before the address is ambiguous."""
    with pytest.raises(IntegrityError), transaction.atomic():
        make_desk("Politics (fa)", slug="politics", edition=persian["edition"])

    assert client.get("/api/desks/politics").json()["edition"] == "en"
    assert client.get("/api/desks/siasat").json()["edition"] == "fa"


# Authors in an edition's language -----------------------------------------------------------


def authors_by_slug(response) -> dict[str, dict]:
    assert response.status_code == 200, response.content
    return {author["slug"]: author for author in response.json()}


def test_authors_in_persian_are_their_persian_words_and_pages(client, persian):
    listed = authors_by_slug(client.get("/api/authors?language=fa"))
    one = client.get("/api/authors/kaveh-nouri?language=fa").json()

    for kaveh in (listed["kaveh-nouri"], one):
        assert kaveh["name"] == KAVEH
        assert kaveh["job_title"] == KAVEH_TITLE
        assert kaveh["bio"] == KAVEH_BIO
        assert kaveh["url"] == "http://testserver/fa/author/kaveh-nouri/"
    staff = listed["ifp-editorial-staff"]
    assert (staff["name"], staff["url"]) == (
        STAFF,
        "http://testserver/fa/author/ifp-editorial-staff/",
    )


def test_what_an_author_has_no_persian_words_for_is_the_profiles(client, newsroom, persian):
    """As the site's author box: field by field, else the profile's (AuthorName)."""
    listed = authors_by_slug(client.get("/api/authors?language=fa"))

    nima = listed["nima-sadeghi"]  # no Persian words at all
    assert (nima["name"], nima["job_title"]) == ("Nima Sadeghi", "Journalist")
    assert nima["url"] == "http://testserver/fa/author/nima-sadeghi/"
    staff = listed["ifp-editorial-staff"]  # a Persian name, nothing else
    assert staff["job_title"] == newsroom.staff.job_title
    assert staff["bio"] == newsroom.staff.bio


def test_the_portraits_alt_text_is_in_the_editions_language(client, newsroom, persian):
    persian["kaveh"].photo = newsroom.image
    persian["kaveh"].save()

    in_persian = client.get("/api/authors/kaveh-nouri?language=fa").json()["photo"]
    as_before = client.get("/api/authors/kaveh-nouri").json()["photo"]

    assert in_persian["alt_text"] == f"تصویر {KAVEH}"
    assert as_before["alt_text"] == "Delegates at the table"  # the picture's own
    assert in_persian["url"] == as_before["url"]


def test_without_a_language_and_in_english_authors_are_as_they_were(client, persian):
    before = client.get("/api/authors")
    english = client.get("/api/authors?language=en")
    upper = client.get("/api/authors/kaveh-nouri?language=EN")

    assert english.content == before.content
    kaveh = authors_by_slug(before)["kaveh-nouri"]
    assert (kaveh["name"], kaveh["job_title"]) == ("Kaveh Nouri", "Analyst")
    assert kaveh["url"] == "http://testserver/author/kaveh-nouri/"
    assert upper.json() == kaveh


def test_authors_come_in_the_same_order_in_every_language(client, persian):
    english = [author["slug"] for author in client.get("/api/authors").json()]
    farsi = [author["slug"] for author in client.get("/api/authors?language=fa").json()]

    assert farsi == english


@pytest.mark.parametrize("value", ["de", "fa-IR", "zz", "ar"])
@pytest.mark.parametrize("read", ["/api/authors", "/api/authors/kaveh-nouri"])
def test_a_language_no_edition_is_in_is_a_422_naming_the_editions(client, persian, read, value):
    response = client.get(f"{read}?language={value}")

    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"] == "/api/problems/invalid-input"
    assert problem["errors"] == [
        {
            "detail": f"No edition is written in “{value}”; the editions are in en, fa.",
            "parameter": "language",
        }
    ]


def test_an_author_of_another_edition_is_there_in_every_language(client, persian, arabic):
    """Authors are the newsroom's, not an edition's: each edition has a page for each."""
    listed = authors_by_slug(client.get("/api/authors?language=ar"))

    assert listed["kaveh-nouri"]["name"] == "Kaveh Nouri"  # no Arabic words: the profile's
    assert listed["kaveh-nouri"]["url"] == "http://testserver/ar/author/kaveh-nouri/"


@pytest.mark.parametrize("language", ["", "?language=en", "?language=fa"])
def test_an_inactive_author_stays_hidden_in_every_language(client, persian, language):
    Author.objects.filter(pk=persian["kaveh"].pk).update(is_active=False)

    listed = client.get(f"/api/authors{language}")
    one = client.get(f"/api/authors/kaveh-nouri{language}")

    assert "kaveh-nouri" not in authors_by_slug(listed)
    assert KAVEH not in listed.content.decode()
    assert one.status_code == 404
    assert KAVEH not in one.content.decode()


def test_an_inactive_author_is_named_but_not_linked_on_a_persian_story(client, persian):
    Author.objects.filter(pk=persian["kaveh"].pk).update(is_active=False)

    byline = client.get(f"/api/stories/{persian['story'].pk}").json()["bylines"][0]["author"]

    assert (byline["name"], byline["url"]) == (KAVEH, None)


def test_a_second_edition_in_one_language_gives_the_default_or_the_first_by_name(client, persian):
    make_edition("fa-b", name="فارسی ب", language="fa")  # after "فارسی" by name

    kaveh = client.get("/api/authors/kaveh-nouri?language=fa").json()

    assert kaveh["url"] == "http://testserver/fa/author/kaveh-nouri/"


# Hostile values of ``language`` -------------------------------------------------------------

LANGUAGE_READS = ["/api/desks", "/api/authors", "/api/authors/kaveh-nouri"]
HOSTILE_LANGUAGES = [
    "",
    "f",
    "x" * 17,
    "x" * 5000,
    "..%2F..%2Fetc%2Fpasswd",
    "../",
    "fa%2F..",
    "fa'%20OR%20'1'%3D'1",
    "fa%3B%20DROP%20TABLE%20newsroom_desk%3B--",
    "fa%00",
    "%D9%81%D8%A7",  # فا
    "%EF%BD%86%EF%BD%81",  # fullwidth ｆａ
    "f%C4%B1",  # dotless ı, which upper-cases to a Latin I
    "%E2%80%AEaf",  # a right-to-left override
    "fa%0D%0ASet-Cookie:%20x=1",
    "%ED%A0%80",  # a lone surrogate, as UTF-8
    "%ff%fe",
]


@pytest.mark.parametrize("read", LANGUAGE_READS)
@pytest.mark.parametrize("value", HOSTILE_LANGUAGES)
def test_a_hostile_language_is_a_clear_422_naming_it(client, persian, read, value):
    response = client.get(f"{read}?language={value}")

    assert response.status_code == 422, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert response["Cache-Control"] == "no-store"
    problem = response.json()
    assert problem["type"] == "/api/problems/invalid-input"
    assert problem["errors"][0]["parameter"] == "language"


@pytest.mark.parametrize("read", LANGUAGE_READS)
def test_a_language_given_twice_is_refused_not_guessed(client, persian, read):
    response = client.get(f"{read}?language=fa&language=en")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert "“language” once" in response.json()["detail"]


@pytest.mark.parametrize("read", LANGUAGE_READS)
def test_a_parameter_the_read_does_not_take_is_refused(client, persian, read):
    response = client.get(f"{read}?edition__language=fa")

    assert response.status_code == 400
    assert "“edition__language”" in response.json()["detail"]


# Validators follow the words ----------------------------------------------------------------


def test_a_changed_persian_name_moves_the_validators_of_what_shows_it(client, persian):
    """An ``AuthorName`` change bumps the ``site`` scope, which every one of these reads'
    Last-Modified takes (``_public_records``, ``last_public_change``), and changes their
    bytes, hence their ETag; a client revalidating gets the new name at once."""
    ContentVersion.objects.update(changed_at=timezone.now() - timedelta(days=1))
    reads = [
        "/api/authors?language=fa",
        "/api/authors/kaveh-nouri?language=fa",
        "/api/desks?language=fa",
        "/api/desks/siasat",
        f"/api/stories/{persian['story'].pk}",
        f"/api/stories/{persian['story'].pk}/ninjs",
        "/api/stories?language=fa",
    ]
    before = {url: client.get(url) for url in reads}
    english = client.get("/api/authors")

    name = AuthorName.objects.get(author=persian["kaveh"], language="fa")
    name.name = "کاوه نوریان"
    name.save()

    for url, first in before.items():
        by_etag = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert by_etag.status_code == 200, url
        assert by_date.status_code == 200, url
        assert "کاوه نوریان" in json.dumps(by_etag.json(), ensure_ascii=False), url
    # The English words did not change: neither did their bytes.
    assert client.get("/api/authors", HTTP_IF_NONE_MATCH=english["ETag"]).status_code == 304


def test_each_language_of_a_read_has_its_own_etag(client, persian):
    english = client.get("/api/authors/kaveh-nouri")
    farsi = client.get("/api/authors/kaveh-nouri?language=fa")

    assert english["ETag"] != farsi["ETag"]
    assert (
        client.get(
            "/api/authors/kaveh-nouri?language=fa", HTTP_IF_NONE_MATCH=farsi["ETag"]
        ).status_code
        == 304
    )
    assert (
        client.get(
            "/api/authors/kaveh-nouri?language=fa", HTTP_IF_NONE_MATCH=english["ETag"]
        ).status_code
        == 200
    )


# The docs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/desks", "/api/authors", "/api/authors/{slug}"])
def test_the_openapi_document_shows_the_language_parameter(client, path):
    operation = client.get("/api/openapi.json").json()["paths"][path]["get"]

    language = next(p for p in operation["parameters"] if p["name"] == "language")
    assert language["in"] == "query"
    assert not language.get("required", False)
    assert "edition" in language["description"]
    assert "422" in operation["responses"]


def test_a_database_without_editions_reads_authors_in_the_settings_language(client, settings):
    """No edition rows (a new install, or a database a test emptied): pages are read in the
    edition the settings describe, and so is ``?language=`` (``selectors.editions``)."""
    from masthead.newsroom.editions import Edition, forget_editions

    Edition.objects.all().delete()
    forget_editions()
    make_author("Nima Sadeghi")

    answered = client.get(f"/api/authors?language={settings.LANGUAGE_CODE}")
    assert answered.status_code == 200
    assert [author["name"] for author in answered.json()] == ["Nima Sadeghi"]
    refused = client.get("/api/authors?language=de")
    assert refused.status_code == 422
    assert f"the editions are in {settings.LANGUAGE_CODE}" in refused.content.decode()


@pytest.mark.parametrize(
    ("read", "words"),
    [
        ("/api/desks?language=fa", "سیاست"),
        ("/api/authors?language=fa", KAVEH),
        ("/api/authors/kaveh-nouri?language=fa", KAVEH_BIO),
        ("/api/stories?language=fa", "مذاکرات در وین"),
        ("/api/stories/{id}", "مذاکرات در وین"),
    ],
)
def test_persian_words_are_sent_as_utf8_not_as_escapes(client, persian, read, words):
    response = client.get(read.format(id=persian["story"].pk))

    assert response.status_code == 200
    assert response["Content-Type"].endswith("charset=utf-8")
    assert words.encode() in response.content
    assert b"\\u06" not in response.content  # no Arabic-script letter escaped
    assert words in json.dumps(response.json(), ensure_ascii=False)
