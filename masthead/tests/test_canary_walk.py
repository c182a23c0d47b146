"""The canary walk: an unpublished story is on no public surface, then on all of them
(issue 14; RELIABILITY.md §2.9, A3, C4, F3 and L8 as a regular test).

Each hidden state has its canary: a story in that state (draft, submitted,
scheduled, under embargo, withdrawn before readers saw it) whose random
token is in every field a reader could ever see — headline, kicker (its
label), dek, slug, body, tags, byline note, correction, sources, method
note, dateline, search-engine title and description, the lead image's
uploaded file name, caption, alt text and credit, and a body figure — with
a Persian translation (``/fa/``) in the same state carrying a second token.
What only staff may ever see (notes to the editor, the reason for spiking)
carries a third token, shared by all. The newsroom and the walks are made
once for the module; each test reads the walks for one state:

* **Before release** every public surface (``surfaces.py``: every public
  route of the URL conf filled with every slug and id, both editions, the
  links the answers carry — the crawler follows home, the sitemaps, feeds
  and the API's links) is walked as an anonymous reader, with a partner's
  API token and signed in as an editor of another desk, through the page
  cache, and the query-string fuzz of §2.9 is put on every HTML and API
  address: no token and no ``story:<id>`` scope in any body or header, no
  500. The canary's own addresses (page, old slug, API, ninjs, its tag and
  label, its translation) answer byte for byte like addresses that never
  existed, and so do its images' files and renditions (A3).
* **F3 and the positive control**: saving, scheduling and embargoing a
  canary change no list's status, body, ETag or Last-Modified; the embargo's
  end (the clock's, no worker) changes them, and the same crawl then finds
  the token on every surface that lists or shows it — so the crawler would
  have seen a leak — while its translation and the staff-only text stay unseen.
* **C4**: an agency's item under embargo is held until its time; a kill of an
  item already published takes the story off every surface.
"""

from __future__ import annotations

import logging
import re
import secrets
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client, override_settings
from django.urls import Resolver404, resolve
from django.utils import timezone

from masthead.api.services import issue_token
from masthead.factories import (
    editor_of,
    make_author,
    make_desk,
    make_edition,
    make_outlet,
    make_staff,
    make_story,
    make_tag,
    make_user,
)
from masthead.media import renditions
from masthead.media.models import Image
from masthead.media.tests.images import png_bytes
from masthead.newsroom.models import PolicyPage, StaffRole
from masthead.site.page_cache import PageCache
from masthead.site.tests import surfaces
from masthead.site.tests.test_page_cache import call
from masthead.stories import services, translations
from masthead.stories.models import Byline, Correction, Label, Story
from masthead.stories.services import Content
from masthead.wire import ingest
from masthead.wire.items import Status as WireStatus
from masthead.wire.tests.pipeline_support import copy, feed, make_rule, make_source

pytestmark = pytest.mark.django_db

STATES = ["draft", "submitted", "scheduled", "embargoed", "withdrawn before readers saw it"]
WHO = ["anonymous", "partner token", "staff of another desk"]
STAFF_ONLY = secrets.token_hex(8)  # notes to the editor, the reason for spiking: never public
# How far ahead the hidden canaries are scheduled: beyond every time the tests travel to.
LATER = timedelta(days=2)


@dataclass
class Canary:
    state: str
    token: str  # in every field readers could see once it is out
    persian: str  # in its translation's
    story: Story
    translation: Story
    old_slug: str
    images: list[Image]
    nonsense: str = field(default_factory=lambda: secrets.token_hex(8))  # words of no story

    @property
    def slugs(self) -> list[str]:
        return [f"canary-{self.token}", f"tarjome-{self.persian}", f"tag-{self.token}",
                f"tag-{self.persian}", f"kicker-{self.token}"]  # fmt: skip

    def addresses(self, token=None, persian=None, pk=None, fa_pk=None, old=None) -> list[str]:
        """Where the canary would be if it were out, or could be guessed to be (given other
        values: where a story that never existed would be)."""
        token, persian = token or self.token, persian or self.persian
        pk, fa_pk = pk or self.story.pk, fa_pk or self.translation.pk
        old = old or self.old_slug
        return [
            f"/politics/canary-{token}/",
            f"/api/stories/{pk}",
            f"/api/stories/{pk}/ninjs",
            f"/fa/siasat/tarjome-{persian}/",
            f"/api/stories/{fa_pk}",
            f"/politics/{old}/",
            f"/politics/canary-{token}/report-error/",
            f"/tag/tag-{token}/",
            f"/tag/tag-{token}/feed.xml",
            f"/label/kicker-{token}/",
            f"/label/kicker-{token}/atom.xml",
            f"/api/tags/tag-{token}",
            f"/fa/tag/tag-{persian}/",
        ]

    def never_existed(self) -> list[str]:
        unused = Story.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000
        token, persian, old = (secrets.token_hex(8) for _ in range(3))
        return self.addresses(token, persian, pk=unused, fa_pk=unused + 1, old=old)

    def searches(self, token: str | None = None, persian: str | None = None) -> list[str]:
        """Searches and filters for its words (or, given them, for other words)."""
        token, persian = token or self.token, persian or self.persian
        return [
            f"/fa/search/?q={persian}",
            f"/api/stories?q={persian}",
            f"/search/?q={token}",
            f"/search/?q={token}&desk=politics&author=nima-sadeghi&label=kicker-{token}",
            f"/search/?q=report&label=kicker-{token}",
            f"/fa/search/?q={token}",
            f"/api/stories?q={token}",
            f"/api/stories?q={token}&desk=politics",
            f"/api/stories?q=report&label=kicker-{token}",
            f"/api/stories?tag=tag-{token}",
            f"/api/stories?label=kicker-{token}",
        ]

    def files(self) -> list[str]:
        found = []
        for image in self.images:
            found += [image.file.url, *(r.file.url for r in image.renditions.all())]
        return found


@dataclass
class World:
    canaries: dict[str, Canary]
    live: list[Story]
    editor: object  # the Politics desk's editor
    persian_editor: object
    other_desk_staff: object  # an editor of the Economy desk
    partner: object  # an account with no staff role, as a partner outlet is given


# -- the newsroom ---------------------------------------------------------------------------


def picture(token: str, name: str) -> Image:
    image = Image(
        alt_text=f"Alt {token} {name}",
        caption=f"Caption {token} {name}",
        credit=f"Credit {token}",
        source=f"Source {token}",
    )
    # The uploader's file name carries the token: storage must not keep it.
    image.file.save(f"{name}-{token}.png", ContentFile(png_bytes(320, 180)), save=False)
    image.full_clean()
    image.save()
    renditions.make_renditions(image)
    return image


def content_of(token: str, desk, author, tags, label, lead: Image, figure: Image) -> Content:
    body = (
        f"<p>First paragraph {token}.</p>"
        f'<figure data-image="{figure.pk}"><img src="{figure.file.url}" alt="">'
        f'<figcaption>Figure {token} <span class="credit">Credit {token}</span></figcaption>'
        f"</figure><p>Second paragraph {token}.</p>"
    )
    return Content(
        headline=f"Canary scoop {token}",
        desk=desk,
        dek=f"Dek {token}",
        body=body,
        label=label,
        dateline=f"Tehran {token}",
        lead_image=lead,
        seo_title=f"SEO {token}",
        seo_description=f"Description {token}",
        method_note=f"Method {token}",
        sources=[
            {
                "kind": "outlet_report",
                "outlet": f"Outlet {token}",
                "title": f"Report {token}",
                "url": f"https://wire.example/{token}",
                "paragraphs": [1],
            },
            {
                "kind": "document",
                "title": f"Document {token}",
                "url": f"https://doc.example/{token}",
            },
        ],
        tags=tags,
        authors=[author],
    )


def make_canary(state: str, *, politics, siasat, editor, persian_editor, reporter, iran) -> Canary:
    token, persian = secrets.token_hex(8), secrets.token_hex(8)
    lead, figure = picture(token, "lead"), picture(token, "figure")
    label = Label.objects.create(name=f"Kicker {token}", slug=f"kicker-{token}")
    tags = [iran, make_tag(f"Tag {token}")]
    story = services.create_story(
        editor, content_of(token, politics, reporter, tags, label, lead, figure)
    )
    old_slug = story.slug
    services.change_story_slug(editor, story, f"canary-{token}")
    Story.objects.filter(pk=story.pk).update(notes_to_editor=f"Notes {STAFF_ONLY}", top_rank=1)
    Byline.objects.filter(story=story).update(role=f"Additional reporting {token}")
    Correction.objects.create(story=story, note=f"Correction {token}", created_by=editor)
    translation = services.create_story(
        persian_editor,
        Content(headline=f"ترجمه {persian}", desk=siasat, body=f"<p>متن {persian}</p>",
                dek=f"خلاصه {persian}", language="fa", tags=[make_tag(f"Tag {persian}")]),
    )  # fmt: skip
    services.change_story_slug(persian_editor, translation, f"tarjome-{persian}")
    translations.link(story, translation)
    canary = Canary(state, token, persian, story, translation, old_slug, [lead, figure])
    move(canary.story, state, editor)
    move(canary.translation, state, persian_editor)
    canary.story, canary.translation = fresh(story), fresh(translation)
    return canary


def fresh(story: Story) -> Story:
    return Story.objects.get(pk=story.pk)


def move(story: Story, state: str, editor, when=None) -> Story:
    """Take a new draft through the workflow's services to ``state``."""
    when = when or timezone.now() + LATER
    if state == "draft":
        return fresh(story)
    services.submit_story(editor, fresh(story))
    if state == "submitted":
        return fresh(story)
    services.claim_story(editor, fresh(story))
    if state in ("scheduled", "withdrawn before readers saw it"):
        services.schedule_story(editor, fresh(story), when)
    elif state == "embargoed":
        services.schedule_story(editor, fresh(story), when, embargo=True)
    if state == "withdrawn before readers saw it":
        services.withdraw_story(editor, fresh(story), f"Spiked {STAFF_ONLY}")
    return fresh(story)


def build() -> World:
    make_outlet(name="Iran Front Page", short_name="IFP")
    persian = make_edition("fa", publication_name="ایران فرانت پیج")
    politics, economy = make_desk("Politics"), make_desk("Economy")
    siasat = make_desk("سیاست", slug="siasat", edition=persian)
    editor, persian_editor = editor_of(politics), editor_of(siasat)
    other = make_staff(StaffRole.Role.DESK_EDITOR, economy, username="economy-editor")
    reporter = make_author("Nima Sadeghi")
    iran = make_tag("Iran")
    analysis = Label.objects.create(name="Analysis", slug="analysis", kind=Label.Kind.ANALYSIS)
    PolicyPage.objects.create(kind="ethics", title="Ethics", slug="ethics", body="<p>x</p>")
    shared = {"desk": politics, "authors": [reporter], "tags": [iran], "label": analysis}
    live = [
        make_story("Older report", age=timedelta(hours=5), top_rank=2, **shared),
        make_story("Newer report", age=timedelta(hours=1), **shared),
        make_story("Economy report", desk=economy, age=timedelta(hours=2)),
        make_story("گزارش", desk=siasat, slug="gozaresh", language="fa"),
    ]
    for story in live:
        services.snapshot_revision(story)
    translations.link(live[1], live[3])
    people = {"politics": politics, "siasat": siasat, "editor": editor,
              "persian_editor": persian_editor, "reporter": reporter, "iran": iran}  # fmt: skip
    canaries = {state: make_canary(state, **people) for state in STATES}
    return World(canaries, live, editor, persian_editor, other, make_user("partner"))


# -- walking --------------------------------------------------------------------------------


@contextmanager
def through_the_page_cache():
    """Django's WSGI handler behind the page cache, as granian drives it; the caller's
    transaction survives the requests (as with Django's test client)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield PageCache(WSGIHandler(), max_bytes=32 * 1024 * 1024, poll_seconds=0, shared=None)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@contextmanager
def quiet_not_found():
    # Hundreds of 404s are the point of the walk; server errors still log.
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def credentials(world: World, who: str) -> dict[str, str]:
    if who == "partner token":
        return {"Authorization": f"Bearer {issue_token(world.partner, 'partner feed').raw}"}
    if who == "staff of another desk":
        client = Client()
        client.force_login(world.other_desk_staff)
        return {"Cookie": "; ".join(f"{k}={m.value}" for k, m in client.cookies.items())}
    return {}


def getter(app, headers: dict[str, str]) -> Callable[[str], surfaces.Answer]:
    def get(url: str) -> surfaces.Answer:
        answer = call(app, url, **headers)
        return surfaces.Answer(url, answer.status, answer.headers, answer.body)

    return get


def pool(world: World, *, persian: bool = False) -> surfaces.Pool:
    """Every slug and id of the newsroom (the edition's own under ``/fa/``)."""
    canaries = world.canaries.values()
    months = {f"stories-{timezone.now().astimezone(UTC):%Y-%m}"} | {
        f"stories-{story.published_at.astimezone(UTC):%Y-%m}" for story in world.live
    }
    common = ["nima-sadeghi", "iran", "analysis", "ethics"]
    if persian:
        slugs = [*common, "gozaresh", "siasat"]
        slugs += [s for c in canaries for s in (f"tarjome-{c.persian}", f"tag-{c.persian}")]
        desks = ["siasat"]
    else:
        slugs = [*common, "politics", "economy", *(s.slug for s in world.live[:3])]
        slugs += [slug for c in canaries for slug in c.slugs[::2]]  # story, tag, label
        desks = ["politics"]  # the others by the links of the home page
    stories = [*world.live, *(s for c in canaries for s in (c.story, c.translation))]
    return surfaces.Pool(
        {
            "slug": slugs,
            "desk_slug": desks,
            "story_id": [str(story.pk) for story in stories],
            "section": [*sorted(months), "news", "pages", "desks", "authors", "tags", "labels"],
        }
    )


def crawl(world: World, get, anonymous: list[surfaces.Answer] | None = None):
    """Every public route with every slug and id, under both editions' roots, every
    canary's addresses and searches, and the links the answers carry.

    Signed-in or token visitors start from every address that answered an anonymous
    reader with anything but 404 (the routes' unknown-slug 404s need no second look),
    and follow the links they are given in turn."""
    extra = [*surfaces.EXTRA, "/api/stories?updated_since=2000-01-01T00:00:00Z",
             "/api/stories?desk=politics", "/api/stories?tag=iran"]  # fmt: skip
    for canary in world.canaries.values():
        extra += (
            canary.addresses()
            + canary.searches()
            + canary.searches(canary.nonsense, canary.nonsense)
        )
    if anonymous is not None:
        seen = {"seen": [a.url for a in anonymous if a.status != 404]}
        return surfaces.walk(get, seen, extra=extra, follow=800)
    addresses = surfaces.public_addresses(pool(world))
    persian = surfaces.public_addresses(pool(world, persian=True), root="fa")
    every = {**{f"fa/{route}": urls for route, urls in persian.items()}, **addresses}
    answers = surfaces.walk(get, every, extra=extra, follow=800)
    surfaces.assert_every_pattern_answered(addresses, answers)
    return answers


def fuzzed(world: World, get, answers: list[surfaces.Answer]) -> list[surfaces.Answer]:
    """§2.9's query strings on an HTML or API address of every route that answered 200
    (the query string is read by the route's view), and on every canary's page, API
    item, ninjs and translation."""
    per_route: dict[str, list[str]] = {}
    for answer in answers:
        if answer.status == 200 and shows_content(answer):
            path = answer.url.partition("?")[0]
            per_route.setdefault(route_of(path), [])
            if path not in per_route[route_of(path)] and not per_route[route_of(path)]:
                per_route[route_of(path)].append(path)
    bases = [path for paths in per_route.values() for path in paths]
    for canary in world.canaries.values():
        bases += canary.addresses()[:5]  # its page, API, ninjs, translation's page and API
    return [get(base + query) for base in bases for query in fuzz_queries(world)]


def fuzz_queries(world: World) -> list[str]:
    return [*surfaces.FUZZ, *(f"?p={c.story.pk}" for c in world.canaries.values())]


def route_of(path: str) -> str:
    try:
        return resolve(path).route
    except Resolver404:
        return path


def shows_content(answer: surfaces.Answer) -> bool:
    kind = answer.headers.get("Content-Type", "")
    return kind.startswith(("text/html", "application/json", "application/ninjs"))


def naming(answers: list[surfaces.Answer], needle: str) -> list[str]:
    """Addresses whose body or headers name ``needle`` (search's <mark> splits nothing),
    but for the address's own words echoed back (a search box, a 404's detail): that
    such an answer says nothing more is ``test_searching_a_canarys_words_…``'s."""
    found = []
    for answer in answers:
        text = re.sub(r"</?mark>", "", answer.everything())
        for echoed in echoes(answer.url):
            if needle in echoed:
                text = text.replace(echoed, "").replace(quote(echoed, safe=""), "")
        if needle in text:
            found.append(answer.url)
    return found


def echoes(url: str) -> list[str]:
    parts = urlsplit(url)
    words = [value for _, value in parse_qsl(parts.query)]
    return [segment for segment in parts.path.split("/") if segment] + words


def naming_story(answers: list[surfaces.Answer], story: Story) -> list[str]:
    """Addresses that name the story by its API address or its cache scope (but for an
    address that is its own: a 404's ``instance`` repeats it)."""
    scope = re.compile(rf"\bstory:{story.pk}\b|/api/stories/{story.pk}\b")
    found = []
    for answer in answers:
        text = answer.everything().replace(urlsplit(answer.url).path, "")
        if scope.search(text):
            found.append(answer.url)
    return found


@pytest.fixture(scope="module")
def media_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("canary-media")


@pytest.fixture(scope="module")
def world_and_walks(django_db_setup, django_db_blocker, media_dir):
    """The newsroom, built once and rolled back after the module, and its walks: one per
    kind of visitor, with every canary in its state at once."""
    caches = {**django_settings.CACHES}
    caches["default"] = {**caches["default"], "KEY_PREFIX": f"canary-{uuid.uuid4().hex}"}
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_dir, REQUIRE_2FA_FOR=[], CACHES=caches,
                          API_PUBLIC_RATE_LIMIT="off"),
        transaction.atomic(),
    ):  # fmt: skip
        world = build()
        walks = {}
        with quiet_not_found(), through_the_page_cache() as app:
            for who in WHO:
                get = getter(app, credentials(world, who))
                walks[who] = crawl(world, get, walks.get("anonymous"))
                if who == "anonymous":
                    walks["fuzz"] = fuzzed(world, get, walks[who])
        yield world, walks
        transaction.set_rollback(True)


@pytest.fixture
def world(world_and_walks) -> World:
    return world_and_walks[0]


@pytest.fixture
def walks(world_and_walks) -> dict[str, list[surfaces.Answer]]:
    return world_and_walks[1]


@pytest.fixture(autouse=True)
def media_root(settings, media_dir):
    # The module's newsroom keeps its files for every test (the root conftest's are per test).
    settings.MEDIA_ROOT = media_dir
    settings.REQUIRE_2FA_FOR = []
    settings.API_PUBLIC_RATE_LIMIT = "off"
    return media_dir


@pytest.fixture
def app():
    with quiet_not_found(), through_the_page_cache() as app:
        yield app


def same_answer(a: surfaces.Answer, b: surfaces.Answer) -> bool:
    """A§3's "identical": status, body, and headers but for Date and X-Request-ID (and
    ``Expires``, a date too), each answer's own address (a 404's ``instance``) aside."""
    drop = {"date", "x-request-id", "expires", "content-length"}  # the body's is compared

    def seen(answer):
        path = urlsplit(answer.url).path
        headers = {k.lower(): v for k, v in answer.headers.items() if k.lower() not in drop}
        body = answer.body.replace(path.encode(), b"ADDRESS")
        return answer.status, body, headers

    return seen(a) == seen(b)


# -- before release: nothing ---------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("state", STATES)
def test_no_public_surface_names_an_unpublished_canary(world, walks, state, who):
    canary = world.canaries[state]
    answers = walks[who] + (walks["fuzz"] if who == "anonymous" else [])

    assert naming(answers, canary.token) == []
    assert naming(answers, canary.persian) == []
    assert naming_story(answers, canary.story) == []
    assert naming_story(answers, canary.translation) == []
    assert naming(answers, STAFF_ONLY) == []


@pytest.mark.parametrize("who", WHO)
def test_the_walk_reaches_every_surface_and_nothing_fails(world, walks, who):
    """Not vacuous: the crawl saw the live stories on each kind of surface, and no
    address, fuzzed or not, is a server error."""
    answers = walks[who] + (walks["fuzz"] if who == "anonymous" else [])
    ok = {a.url for a in answers if a.status == 200}
    newer = world.live[1]
    month = f"/sitemaps/stories-{newer.published_at.astimezone(UTC):%Y-%m}.xml"
    surfaces_seen = [
        "/", "/politics/", "/economy/", "/fa/", "/fa/siasat/", newer.get_absolute_url(),
        "/author/nima-sadeghi/", "/tag/iran/", "/label/analysis/", "/masthead/",
        "/policies/ethics/", "/corrections/", "/robots.txt",
        "/feed/", "/feed/atom/", "/politics/feed.xml", "/politics/atom.xml",
        "/author/nima-sadeghi/feed.xml", "/tag/iran/atom.xml", "/label/analysis/feed.xml",
        "/fa/feed/", "/fa/feed/atom/", "/fa/siasat/feed.xml",
        "/sitemap.xml", month, "/sitemaps/news.xml", "/fa/sitemaps/news.xml",
        "/api/stories", f"/api/stories/{newer.pk}", f"/api/stories/{newer.pk}/ninjs",
        "/api/openapi.json", "/api/tags", "/api/authors/nima-sadeghi",
    ]  # fmt: skip
    assert [url for url in surfaces_seen if url not in ok] == []
    listing = {a.url: a.text for a in answers if a.status == 200}
    assert newer.headline in listing["/"] and newer.headline in listing["/feed/"]
    assert not [a.url for a in answers if a.status >= 500]
    if who == "anonymous":
        assert len(walks["fuzz"]) > 300
        tried = {"?" + a.url.partition("?")[2] for a in walks["fuzz"]}
        assert tried == set(fuzz_queries(world))


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("state", STATES)
def test_a_canarys_addresses_answer_like_addresses_that_never_existed(world, app, state, who):
    canary = world.canaries[state]
    get = getter(app, credentials(world, who))

    for url, other in zip(canary.addresses(), canary.never_existed(), strict=True):
        hidden, missing = get(url), get(other)
        assert hidden.status == 404, (url, hidden.status)
        assert same_answer(hidden, missing), url


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("state", STATES)
def test_a_canarys_image_files_answer_like_files_that_never_existed(world, app, state, who):
    canary = world.canaries[state]
    get = getter(app, credentials(world, who))
    files = canary.files()
    assert len(files) > 2  # the lead image, the figure and their renditions
    missing = {}

    for url in files:
        assert canary.token not in url  # the uploader's name is not kept
        name = urlsplit(url).path.rsplit("/", 1)[1]
        kind = name[name.index(".") :]
        if kind not in missing:
            missing[kind] = get(url.replace(name, uuid.uuid4().hex + kind))
        assert same_answer(get(url), missing[kind]), url


def normalised(answer: surfaces.Answer, *words: str) -> tuple:
    """An answer with ``words`` (the searched ones) and per-response values made equal."""
    text = answer.everything()
    for word in words:
        text = text.replace(word, "WORDS")
    per_response = (r'nonce="[^"]*"', r"nonce-[A-Za-z0-9+/=_-]+", r"^(Date|X-Request-ID): .*$")
    for pattern in per_response:
        text = re.sub(pattern, "", text, flags=re.MULTILINE)
    return answer.status, text


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("state", STATES)
def test_searching_a_canarys_words_answers_like_searching_nonsense(world, walks, state, who):
    """Search pages, API searches and filters by its tag or label: the same answer as
    for words no story has (status, body, headers), so nothing counts or names it."""
    canary = world.canaries[state]
    answers = {answer.url: answer for answer in walks[who]}
    nonsense = canary.searches(canary.nonsense, canary.nonsense)

    for hidden, missing in zip(canary.searches(), nonsense, strict=True):
        assert normalised(answers[hidden], canary.token, canary.persian) == normalised(
            answers[missing], canary.nonsense
        ), hidden


# -- F3: nothing changes before release; the release changes everything --------------------


def lists_of(world: World, when) -> list[str]:
    """The surfaces that list stories (every one of them must change at a release)."""
    return [
        "/", "/politics/", "/author/nima-sadeghi/", "/tag/iran/",
        "/feed/", "/feed/atom/", "/politics/feed.xml", "/politics/atom.xml",
        "/author/nima-sadeghi/feed.xml", "/author/nima-sadeghi/atom.xml",
        "/tag/iran/feed.xml", "/tag/iran/atom.xml",
        "/sitemap.xml", f"/sitemaps/stories-{when.astimezone(UTC):%Y-%m}.xml",
        "/sitemaps/news.xml", "/sitemaps/tags.xml", "/sitemaps/labels.xml",
        "/api/stories", "/api/stories?desk=politics", "/api/stories?tag=iran",
    ]  # fmt: skip


# Surfaces of the other edition and another desk: unchanged before the release too.
UNTOUCHED = ["/economy/", "/fa/", "/fa/siasat/", "/fa/feed/", "/fa/sitemaps/news.xml"]


def snapshot(get, urls: list[str]) -> dict[str, tuple]:
    """Status, validators and body; the words of relative times ("5 hours ago") aside:
    the clock, not the canary, moves them (readers' browsers correct them, docs/site.md)."""
    found = {}
    for url in urls:
        answer = get(url)
        headers = answer.headers
        body = RELATIVE_TIME.sub(rb"\1\2", answer.body)
        found[url] = (answer.status, headers.get("ETag"), headers.get("Last-Modified"), body)
    return found


RELATIVE_TIME = re.compile(rb"(<time [^>]*data-relative[^>]*>)[^<]*(</time>)")


def differences(before: dict, after: dict) -> list[str]:
    names = ("status", "ETag", "Last-Modified", "body")
    return [
        f"{url}: {' '.join(n for n, a, b in zip(names, was, after[url], strict=True) if a != b)}"
        for url, was in before.items()
        if was != after[url]
    ]


def revisit(world: World, walks, get, *also: str) -> list[surfaces.Answer]:
    """The anonymous crawl again: every address that did not answer 404, the canaries'
    addresses and searches, and the links the answers now carry."""
    seen = [a.url for a in walks["anonymous"] if a.status != 404]
    extra = [*also]
    for canary in world.canaries.values():
        extra += canary.addresses() + canary.searches()
    return surfaces.walk(get, {"seen": seen}, extra=extra, follow=800)


def test_saving_scheduling_and_embargoing_change_nothing_until_the_release_changes_everything(
    world, walks, app
):
    canary = world.canaries["draft"]
    get = getter(app, {})
    start = timezone.now().replace(microsecond=0)
    when = start + timedelta(hours=1)
    urls = [*lists_of(world, when), *UNTOUCHED, *canary.addresses()]
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        before = snapshot(get, urls)
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        story = fresh(canary.story)
        content = Content.of(story)
        content.dek = f"Dek, sharper {canary.token}"
        services.save_story(world.editor, story, content, story.latest_revision_id)
        move(canary.story, "embargoed", world.editor, when=when)
        services.save_story(world.persian_editor, fresh(canary.translation),
                            Content.of(fresh(canary.translation)),
                            fresh(canary.translation).latest_revision_id)  # fmt: skip
    for moment in (start + timedelta(minutes=3), when - timedelta(seconds=1)):
        with time_machine.travel(moment, tick=False):
            found = differences(before, snapshot(get, urls))
            assert found == [], "\n".join(found)

    with time_machine.travel(when + timedelta(minutes=1), tick=False):
        released = snapshot(get, urls)
        answers = revisit(world, walks, get)
        files = {url: get(url).status for url in canary.files()}

    for url in lists_of(world, when):
        status, etag, last_modified, _ = released[url]
        assert status == 200, url
        assert etag != before[url][1] and last_modified != before[url][2], url
    # The positive control: the same crawl now finds the canary on every surface.
    newer = world.live[1]
    # (A search echoes its words: there, the headline must show.)
    headline = fresh(canary.story).headline
    shown = set(naming(answers, canary.token)) | set(naming(answers, headline))
    expected = [
        *(url for url in lists_of(world, when) if url != "/sitemap.xml"),  # it lists months
        *canary.addresses()[:3], "/label/kicker-" + canary.token + "/",
        f"/tag/tag-{canary.token}/", f"/tag/tag-{canary.token}/feed.xml",
        f"/label/kicker-{canary.token}/atom.xml", f"/api/tags/tag-{canary.token}",
        f"/search/?q={canary.token}", f"/api/stories?q={canary.token}",
        f"/api/stories?label=kicker-{canary.token}", newer.get_absolute_url(),
    ]  # fmt: skip
    assert [url for url in expected if url not in shown] == []
    crawled_before = {a.url for a in walks["anonymous"]}
    assert [url for url in expected if url not in crawled_before] == []
    assert set(files.values()) == {200}
    # Its translation is still a draft, the staff-only notes still staff-only.
    assert naming(answers, canary.persian) == []
    assert naming(answers, STAFF_ONLY) == []
    for other in STATES[1:]:
        assert naming(answers, world.canaries[other].token) == []


# -- C4: the wire's embargo and kill ----------------------------------------------------------


@pytest.mark.parametrize("notice", [WireStatus.CANCELED, WireStatus.WITHHELD])
def test_an_agency_item_is_held_until_its_embargo_and_a_kill_takes_it_off_every_surface(
    world, walks, app, notice
):
    word = secrets.token_hex(8)
    politics = world.canaries["draft"].story.desk
    source = make_source("Agency", desk=politics)
    make_rule(source, auto_publish=True, publish_as=world.editor)
    get = getter(app, {})
    start = timezone.now().replace(microsecond=0)
    embargo = start + timedelta(hours=1)
    item = {"headline": f"Agency flash {word}", "body_html": f"<p>Agency copy {word}.</p>"}
    searches = [f"/search/?q={word}", f"/api/stories?q={word}"]

    with time_machine.travel(start, tick=False):
        ingest.store(source, feed(copy("urn:c4", version="1", embargoed_until=embargo, **item)))
        story = Story.objects.get(headline=f"Agency flash {word}")
        held = revisit(world, walks, get, *searches, story.get_absolute_url())
    with time_machine.travel(embargo + timedelta(minutes=1), tick=False):
        out = revisit(world, walks, get, *searches, story.get_absolute_url())
        ingest.store(source, feed(copy("urn:c4", version="2", status=notice, **item)))
        killed = revisit(world, walks, get, *searches, story.get_absolute_url())

    assert naming(held, word) == [] and naming_story(held, story) == []
    shown = set(naming(out, f"Agency flash {word}"))
    assert {"/", "/politics/", "/feed/", "/sitemaps/news.xml", "/api/stories",
            story.get_absolute_url(), f"/search/?q={word}"} <= shown  # fmt: skip
    assert fresh(story).status == Story.Status.WITHDRAWN
    own = story.get_absolute_url()
    # Readers saw it: its address answers 410 with the notice; nothing else names it.
    assert [a.status for a in killed if a.url == own] == [410]
    assert [url for url in naming(killed, word) if url != own] == []
    assert not [a.url for a in killed if f"/{story.slug}/" in a.text and a.url != own]
