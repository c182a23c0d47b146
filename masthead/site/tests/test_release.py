"""RELIABILITY.md F3: nothing public changes until something public changed.

The attack: record every public surface (status, ETag, Last-Modified and the
body, which holds the sitemaps' ``lastmod``), then do what a newsroom does
with an embargoed scoop: a writer tags it with a new tag, an editor schedules
it under embargo. Asked again before the embargo ends, every surface answers
byte for byte and header for header as before. Once the clock passes the
embargo (time travel, no sleeping: there is no worker, the release is the
clock's), the surfaces that list it change, validators included.
"""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
import time_machine
from django.utils import timezone

from masthead.factories import make_desk, make_story, make_tag
from masthead.site.tests.newsroom_data import make_newsroom
from masthead.stories import services
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db

CANARY_SLUG = "merger-canary-scoop"
CANARY_TAG = "merger-canary-tag"


def month(moment) -> str:
    return f"/sitemaps/stories-{moment.astimezone(UTC):%Y-%m}.xml"


# Surfaces that list stories: the canary's release must change each of them.
LISTS = [
    "/",
    "/politics/",
    "/author/nima-sadeghi/",
    "/tag/iran/",
    "/label/analysis/",
    "/feed/",
    "/feed/atom/",
    "/politics/feed.xml",
    "/politics/atom.xml",
    "/author/nima-sadeghi/feed.xml",
    "/tag/iran/feed.xml",
    "/tag/iran/atom.xml",
    "/label/analysis/feed.xml",
    "/sitemap.xml",
    "/sitemaps/news.xml",
    "/sitemaps/desks.xml",
    "/sitemaps/authors.xml",
    "/sitemaps/tags.xml",
    "/sitemaps/labels.xml",
    "/sitemaps/pages.xml",
    "/api/stories",
    "/api/stories?desk=politics",
    "/api/stories?tag=iran",
    "/api/stories?author=nima-sadeghi",
    "/api/tags",
    f"/tag/{CANARY_TAG}/",
    f"/tag/{CANARY_TAG}/feed.xml",
    f"/tag/{CANARY_TAG}/atom.xml",
    f"/politics/{CANARY_SLUG}/",
    f"/api/tags/{CANARY_TAG}",
    f"/api/stories?tag={CANARY_TAG}",
]
# Surfaces the canary is not on, before or after.
OTHERS = [
    "/masthead/",
    "/corrections/",
    "/robots.txt",
    "/api/desks",
    "/api/desks/politics",
    "/api/authors",
    "/api/authors/nima-sadeghi",
    "/api/tags/iran",
    "/api/stories?desk=economy",
]


def surfaces(newsroom) -> list[str]:
    story = newsroom.story
    return [
        *LISTS,
        *OTHERS,
        story.get_absolute_url(),
        month(story.published_at),
        f"/api/stories/{story.pk}",
        f"/api/stories/{story.pk}/ninjs",
        "/api/stories?limit=1",
    ]


def newsroom_with_archive():
    """The distribution tests' newsroom, with an older story so API lists have a second page."""
    newsroom = make_newsroom()
    make_story("Older economy report", desk=make_desk("Economy"), age=timedelta(hours=5))
    return newsroom


def snapshot(client, urls) -> dict[str, tuple]:
    found = {}
    for url in urls:
        response = client.get(url)
        found[url] = (
            response.status_code,
            response.get("ETag"),
            response.get("Last-Modified"),
            response.content,
        )
    return found


FIELDS = ("status", "ETag", "Last-Modified", "body")


def differences(before: dict, after: dict) -> list[str]:
    """``url: fields`` of each surface that answered differently."""
    found = []
    for url, answer in before.items():
        fields = [name for name, a, b in zip(FIELDS, answer, after[url], strict=True) if a != b]
        if fields:
            found.append(f"{url}: {' '.join(fields)}")
    return found


def schedule_embargoed_canary(newsroom, when) -> Story:
    """A writer files the scoop with a new tag; an editor schedules it under embargo."""
    new_tag = make_tag(CANARY_TAG)
    canary = make_story(
        "Merger canary scoop",
        slug=CANARY_SLUG,
        desk=newsroom.desk,
        authors=[newsroom.reporter],
        tags=[newsroom.tag, new_tag],
        label=newsroom.label,
        status=Story.Status.READY,
        age=None,
    )
    services.snapshot_revision(canary)
    return services.schedule_story(newsroom.editor, canary, when, embargo=True)


def test_scheduling_an_embargo_changes_nothing_public_until_its_time(client):
    start = timezone.now().replace(microsecond=0)
    when = start + timedelta(hours=1)
    with time_machine.travel(start, tick=False):
        newsroom = newsroom_with_archive()
        urls = [*surfaces(newsroom), month(when)]
        before = snapshot(client, urls)
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        canary = schedule_embargoed_canary(newsroom, when)
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        again = snapshot(client, urls)

    assert differences(before, again) == [], "\n".join(differences(before, again))
    assert before[f"/tag/{CANARY_TAG}/"][0] == 404
    with time_machine.travel(when - timedelta(seconds=1), tick=False):
        found = differences(before, snapshot(client, urls))
        assert found == [], "\n".join(found)

    with time_machine.travel(when + timedelta(minutes=1), tick=False):
        released = snapshot(client, urls)

    for url in LISTS:
        status, etag, last_modified, body = released[url]
        assert status == 200, url
        assert etag != before[url][1], url
        assert last_modified != before[url][2], url
    assert canary.headline.encode() in released["/"][3]
    for url in OTHERS:
        # The same answer. (An API list's Last-Modified is the newest release of any
        # list, so a filtered list's may move with an unchanged body: conservative.)
        status, etag, _, body = released[url]
        assert (status, etag, body) == (before[url][0], before[url][1], before[url][3]), url


def test_unscheduling_or_withdrawing_before_release_changes_nothing_public(client):
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        newsroom = newsroom_with_archive()
        urls = surfaces(newsroom)
        before = snapshot(client, urls)
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        first = schedule_embargoed_canary(newsroom, start + timedelta(hours=1))
        services.unschedule_story(newsroom.editor, first)
        second = make_story("Second canary", desk=newsroom.desk, status=Story.Status.READY,
                            age=None, tags=[newsroom.tag])  # fmt: skip
        services.snapshot_revision(second)
        second = services.schedule_story(newsroom.editor, second, start + timedelta(hours=2))
        services.withdraw_story(newsroom.editor, second, "Spiked before publication.")
        services.change_story_slug(newsroom.editor, Story.objects.get(pk=first.pk), "renamed")
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        found = differences(before, snapshot(client, urls))
        assert found == [], "\n".join(found)
