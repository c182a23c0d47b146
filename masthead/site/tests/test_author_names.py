"""Staff who work in two editions (issue 13): an edition shows an author by their name, job
title and bio in its language (``AuthorName``), everywhere it shows them; the default
edition, and an edition without such a name, show the profile's own words."""

from __future__ import annotations

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from masthead.factories import make_author, make_desk, make_edition, make_staff, make_story
from masthead.newsroom.models import Author, AuthorName, StaffRole
from masthead.site.tests import test_page_cache
from masthead.site.tests.test_media import make_image
from masthead.site.tests.test_page_cache import call
from masthead.site.tests.test_structured_data import LD_JSON

pytestmark = pytest.mark.django_db
app = test_page_cache.app  # the page cache in front of Django (a fixture)

PERSIAN_NAME = "کاوه نوری"
PERSIAN_TITLE = "تحلیلگر"


@pytest.fixture
def two_editions():
    persian = make_edition("fa")
    politics = make_desk("Politics")
    siasat = make_desk("سیاست", slug="siasat", edition=persian)
    kaveh = make_staff(StaffRole.Role.WRITER, siasat, username="kaveh").author
    kaveh.name, kaveh.slug, kaveh.job_title = "Kaveh Nouri", "kaveh-nouri", "Analyst"
    kaveh.bio = "Writes on water and drought."
    kaveh.save()
    siasat.editor = kaveh
    siasat.save()
    AuthorName.objects.create(
        author=kaveh, language="fa", name=PERSIAN_NAME, job_title=PERSIAN_TITLE, bio=""
    )
    english = make_story("Water rationing in Isfahan", desk=politics, authors=[kaveh])
    farsi = make_story(
        "جیره‌بندی آب در اصفهان", desk=siasat, slug="ab", authors=[kaveh], language="fa"
    )
    return {"kaveh": kaveh, "en": english, "fa": farsi}


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_persian_edition_shows_the_persian_name_everywhere(client, two_editions):
    story = two_editions["fa"]
    for url in (
        "/fa/",
        "/fa/siasat/",
        story.get_absolute_url(),
        "/fa/author/kaveh-nouri/",
        "/fa/masthead/",
        "/fa/search/?q=آب",
        "/fa/feed/",
        "/fa/author/kaveh-nouri/feed.xml",
    ):
        text = page(client, url)
        assert PERSIAN_NAME in text, url
        assert "Kaveh Nouri" not in text, url


def test_the_persian_job_title_and_the_profiles_bio_as_fallback(client, two_editions):
    author_page = page(client, "/fa/author/kaveh-nouri/")
    assert f'<p class="author-box__title" dir="auto">{PERSIAN_TITLE}</p>' in author_page
    # No Persian bio: the profile's is shown rather than none.
    assert "Writes on water and drought." in author_page
    assert "Analyst" not in page(client, "/fa/masthead/")


def test_the_english_edition_keeps_the_profiles_words(client, two_editions):
    for url in ("/", "/politics/", two_editions["en"].get_absolute_url(), "/author/kaveh-nouri/"):
        text = page(client, url)
        assert "Kaveh Nouri" in text, url
        assert PERSIAN_NAME not in text, url
    assert "Analyst" in page(client, "/author/kaveh-nouri/")


def test_json_ld_of_a_persian_story_names_the_author_in_persian(client, two_editions):
    blocks = [
        json.loads(b) for b in LD_JSON.findall(page(client, two_editions["fa"].get_absolute_url()))
    ]
    article = next(block for block in blocks if block["@type"] != "BreadcrumbList")
    assert article["author"][0]["name"] == PERSIAN_NAME
    assert article["author"][0]["jobTitle"] == PERSIAN_TITLE


def test_ninjs_of_a_persian_story_names_the_author_in_persian(client, two_editions):
    persian = client.get(f"/api/stories/{two_editions['fa'].pk}/ninjs").json()
    english = client.get(f"/api/stories/{two_editions['en'].pk}/ninjs").json()

    assert persian["by"] == PERSIAN_NAME
    assert persian["people"][0]["name"] == PERSIAN_NAME
    assert english["by"] == "Kaveh Nouri"


def test_an_author_without_a_persian_name_keeps_the_profiles(client, two_editions):
    other = make_author("Nima Sadeghi")
    story = make_story("خبر دیگر", desk=two_editions["fa"].desk, slug="other", authors=[other])
    assert "Nima Sadeghi" in page(client, story.get_absolute_url())


def test_a_changed_name_shows_at_once_through_the_caches(client, two_editions, settings):
    url = two_editions["fa"].get_absolute_url()
    assert PERSIAN_NAME in page(client, url)

    name = AuthorName.objects.get(language="fa")
    name.name = "کاوه نوریان"
    name.save()
    assert "کاوه نوریان" in page(client, url)

    name.delete()
    text = page(client, url)
    assert "کاوه نوریان" not in text and "Kaveh Nouri" in text


def test_a_list_that_loaded_only_names_asks_nothing_more(two_editions):
    from masthead.newsroom.author_names import all_names

    all_names()  # the names in the cache, as after a page's first byline
    other = make_author("Nima Sadeghi", bio="A long bio.")
    authors = list(Author.objects.only("name").filter(pk__in=[two_editions["kaveh"].pk, other.pk]))
    with CaptureQueriesContext(connection) as asked:
        shown = [author.in_language("fa").name for author in authors]
        shown += [author.in_language("en").name for author in authors]
    assert sorted(shown) == sorted([PERSIAN_NAME, "Nima Sadeghi", "Kaveh Nouri", "Nima Sadeghi"])
    assert len(asked) == 0


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"language": "en", "name": "Kaveh"}, "The profile itself is written in this language"),
        ({"language": "klingon", "name": "Kaveh"}, "klingon"),
        ({"language": "fa", "name": "   "}, "Give the author's name in this language."),
    ],
)
def test_a_name_is_refused_with_a_clear_message(two_editions, fields, message):
    name = AuthorName(author=two_editions["kaveh"], **fields)
    with pytest.raises(ValidationError) as refused:
        name.full_clean()
    assert message in str(refused.value)


def test_one_name_per_author_and_language(two_editions):
    second = AuthorName(author=two_editions["kaveh"], language="fa", name="کاوه")
    with pytest.raises(ValidationError, match="already exists"):
        second.full_clean()


def test_the_admin_edits_the_names_with_the_profile(admin_client, two_editions, settings):
    settings.REQUIRE_2FA_FOR = []
    kaveh = two_editions["kaveh"]
    form = page(admin_client, f"/admin/newsroom/author/{kaveh.pk}/change/")
    assert "names in other editions" in form.lower()
    assert re.search(r'name="names-0-name"[^>]*value="کاوه نوری"', form)


# Expertise, languages, location, work elsewhere and the portrait in the edition's language ---

PERSIAN_WORDS = {
    "expertise": "آب و خشکسالی\nحمل‌ونقل شهری",
    "languages": "فارسی، انگلیسی",
    "location": "اصفهان",
    "other_work": "https://atlas-ab.example/kaveh",
}
ENGLISH_WORDS = {
    "expertise": "Water and drought\nUrban transport",
    "languages": "Persian, English",
    "location": "Isfahan",
    "other_work": "https://water-atlas.example/kaveh",
}


@pytest.fixture
def expert(two_editions):
    """Kaveh's profile with expertise, a portrait, and all of it in Persian too."""
    kaveh = two_editions["kaveh"]
    for field, value in ENGLISH_WORDS.items():
        setattr(kaveh, field, value)
    kaveh.photo = make_image("Portrait of Kaveh Nouri")
    kaveh.full_clean()
    kaveh.save()
    name = AuthorName.objects.get(author=kaveh, language="fa")
    for field, value in PERSIAN_WORDS.items():
        setattr(name, field, value)
    name.full_clean(validate_unique=False, validate_constraints=False)
    name.save()
    return two_editions


def ld_blocks(text: str) -> list[dict]:
    return [json.loads(block) for block in LD_JSON.findall(text)]


def test_the_persian_author_page_and_box_show_the_persian_expertise(client, expert):
    author_page = page(client, "/fa/author/kaveh-nouri/")
    article = page(client, expert["fa"].get_absolute_url())

    for text in (author_page, article):  # the author page, and the article's author box
        assert '<dd dir="auto">آب و خشکسالی، حمل‌ونقل شهری</dd>' in text
        assert '<dd dir="auto">فارسی، انگلیسی</dd>' in text
        assert '<dd dir="auto">اصفهان</dd>' in text
        for english in ("Water and drought", "Urban transport", "Persian", "Isfahan"):
            assert english not in text
    assert 'href="https://atlas-ab.example/kaveh"' in author_page
    assert "water-atlas.example" not in author_page


def test_the_english_edition_keeps_the_profiles_expertise(client, expert):
    for url in ("/author/kaveh-nouri/", expert["en"].get_absolute_url()):
        text = page(client, url)
        assert '<dd dir="auto">Water and drought, Urban transport</dd>' in text, url
        assert '<dd dir="auto">Persian, English</dd>' in text, url
        assert '<dd dir="auto">Isfahan</dd>' in text, url
        assert "اصفهان" not in text and "خشکسالی" not in text, url


def test_blank_persian_expertise_falls_back_to_the_profiles(client, expert):
    name = AuthorName.objects.get(language="fa")
    name.expertise = name.languages = name.location = name.other_work = ""
    name.save()
    text = page(client, "/fa/author/kaveh-nouri/")

    assert PERSIAN_NAME in text  # the name is still the Persian one
    assert '<dd dir="auto">Water and drought، Urban transport</dd>' in text
    assert '<dd dir="auto">Isfahan</dd>' in text
    assert 'href="https://water-atlas.example/kaveh"' in text


def test_json_ld_describes_the_person_in_the_language_it_declares(client, expert):
    persian_page = page(client, "/fa/author/kaveh-nouri/")
    english_page = page(client, "/author/kaveh-nouri/")
    persian = next(b for b in ld_blocks(persian_page) if b["@type"] == "ProfilePage")
    english = next(b for b in ld_blocks(english_page) if b["@type"] == "ProfilePage")

    assert persian["inLanguage"] == "fa"
    assert persian["mainEntity"]["name"] == PERSIAN_NAME
    assert persian["mainEntity"]["knowsAbout"] == ["آب و خشکسالی", "حمل‌ونقل شهری"]
    assert persian["mainEntity"]["knowsLanguage"] == ["فارسی", "انگلیسی"]
    assert persian["mainEntity"]["workLocation"] == {"@type": "Place", "name": "اصفهان"}
    assert persian["mainEntity"]["sameAs"] == ["https://atlas-ab.example/kaveh"]
    assert english["inLanguage"] == "en"
    assert english["mainEntity"]["knowsAbout"] == ["Water and drought", "Urban transport"]
    assert english["mainEntity"]["workLocation"]["name"] == "Isfahan"

    for story, language, place in ((expert["fa"], "fa", "اصفهان"), (expert["en"], "en", "Isfahan")):
        blocks = ld_blocks(page(client, story.get_absolute_url()))
        article = next(block for block in blocks if "author" in block)
        assert article["inLanguage"] == language
        assert article["author"][0]["workLocation"]["name"] == place


def test_json_ld_follows_the_storys_language_on_another_editions_page(client, expert):
    # An English story on a Persian desk: its article says inLanguage "en", so does its author.
    story = make_story(
        "Isfahan's river runs again",
        desk=expert["fa"].desk,
        slug="river",
        authors=[expert["kaveh"]],
    )
    blocks = ld_blocks(page(client, story.get_absolute_url()))
    article = next(block for block in blocks if "author" in block)

    assert article["inLanguage"] == "en"
    assert article["author"][0]["name"] == "Kaveh Nouri"
    assert article["author"][0]["knowsAbout"] == ["Water and drought", "Urban transport"]


def test_the_portraits_alt_text_names_the_author_in_the_editions_language(client, expert):
    persian = page(client, "/fa/author/kaveh-nouri/")
    english = page(client, "/author/kaveh-nouri/")

    assert re.search(r'class="author-box__photo"[^>]* alt="تصویر کاوه نوری"', persian)
    assert "Portrait of Kaveh Nouri" not in persian
    assert re.search(r'class="author-box__photo"[^>]* alt="Portrait of Kaveh Nouri"', english)


def test_a_changed_location_shows_at_once_through_the_page_cache(app, expert):
    url = "/fa/author/kaveh-nouri/"
    assert '<dd dir="auto">اصفهان</dd>' in call(app, url).text
    assert call(app, url).outcome == "HIT"

    name = AuthorName.objects.get(language="fa")
    name.location = "شیراز"
    name.save()  # bumps the version every page embeds, as a profile change does

    answer = call(app, url)
    assert answer.outcome == "MISS"
    assert '<dd dir="auto">شیراز</dd>' in answer.text
    assert '<dd dir="auto">اصفهان</dd>' not in answer.text


def test_markup_and_controls_in_persian_expertise_are_plain_text(client, expert):
    name = AuthorName.objects.get(language="fa")
    name.expertise = "<b>آب</b>\u202e\nخشکسالی\x00"
    name.location = "\u202eقم\u202c"
    name.full_clean(validate_unique=False, validate_constraints=False)
    name.save()

    assert (name.expertise, name.location) == ("<b>آب</b>\nخشکسالی", "قم")
    text = page(client, "/fa/author/kaveh-nouri/")
    assert "&lt;b&gt;آب&lt;/b&gt;، خشکسالی" in text and "<b>آب" not in text


def test_a_persian_feed_joins_two_bylines_in_persian(client, two_editions):
    elham = make_author("Elham Sharifi", slug="elham")
    AuthorName.objects.create(author=elham, language="fa", name="الهام شریفی")
    both = [elham, two_editions["kaveh"]]
    make_story("چاه‌های غیرمجاز", desk=two_editions["fa"].desk, slug="wells", authors=both)

    persian = page(client, "/fa/feed/atom/")
    assert "<name>الهام شریفی و کاوه نوری</name>" in persian
    assert " and " not in persian
