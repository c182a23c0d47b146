"""DESIGN.md invariant 1: a story that is not live appears on no public surface.

Every hidden state — a draft, a story scheduled for later, one under
embargo, an undated one, a withdrawn one we cannot date, and stories
withdrawn before readers saw them (while scheduled, while under embargo) —
shares a desk, an author, a tag and a label with a live story. Every public
page, feed and sitemap that exists is walked and must show the live story
and none of the others, in its body or its headers. A tag only hidden
stories carry must not be named anywhere either. A hidden story's address
answers exactly like one that never existed, headers included; only a story
readers saw, then withdrawn, answers 410. Extend SURFACES when a surface is
added (search, API …)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from masthead.factories import (
    editor_of,
    make_author,
    make_desk,
    make_label,
    make_story,
    make_tag,
)
from masthead.stories import services
from masthead.stories.models import ContentVersion, Story
from masthead.tests.answers import headers_of

pytestmark = pytest.mark.django_db

SURFACES = [
    "/",
    "/politics/",
    "/author/nima-sadeghi/",
    "/tag/iran/",
    "/masthead/",
    "/corrections/",
    "/politics/live-report-visible/",
    "/label/analysis/",
    # Feeds
    "/feed/",
    "/feed/atom/",
    "/politics/feed.xml",
    "/politics/atom.xml",
    "/author/nima-sadeghi/feed.xml",
    "/author/nima-sadeghi/atom.xml",
    "/tag/iran/feed.xml",
    "/tag/iran/atom.xml",
    "/label/analysis/feed.xml",
    "/label/analysis/atom.xml",
    # Sitemaps ({month}: the live story's month)
    "/robots.txt",
    "/sitemap.xml",
    "/sitemaps/stories-{month}.xml",
    "/sitemaps/news.xml",
    "/sitemaps/pages.xml",
    "/sitemaps/desks.xml",
    "/sitemaps/authors.xml",
    "/sitemaps/tags.xml",
    "/sitemaps/labels.xml",
    # The news API (every read, filter, cursor and ninjs: masthead/api/tests/test_visibility.py)
    "/api/stories",
    "/api/stories?desk=politics&author=nima-sadeghi&tag=iran&label=analysis",
    "/api/tags",
    # Search (masthead/search): words of every hidden story's headline, and filters
    "/search/?q=secret+or+report+or+visible+or+topic",
    "/search/?q=secret+or+visible&desk=politics&author=nima-sadeghi&label=analysis",
    "/search/?q=%22live+report%22+or+%22withdrawn+report%22",
    "/api/stories?q=secret+or+report+or+visible",
    "/api/stories?q=secret+or+visible&desk=politics&author=nima-sadeghi&label=analysis",
]
# Surfaces that list no stories at all (only pages of the site or other files).
LIST_NO_STORIES = {
    "/masthead/",
    "/corrections/",
    "/robots.txt",
    "/sitemap.xml",
    "/sitemaps/pages.xml",
    "/sitemaps/desks.xml",
    "/sitemaps/authors.xml",
    "/sitemaps/tags.xml",
    "/sitemaps/labels.xml",
    "/api/tags",
}


INTERNAL_NOTE = "Internal: legal says the source is burned"
PUBLIC_NOTE = "Withdrawn: the document it relied on was forged."


@dataclass
class Newsroom:
    live: Story
    # Stories readers never saw: each must answer exactly like one that never existed.
    hidden: dict[str, Story]
    # A story readers saw, then withdrawn: its address answers 410, nothing else shows it.
    gone: Story

    @property
    def not_live(self) -> list[Story]:
        return [*self.hidden.values(), self.gone]


def withdrawn_before_readers_saw_it(headline: str, editor, **fields) -> Story:
    story = make_story(headline, status=Story.Status.SCHEDULED, **fields)
    services.snapshot_revision(story)
    return services.withdraw_story(editor, story, INTERNAL_NOTE)


@pytest.fixture
def stories() -> Newsroom:
    desk = make_desk("Politics")
    editor = editor_of(desk)
    author = make_author("Nima Sadeghi")
    tag = make_tag("Iran")
    label = make_label("Analysis")
    common = {"desk": desk, "authors": [author], "label": label}
    live = make_story("Live report visible", top_rank=2, tags=[tag], **common)
    common["tags"] = [tag, make_tag("Hidden topic")]
    now = timezone.now()
    hidden = {
        "draft": make_story("Draft secret alpha", status=Story.Status.DRAFT, top_rank=1, **common),
        "scheduled": make_story(
            "Scheduled secret beta", age=-timedelta(hours=1), top_rank=1, **common
        ),
        "withdrawn, never dated": make_story(
            "Withdrawn secret gamma", status=Story.Status.WITHDRAWN, top_rank=1, **common
        ),
        "undated": make_story("Undated secret delta", age=None, **common),
        "embargoed": make_story(
            "Embargoed secret epsilon",
            status=Story.Status.SCHEDULED,
            published_at=now - timedelta(minutes=30),
            embargoed_until=now + timedelta(hours=2),
            **common,
        ),
        "withdrawn before its time": withdrawn_before_readers_saw_it(
            "Pulled secret zeta", editor, age=-timedelta(hours=1), **common
        ),
        "withdrawn under embargo": withdrawn_before_readers_saw_it(
            "Pulled secret eta",
            editor,
            published_at=now - timedelta(minutes=30),
            embargoed_until=now + timedelta(hours=2),
            **common,
        ),
    }
    seen = make_story("Withdrawn report theta", age=timedelta(hours=3), **common)
    services.snapshot_revision(seen)
    gone = services.withdraw_story(editor, seen, PUBLIC_NOTE)
    return Newsroom(live, hidden, gone)


def assert_nothing_of(story: Story, response, url: str) -> None:
    text = response.content.decode()
    assert story.headline not in text, url
    # Search marks its matches: a headline split by <mark> is still the headline.
    assert story.headline not in re.sub(r"</?mark>", "", text), url
    assert story.slug not in text, url
    headers = " ".join(f"{name}: {value}" for name, value in response.headers.items())
    assert story.slug not in headers, url
    assert f"story:{story.pk} " not in headers + " ", url


@pytest.mark.parametrize("url", SURFACES)
def test_only_live_stories_on_every_surface(client, stories, url):
    url = url.format(month=f"{stories.live.published_at.astimezone(UTC):%Y-%m}")

    response = client.get(url)

    assert response.status_code == 200, url
    html = response.content.decode()
    if url not in LIST_NO_STORIES:
        assert stories.live.headline in html or stories.live.get_absolute_url() in html
    for story in stories.not_live:
        assert_nothing_of(story, response, url)
    assert "hidden-topic" not in html and "Hidden topic" not in html
    assert INTERNAL_NOTE not in html and PUBLIC_NOTE not in html


HIDDEN = [
    "draft",
    "scheduled",
    "withdrawn, never dated",
    "undated",
    "embargoed",
    "withdrawn before its time",
    "withdrawn under embargo",
]


@pytest.mark.parametrize("method", ["get", "head"])
@pytest.mark.parametrize("state", HIDDEN)
def test_a_hidden_story_answers_exactly_like_a_missing_one(client, stories, state, method):
    story = stories.hidden[state]
    missing = getattr(client, method)("/politics/never-existed/")

    response = getattr(client, method)(story.get_absolute_url())

    assert response.status_code == missing.status_code == 404
    assert response.content == missing.content
    assert headers_of(response) == headers_of(missing)


def test_the_expected_hidden_states_are_all_walked(stories):
    assert sorted(stories.hidden) == sorted(HIDDEN)


def test_a_story_readers_saw_answers_410_naming_it_and_the_public_note(client, stories):
    response = client.get(stories.gone.get_absolute_url())

    assert response.status_code == 410
    page = response.content.decode()
    assert stories.gone.headline in page
    assert PUBLIC_NOTE in page
    assert "Body text." not in page


def test_withdrawing_a_story_readers_never_saw_changes_no_surface(client, stories):
    desk = stories.live.desk
    tags = list(stories.hidden["scheduled"].tags.all())
    later = make_story(
        "Scheduled then pulled iota",
        status=Story.Status.SCHEDULED,
        age=-timedelta(hours=1),
        desk=desk,
        authors=list(stories.live.authors.all()),
        tags=tags,
    )
    services.snapshot_revision(later)
    editor = editor_of(desk)  # a new account changes the outlet's records: before
    # Every public change so far an hour ago: one made now would show in a date.
    ContentVersion.objects.update(changed_at=timezone.now() - timedelta(hours=1))
    urls = [
        url.format(month=f"{stories.live.published_at.astimezone(UTC):%Y-%m}") for url in SURFACES
    ] + [later.get_absolute_url()]
    before = {url: client.get(url) for url in urls}

    services.withdraw_story(editor, later, INTERNAL_NOTE)

    for url in urls:
        after = client.get(url)
        assert after.status_code == before[url].status_code, url
        assert after.content == before[url].content, url
        assert headers_of(after) == headers_of(before[url]), url


def test_a_hidden_story_is_not_shown_through_an_old_slug(client, stories):
    draft = stories.hidden["draft"]
    old = draft.get_absolute_url()
    services.change_story_slug(editor_of(draft.desk), draft, "renamed-draft")

    assert client.get(old).status_code == 404


def test_a_scheduled_story_appears_everywhere_at_its_time(client, stories, settings):
    from django.utils import timezone

    scheduled = stories.hidden["scheduled"]
    Story.objects.filter(pk=scheduled.pk).update(published_at=timezone.now() - timedelta(seconds=1))

    for url in (
        "/",
        "/politics/",
        "/author/nima-sadeghi/",
        "/tag/iran/",
        scheduled.get_absolute_url(),
    ):
        assert scheduled.headline in client.get(url).content.decode(), url


def test_no_hidden_story_on_any_route_of_the_url_conf(client, stories):
    """SURFACES above, found rather than listed: every public route with every slug and id
    (``surfaces.py``), and the links its answers carry, so later surfaces are walked too."""
    from masthead.newsroom.models import PolicyPage
    from masthead.site.tests import surfaces

    PolicyPage.objects.create(kind="ethics", title="Ethics", slug="ethics", body="<p>x</p>")
    live = stories.live
    every = [live, *stories.not_live]
    month = f"stories-{live.published_at.astimezone(UTC):%Y-%m}"
    pool = surfaces.Pool(
        {
            "slug": [s.slug for s in every]
            + ["nima-sadeghi", "iran", "analysis", "ethics", "politics"],
            "desk_slug": ["politics"],
            "story_id": [str(s.pk) for s in every],
            "section": [month, "news", "pages", "desks", "authors", "tags", "labels"],
        }
    )
    addresses = surfaces.public_addresses(pool)

    def get(url: str) -> surfaces.Answer:
        response = client.get(url)
        return surfaces.Answer(url, response.status_code, dict(response.headers), response.content)

    answers = surfaces.walk(get, addresses, extra=surfaces.EXTRA)

    surfaces.assert_every_pattern_answered(addresses, answers)
    for answer in answers:
        if answer.status == 410:
            continue  # the withdrawn story's own notice (test above)
        for story in stories.not_live:
            assert story.headline not in answer.text, answer.url
            assert f"/{story.slug}/" not in answer.text, answer.url
