"""The API across editions (issue 13): a Persian story's words are its language's, desks say
their edition, and authors are given in an edition's language on request."""

from __future__ import annotations

import pytest

from masthead.factories import make_author, make_desk, make_edition, make_story
from masthead.newsroom.models import AuthorName

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
