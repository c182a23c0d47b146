"""The back office in the staff member's language (accounts/interface_language.py): a
Persian editor chooses فارسی once and gets the dashboard, the board, the story
editor and the publish flow in Persian, right to left, with no English
interface words left; the public pages keep their edition's language."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings

from masthead.backoffice.tests.editor_posts import form_data
from masthead.factories import make_desk, make_edition, make_staff
from masthead.newsroom.models import StaffRole
from masthead.stories import services
from masthead.stories.models import Story
from masthead.stories.services import Content
from masthead.tests.interface_text import english_words

pytestmark = pytest.mark.django_db

R = StaffRole.Role
# What the test put in that is not Persian: the people's user names (shown as
# the signed-in name and in lists), the author made for the account, the
# labels the first migration makes, and the outlet's time zone.
CONTENT = ("editor", "Editor Person", "News", "UTC", "Etc")
# Keys, file formats and units, named as they are in every language, and the
# language choice, where each language is named in itself.
ALLOWED = ("Ctrl", "Enter", "S", "JPEG", "PNG", "WebP", "GIF", "https", "GB", "MB", "English")


@pytest.fixture
def persian_desk(db):
    return make_desk("سیاست", slug="siasat", edition=make_edition("fa"))


@pytest.fixture
def editor(persian_desk):
    return make_staff(R.DESK_EDITOR, persian_desk, username="editor", first_name="مریم")


@pytest.fixture
def story(editor, persian_desk):
    draft = services.create_story(
        editor,
        Content(headline="مذاکرات وین", desk=persian_desk, body="<p>متن نخست.</p>"),
    )
    services.submit_story(editor, draft)
    return draft


@pytest.fixture
def persian_client(client, editor):
    client.force_login(editor)
    response = client.post("/account/language/", {"language": "fa"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fa"
    return client


def html_tag(page: str) -> str:
    return re.search(r"<html [^>]*>", page).group(0)


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


BACK_OFFICE_PAGES = [
    "/desk/",
    "/desk/board/",
    "/desk/stories/new/",
    "/desk/audit/",
    "/desk/search/?q=%D9%88%DB%8C%D9%86",
    "/desk/tags/",
    "/desk/media/",
    "/desk/wire/",
    "/desk/wire/sources/",
    "/desk/corrections/",
    "/account/",
    "/account/password/",
    "/account/password/changed/",
]


@pytest.mark.parametrize("url", BACK_OFFICE_PAGES)
def test_a_persian_editor_gets_the_back_office_in_persian(persian_client, story, url):
    text = page(persian_client, url)
    assert re.search(r'<html lang="fa" dir="rtl"', text)
    words = english_words(text, CONTENT, ALLOWED)
    assert not words, f"{url} still says {sorted(words)}"


@pytest.mark.parametrize("url", ["/account/login/", "/account/password/reset/"])
def test_the_signed_out_account_pages_are_persian_with_the_persian_editions_header(
    client, persian_desk, url
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    text = page(client, url)
    assert html_tag(text).startswith('<html lang="fa" dir="rtl"')
    assert '<a href="/fa/siasat/">سیاست</a>' in text  # the Persian edition's desks
    words = english_words(text, CONTENT, ALLOWED)
    assert not words, f"{url} still says {sorted(words)}"


def test_the_story_editor_is_persian(persian_client, story):
    text = page(persian_client, f"/desk/stories/{story.pk}/")
    assert html_tag(text) == '<html lang="fa" dir="rtl">'
    assert "ذخیره" in text and "گردش کار" in text
    words = english_words(text, CONTENT, ALLOWED)
    assert not words, f"the editor still says {sorted(words)}"


def test_a_persian_editor_publishes_in_persian(persian_client, story):
    persian_client.post(f"/desk/stories/{story.pk}/step/", {"action": "claim"})
    response = persian_client.post(
        f"/desk/stories/{story.pk}/", form_data(Story.objects.get(pk=story.pk), action="publish")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Story.objects.get(pk=story.pk).status == Story.Status.PUBLISHED
    text = page(persian_client, response["Location"])
    assert "انجام شد: وضعیت مطلب اکنون «منتشرشده» است." in text
    assert not english_words(text, CONTENT, ALLOWED)
    # The story's public page speaks its edition's language, whoever reads it.
    public = page(persian_client, Story.objects.get(pk=story.pk).get_absolute_url())
    assert html_tag(public).startswith('<html lang="fa" dir="rtl"')


def test_the_choice_is_remembered_after_signing_out(persian_client, editor):
    persian_client.post("/account/logout/")
    persian_client.force_login(editor)
    assert html_tag(page(persian_client, "/desk/")) == '<html lang="fa" dir="rtl">'


def test_without_a_choice_the_browser_language_counts(client, editor):
    client.force_login(editor)
    persian = client.get("/desk/", HTTP_ACCEPT_LANGUAGE="fa-IR,fa;q=0.9,en;q=0.5")
    assert html_tag(persian.content.decode()) == '<html lang="fa" dir="rtl">'
    assert "Accept-Language" in persian["Vary"]
    german = client.get("/desk/", HTTP_ACCEPT_LANGUAGE="de")
    assert html_tag(german.content.decode()) == '<html lang="en" dir="ltr">'
    assert "My stories" in german.content.decode()


def test_an_english_choice_keeps_the_english_back_office(client, editor):
    client.force_login(editor)
    client.post("/account/language/", {"language": "en"})
    text = page(client, "/desk/")
    assert html_tag(text) == '<html lang="en" dir="ltr">'
    assert "My stories" in text and "مطالب من" not in text


def test_the_admin_follows_the_choice(persian_client, editor):
    editor.is_superuser = True
    editor.save()
    text = page(persian_client, "/admin/")
    assert 'lang="fa"' in text and 'dir="rtl"' in text


@pytest.mark.parametrize("language", ["xx", "klingon", "", "fa_IR", "<script>"])
def test_an_unknown_language_gets_a_clear_form_error(client, editor, language):
    client.force_login(editor)
    response = client.post("/account/language/", {"language": language})
    assert response.status_code == 400
    text = response.content.decode()
    if language:
        assert "is not a language the back office speaks" in text
    else:
        assert "Choose a language." in text
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_account_page_offers_the_choice_in_each_language_own_name(client, editor):
    client.force_login(editor)
    text = page(client, "/account/")
    assert "English" in text and "فارسی" in text
    assert 'action="/account/language/"' in text


def test_the_language_form_needs_a_signed_in_person(client):
    response = client.post("/account/language/", {"language": "fa"})
    assert response.status_code == 302 and "/account/login/" in response["Location"]
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_back_office_scripts_get_their_words_in_the_chosen_language(persian_client, story):
    text = page(persian_client, f"/desk/stories/{story.pk}/")
    assert '<script src="/desk/jsi18n/"></script>' in text
    catalog = page(persian_client, "/desk/jsi18n/")
    assert in_catalog("خودکار ذخیره شد", catalog)  # the editor's autosave notice
    assert in_catalog("ژانویه", catalog)  # Django's month names, for the editor's time checks


def test_an_english_back_office_gets_the_english_words(client, editor):
    client.force_login(editor)
    client.post("/account/language/", {"language": "en"})
    assert not in_catalog("خودکار", page(client, "/desk/jsi18n/"))


def in_catalog(words: str, catalog: str) -> bool:
    """Whether ``words`` are in Django's JavaScript catalog (which writes JSON, ASCII-escaped)."""
    return json.dumps(words)[1:-1] in catalog
