"""The demo's Persian edition (issue 13): a Persian news site at /fa/ beside the English one."""

from __future__ import annotations

import hashlib
import html
import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image as PillowImage

from masthead.demo import persian
from masthead.demo.loader import load_demo
from masthead.demo.material import MaterialError
from masthead.demo.seed import load_seed
from masthead.demo.tests.conftest import demo_in_a_rolled_back_transaction
from masthead.media.models import Image
from masthead.newsroom.models import RESERVED_SLUGS, Author, Desk, Edition, PolicyPage, StaffRole
from masthead.stories.models import Story, Tag

pytestmark = pytest.mark.django_db

LEAD_SLUG = "trump-cancels-imminent-attack-on-iran-says-not-after-war"
PERSIAN_DESKS = {"siasat", "eghtesad", "jameh", "farhang", "varzesh", "jahan"}
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff]")
LATIN = re.compile(r"[A-Za-z]")


@pytest.fixture(scope="module")
def loaded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, loaded once for the module in a transaction rolled back at its end (as in
    test_loader.py: each test runs in a savepoint of it)."""
    media = tmp_path_factory.mktemp("demo-media")
    with demo_in_a_rolled_back_transaction(django_db_blocker, media, now=timezone.now()) as result:
        yield result, media


@pytest.fixture
def demo(loaded_once, settings):
    result, media = loaded_once
    settings.MEDIA_ROOT = media
    return result


def _persian_stories():
    return Story.objects.live().filter(desk__edition__slug="fa").select_related("desk")


def _text(story: Story) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", f"{story.headline} {story.dek} {story.body}"))


def _is_persian(text: str) -> bool:
    """Most letters in the Arabic script block (a few Latin names and codes are fine)."""
    arabic, latin = len(ARABIC_SCRIPT.findall(text)), len(LATIN.findall(text))
    return arabic > 0 and latin < arabic / 50


# --- the material, without a database --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("16m", timedelta(minutes=16)),
        ("2h30m", timedelta(hours=2, minutes=30)),
        ("1d2h", timedelta(days=1, hours=2)),
        ("21d", timedelta(days=21)),
    ],
)
def test_ages_read_as_durations(text, age):
    assert persian.parse_age(text) == age


@pytest.mark.parametrize("text", ["", "soon", "2 hours", "h"])
def test_a_malformed_age_is_refused(text):
    with pytest.raises(MaterialError):
        persian.parse_age(text)


def test_a_label_that_does_not_fit_the_desk_is_refused(tmp_path):
    # A review on the politics desk: the English desk's rules apply to its Persian desk.
    text = persian.EDITION_FILE.read_text(encoding="utf-8").replace(
        'label = "analysis"\nbyline = ["پویا حیدری"]\ndateline = "تهران"\ntags = ["دیپلماسی"',
        'label = "review"\nbyline = ["پویا حیدری"]\ndateline = "تهران"\ntags = ["دیپلماسی"',
    )
    assert 'label = "review"\nbyline = ["پویا حیدری"]' in text
    path = tmp_path / "edition-fa.toml"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(MaterialError, match="review"):
        persian.material(path)


def test_the_material_is_written_with_persian_letters_and_punctuation():
    text = persian.EDITION_FILE.read_text(encoding="utf-8")

    # Arabic yeh and kaf are a different keyboard's letters; Persian writes ی and ک.
    assert "ي" not in text and "ك" not in text
    assert "\u200c" in text  # the zero-width non-joiner (نیم‌فاصله): می‌شود, not میشود
    assert not re.search(r"(?<![\u0600-\u06ff])(ن?می) [\u0600-\u06ff]", text)
    assert "«" in text and "؛" in text and "،" in text and "؟" in text


# --- the loaded edition ----------------------------------------------------------------


def test_the_persian_edition_has_its_desks_with_persian_editors(demo):
    edition = Edition.objects.get(slug="fa")
    english = set(Desk.objects.filter(edition__is_default=True).values_list("slug", flat=True))

    assert (edition.language, edition.calendar) == ("fa", "jalali")
    assert edition.time_zone == "Asia/Tehran"
    assert (edition.url_root, edition.direction, edition.is_default) == ("fa", "rtl", False)
    assert edition.publication_name == "ایران فرانت پیج"
    desks = list(Desk.objects.filter(edition=edition).select_related("editor__user"))
    assert {desk.slug for desk in desks} == PERSIAN_DESKS
    assert not PERSIAN_DESKS & (english | RESERVED_SLUGS)
    for desk in desks:
        assert _is_persian(desk.name) and _is_persian(desk.description), desk.slug
        assert _is_persian(desk.editor.name) and _is_persian(desk.editor.bio), desk.slug
        assert desk.email and desk.editor.photo
        assert StaffRole.objects.filter(
            user=desk.editor.user, role=StaffRole.Role.DESK_EDITOR, desk=desk
        ).exists()


def test_every_persian_desk_has_live_persian_stories_and_no_english_desk_has_one(demo):
    for slug in PERSIAN_DESKS:
        stories = list(_persian_stories().filter(desk__slug=slug))
        assert len(stories) >= 3, slug
        for story in stories:
            assert story.language == "fa", story.slug
            assert _is_persian(_text(story)), story.headline
            assert story.body.count("<p>") >= 4, story.headline
    english = Story.objects.filter(desk__edition__is_default=True)
    assert not english.filter(language="fa").exists()
    assert not [s.headline for s in english if ARABIC_SCRIPT.search(s.headline)]


def test_ages_run_from_minutes_to_weeks_and_labels_fit(demo):
    now = timezone.now()
    stories = list(_persian_stories().select_related("label"))
    ages = sorted(now - story.published_at for story in stories)

    assert ages[0] < timedelta(minutes=30) and ages[-1] > timedelta(days=14)
    assert len({story.label.name for story in stories if story.label}) >= 5
    for story in stories:
        if story.label and story.label.name == "Breaking":
            assert now - story.published_at < timedelta(hours=3), story.headline


def test_the_persian_home_page_is_persian_and_right_to_left(demo, client):
    response = client.get("/fa/")
    page = response.content.decode()

    assert response.status_code == 200
    assert '<html lang="fa" dir="rtl"' in page
    shown = [s for s in _persian_stories() if html.escape(s.headline) in page]
    assert len(shown) >= 10
    english = Story.objects.live().filter(desk__edition__is_default=True)
    assert not [s.headline for s in english if html.escape(s.headline) in page]
    # Persian digits and relative times for the newest, Solar Hijri dates for the older.
    # (The newest is 16 minutes old at loading; a busy machine takes minutes to get here.)
    assert re.search(r"[۰-۹]+ دقیقه پیش", page)
    assert re.search(r"[۰-۹]+ (آبان|آذر|دی|مهر) ۱۴[۰-۹]{2}", page)


def test_the_persian_edition_states_its_own_standards_in_persian(demo, client):
    edition = Edition.objects.get(slug="fa")
    pages = list(PolicyPage.objects.published().filter(edition=edition))
    english = list(PolicyPage.objects.published().filter(edition__is_default=True))

    kinds = {page.kind for page in pages}
    assert kinds == {page.kind for page in english}  # every standard the English site states
    assert {"corrections", "ethics", "unnamed_sources", "ownership", "feedback"} <= kinds
    for page in pages:
        assert _is_persian(page.title) and _is_persian(page.summary), page.kind
        # The software's name is written as itself ("… نمایشی Masthead است").
        body = html.unescape(re.sub(r"<[^>]+>", " ", page.body)).replace("Masthead", "")
        assert _is_persian(body), page.kind
        assert page.get_absolute_url().startswith("/fa/policies/")
        assert client.get(page.get_absolute_url()).status_code == 200
    home = client.get("/fa/").content.decode()
    footer = home[home.index('<footer class="site-footer">') :]
    assert all(html.escape(page.title) in footer for page in pages)
    assert not [page.title for page in english if html.escape(page.title) in home]
    assert '<p class="site-tagline" dir="auto">اخبار ایران و منطقه (نسخهٔ نمایشی)</p>' in home
    assert "News from Iran" not in home


def test_each_editions_masthead_page_gives_the_newsrooms_address_in_its_language(demo, client):
    persian = client.get("/fa/masthead/").content.decode()
    english = client.get("/masthead/").content.decode()

    assert "Address:" in english and "Tehran, Iran" in english
    assert "نشانی:" in persian and "تهران، صندوق پستی ۰۰۰۰۰-۰۰۰۰۰ (نشانی نمایشی)" in persian
    assert "Tehran, Iran" not in persian and "صندوق پستی" not in english


def test_a_persian_story_page_answers_in_persian(demo, client):
    story = _persian_stories().filter(desk__slug="jameh").exclude(lead_image=None).first()

    response = client.get(story.get_absolute_url())

    page = response.content.decode()
    assert response.status_code == 200 and story.get_absolute_url().startswith("/fa/jameh/")
    assert '<html lang="fa" dir="rtl"' in page and html.escape(story.headline) in page


def test_persian_pictures_are_all_different_and_captioned_in_persian(demo):
    pictures = [s.lead_image for s in _persian_stories().select_related("lead_image")]
    pictures = [image for image in pictures if image is not None]

    assert len(pictures) >= 8
    digests = set()
    for image in pictures:
        assert _is_persian(image.alt_text) and _is_persian(image.caption), image.caption
        assert "ایران فرانت پیج" in image.credit
        with image.file.open("rb") as data:
            digests.add(hashlib.sha256(data.read()).hexdigest())
    assert len(digests) == len(pictures)
    assert len({image.credit for image in pictures}) >= 2  # maps, charts, cards


def test_persian_tags_and_bylines(demo):
    tags = Tag.objects.filter(stories__desk__edition__slug="fa").distinct()
    authors = Author.objects.filter(stories__desk__edition__slug="fa").distinct()

    assert tags.count() >= 10 and all(_is_persian(tag.name) for tag in tags)
    # What the edition shows of them: staff whose profile is English have Persian words too.
    shown = [author.in_language("fa") for author in authors.select_related("photo")]
    assert authors.count() >= 4 and all(_is_persian(words.name) for words in shown)
    assert all(_is_persian(words.photo_alt) for words in shown)
    assert all(_is_persian(words.location) and words.expertise_list for words in shown)
    assert all(_is_persian(entry) for words in shown for entry in words.expertise_list)


def test_staff_of_both_editions_sign_persian_stories_in_persian(demo):
    bilingual = Author.objects.filter(
        names__language="fa", stories__desk__edition__slug="fa"
    ).distinct()

    names = {author.name: author.in_language("fa").name for author in bilingual}
    assert names == {
        "Kaveh Nouri": "کاوه نوری",
        "Shirin Farahani": "شیرین فراهانی",
        "Babak Tehrani": "بابک تهرانی",
        "Azadeh Rostami": "آزاده رستمی",
    }
    for author in bilingual:  # each on a desk they write for
        desks = author.stories.filter(desk__edition__slug="fa").values_list("desk", flat=True)
        roles = author.user.staff_roles.filter(role=StaffRole.Role.WRITER)
        assert set(desks) <= set(roles.values_list("desk", flat=True)), author


def test_staff_work_in_both_editions(demo):
    logins = {username: what for username, _, what in demo.logins}

    for slug in PERSIAN_DESKS:
        assert f"editor.{slug}" in logins
    for username in ("writer.elham", "writer.pouya", "writer.samaneh"):
        assert username in logins
    writes_for = get_user_model().objects.get(username="writer.kaveh").staff_roles
    editions = set(
        writes_for.filter(role=StaffRole.Role.WRITER).values_list("desk__edition__slug", flat=True)
    )
    assert editions == {"en", "fa"}
    assert "in Persian" in logins["writer.kaveh"]


def test_the_seed_story_is_linked_to_its_persian_translation(demo, client):
    lead = Story.objects.get(slug=LEAD_SLUG)
    translation = _persian_stories().get(top_rank=1)

    assert lead.translation_key and lead.translation_key == translation.translation_key
    assert translation.body.count("<p>") == len(load_seed().paragraphs)
    assert translation.body.count("<figure") == 1 and "بندرعباس" in translation.body
    english_page = client.get(lead.get_absolute_url()).content.decode()
    persian_page = client.get(translation.get_absolute_url()).content.decode()
    to_persian = f'hreflang="fa" href="[^"]*{re.escape(translation.get_absolute_url())}"'
    to_english = f'hreflang="en" href="[^"]*{re.escape(lead.get_absolute_url())}"'
    assert re.search(to_persian, english_page) and re.search(to_english, persian_page)


def test_loading_again_changes_nothing(demo):
    models = (Edition, Desk, Story, Author, Tag, Image, StaffRole, PolicyPage, get_user_model())
    counts = {model: model.objects.count() for model in models}
    persian_rows = list(
        _persian_stories()
        .order_by("slug")
        .values_list("slug", "headline", "desk__slug", "lead_image", "translation_key")
    )

    load_demo(now=timezone.now() + timedelta(minutes=5))

    assert {model: model.objects.count() for model in models} == counts
    assert (
        list(
            _persian_stories()
            .order_by("slug")
            .values_list("slug", "headline", "desk__slug", "lead_image", "translation_key")
        )
        == persian_rows
    )


@pytest.mark.parametrize(
    "typed",
    [
        "جیره‌بندی مشهد",  # as the story writes it
        "جيره‌بندي مشهد",  # Arabic yeh, as an Arabic keyboard types it
        "جیرهبندی مشهد",  # no zero-width non-joiner
    ],
)
def test_persian_stories_are_found_however_the_words_are_typed(demo, typed):
    from masthead.search.engine import search_stories

    story = _persian_stories().get(desk__slug="jameh", top_rank=2)

    assert story in [hit.story for hit in search_stories(typed, limit=20).items]


def test_a_demo_loaded_by_an_older_release_gets_its_graphics_drawn_again(demo):
    """An older release drew the Persian graphics with English words, under the same
    caption and credit: reloading now draws them again, not keeps them."""
    story = _persian_stories().filter(lead_image__isnull=False).order_by("slug").first()
    old = story.lead_image
    with old.file.open("rb") as data:
        now_drawn = data.read()
    # As the older release stored it: another drawing, of which nothing says how it was drawn.
    older = io.BytesIO()
    PillowImage.new("RGB", (1200, 675), (200, 200, 200)).save(older, "JPEG")
    old.file.save("demo-older-release.jpg", ContentFile(older.getvalue()), save=True)

    load_demo(now=timezone.now() + timedelta(minutes=5))

    story.refresh_from_db()
    assert story.lead_image_id != old.pk
    assert (story.lead_image.caption, story.lead_image.credit) == (old.caption, old.credit)
    with story.lead_image.file.open("rb") as data:
        assert data.read() == now_drawn
