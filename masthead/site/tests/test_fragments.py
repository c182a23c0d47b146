"""Shared fragments (site/fragments.py): rendered once per version, never outliving it.

Every test renders through Django's test client, as the page cache's misses
do, with the project's cache (local memory, or Redis with ``CACHE_URL``);
``conftest.py`` gives each test keys of its own.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from masthead.factories import make_desk, make_preview_link, make_story
from masthead.newsroom.models import Desk, Outlet, PolicyPage
from masthead.site.tests.newsroom_data import make_newsroom, publish_update, save_draft_edit
from masthead.stories import services
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsroom(settings):
    settings.TIME_ZONE = "UTC"
    return make_newsroom()


def get(client, url: str) -> tuple[str, int]:
    """The page's HTML and the number of queries its render made."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), len(queries)


def recent_posts_of(html: str) -> list[str]:
    box = html.split('id="recent-posts-title"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'dir="auto">([^<]+)</a>', box)


def publish_new(newsroom, headline: str, **fields) -> Story:
    story = make_story(headline, desk=newsroom.desk, status=Story.Status.READY, age=None, **fields)
    services.snapshot_revision(story)
    return services.publish_story(newsroom.editor, story)


def test_a_warm_render_reads_only_the_story_and_gives_the_same_page(client, newsroom):
    url = newsroom.story.get_absolute_url()
    cold, cold_queries = get(client, url)
    warm, warm_queries = get(client, url)

    assert warm == cold
    # The story row with its counters, and its Last-Modified (the last public change of
    # what it shows, site/http.py); every part came from the cache.
    assert warm_queries == 2
    assert cold_queries > warm_queries


def test_pages_assembled_from_fragments_are_the_pages_rendered_whole(client, settings, newsroom):
    other = make_story("Another report", desk=newsroom.desk, age=timedelta(minutes=20))
    urls = ["/", newsroom.story.get_absolute_url(), other.get_absolute_url(), "/politics/"]
    for url in urls:  # warm every fragment
        get(client, url)
    assembled = {url: get(client, url)[0] for url in urls}

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    whole = {url: get(client, url)[0] for url in urls}

    assert assembled == whole


def test_lists_of_kept_cards_are_the_pages_rendered_whole(client, settings, newsroom):
    """Cards are kept by story version (``{% cards %}``): after each change readers see,
    the home, desk and author pages assembled from them are the pages a render without
    any cache gives."""
    for n in range(8):
        make_story(f"Earlier report {n}", desk=newsroom.desk, age=timedelta(hours=2 + n))
    kept_cache = settings.CACHES

    pages = ("/", "/politics/", "/author/nima-sadeghi/")

    def assembled_and_whole() -> tuple[list[str], list[str]]:
        settings.CACHES = kept_cache
        assembled = [get(client, url)[0] for url in pages]
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
        return assembled, [get(client, url)[0] for url in pages]

    for url in pages:
        get(client, url)
    changes = [
        lambda: publish_new(newsroom, "Parliament passes the budget", authors=[newsroom.reporter]),
        lambda: publish_update(newsroom, newsroom.story, headline="Talks resume in Vienna today"),
        lambda: _rename(newsroom.reporter, "Nima Sadeghi-Rad"),
        lambda: _rename(newsroom.label, "Deep analysis"),
    ]
    for change in changes:
        change()
        assembled, whole = assembled_and_whole()
        assert assembled == whole
    for html in whole:
        assert "Nima Sadeghi-Rad" in html and "Talks resume in Vienna today" in html
        assert "Parliament passes the budget" in html


def _rename(record, name: str) -> None:
    record.name = name
    record.save()


def test_an_update_changes_its_article_and_no_other(client, newsroom):
    other = publish_new(newsroom, "Oil exports rise")
    get(client, other.get_absolute_url())
    get(client, newsroom.story.get_absolute_url())

    publish_update(newsroom, newsroom.story, headline="Talks resume in Vienna on Monday")

    html, _ = get(client, newsroom.story.get_absolute_url())
    assert ">Talks resume in Vienna on Monday</h1>" in html
    assert "<title>Talks resume in Vienna on Monday — Iran Front Page</title>" in html
    assert '"headline":"Talks resume in Vienna on Monday"' in html
    # The other article's own parts stay cached; its Recent Posts (front) is new.
    other_html, other_queries = get(client, other.get_absolute_url())
    assert "Talks resume in Vienna on Monday" in recent_posts_of(other_html)
    # story row, recent posts, the next scheduled change (2) and Last-Modified
    assert other_queries <= 5


def test_a_correction_shows_on_the_next_render(client, newsroom):
    url = newsroom.story.get_absolute_url()
    get(client, url)
    save_draft_edit(newsroom, newsroom.story, body="<p>Fixed paragraph.</p>")

    services.publish_correction(
        newsroom.editor, Story.objects.get(pk=newsroom.story.pk), "We misnamed the city."
    )

    html, _ = get(client, url)
    assert "We misnamed the city." in html and "<p>Fixed paragraph.</p>" in html
    assert '"@type":"CorrectionComment"' in html


def test_a_publish_and_a_withdrawal_change_recent_posts_everywhere(client, newsroom):
    url = newsroom.story.get_absolute_url()
    get(client, url)

    fresh = publish_new(newsroom, "Breaking: parliament votes")
    assert recent_posts_of(get(client, url)[0])[0] == "Breaking: parliament votes"

    services.withdraw_story(newsroom.editor, Story.objects.get(pk=fresh.pk), "Not verified.")
    assert "Breaking: parliament votes" not in recent_posts_of(get(client, url)[0])
    assert client.get(fresh.get_absolute_url()).status_code == 410


def test_the_newest_article_does_not_list_itself_in_recent_posts(client, newsroom):
    older = make_story("Older report", desk=newsroom.desk, age=timedelta(hours=5))
    newest = publish_new(newsroom, "Newest report")
    get(client, older.get_absolute_url())  # warms the shared box, which lists "Newest report"

    html, _ = get(client, newest.get_absolute_url())

    assert "Newest report" not in recent_posts_of(html)
    assert recent_posts_of(html) == ["Talks resume in Vienna", "Older report"]
    assert recent_posts_of(get(client, older.get_absolute_url())[0])[0] == "Newest report"


def test_a_desk_rename_changes_every_page(client, newsroom):
    url = newsroom.story.get_absolute_url()
    for page in (url, "/"):
        get(client, page)

    desk = Desk.objects.get(pk=newsroom.desk.pk)
    desk.name = "Politics and Diplomacy"
    desk.save()

    for page in (url, "/"):
        html, _ = get(client, page)
        assert ">Politics and Diplomacy</a></li>" in html, page  # the menu
    assert 'Desk: <a href="/politics/">Politics and Diplomacy</a>' in get(client, url)[0]


def test_outlet_and_policy_changes_change_header_footer_and_metadata(client, newsroom):
    url = newsroom.story.get_absolute_url()
    get(client, url)

    outlet = Outlet.objects.get()
    outlet.name = "IFP News"
    outlet.save()
    PolicyPage.objects.create(kind="ethics", title="Our ethics", slug="ethics")

    html, _ = get(client, url)
    assert '<a class="site-name" href="/" dir="auto">IFP News</a>' in html
    assert "<title>Talks resume in Vienna — IFP News</title>" in html
    assert '<a href="/policies/ethics/">Our ethics</a>' in html  # the footer
    assert '"ethicsPolicy":"http://testserver/policies/ethics/"' in html


def test_a_scheduled_story_appears_in_recent_posts_at_its_time(client, newsroom, time_machine):
    url = newsroom.story.get_absolute_url()
    story = make_story("At noon sharp", desk=newsroom.desk, status=Story.Status.READY, age=None)
    services.snapshot_revision(story)
    due = timezone.now() + timedelta(minutes=5)
    services.schedule_story(newsroom.editor, story, due)
    assert "At noon sharp" not in get(client, url)[0]
    assert "At noon sharp" not in get(client, url)[0]  # warm, and still not due

    time_machine.move_to(due + timedelta(seconds=1))

    assert recent_posts_of(get(client, url)[0])[0] == "At noon sharp"
    assert "At noon sharp" in get(client, "/")[0]


def test_relative_times_are_for_the_second_of_the_render(client, newsroom, monkeypatch):
    make_story("Sixteen minutes old", desk=newsroom.desk, age=timedelta(minutes=16))
    url = newsroom.story.get_absolute_url()
    for page in (url, "/"):
        assert ">16 mins ago</time>" in get(client, page)[0]

    later = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)

    for page in (url, "/"):
        html, queries = get(client, page)
        assert queries <= 2  # assembled from the first render's fragments; Last-Modified
        assert ">16 mins ago</time>" not in html
        assert ">2 hours ago</time>" in html


def test_previews_neither_read_nor_fill_shared_fragments(client, newsroom):
    url = newsroom.story.get_absolute_url()
    save_draft_edit(newsroom, newsroom.story, headline="SECRET DRAFT HEADLINE", dek="Hidden.")
    story = Story.objects.get(pk=newsroom.story.pk)
    preview_url = f"/preview/{make_preview_link(story.latest_revision)}/"

    preview = client.get(preview_url).content.decode()
    assert ">SECRET DRAFT HEADLINE</h1>" in preview
    public, cold_queries = get(client, url)
    assert "SECRET" not in public and "Hidden." not in public
    assert cold_queries > 1  # the preview left nothing for the public render to use

    get(client, url)  # warm
    again = client.get(preview_url).content.decode()
    assert ">SECRET DRAFT HEADLINE</h1>" in again and "Hidden." in again
    assert "SECRET" not in get(client, url)[0]


def test_a_cache_that_is_down_still_gives_correct_pages(client, settings, newsroom):
    expected = {url: get(client, url)[0] for url in ("/", newsroom.story.get_absolute_url())}
    settings.CACHES = {
        "default": {
            "BACKEND": "masthead.resilient_cache.ResilientRedisCache",
            # Port 9 (discard) on loopback: nothing listens, the connection is refused.
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }

    for url, html in expected.items():
        got, _ = get(client, url)
        assert got == html

    publish_update(newsroom, newsroom.story, headline="Updated while the cache was down")
    html, _ = get(client, newsroom.story.get_absolute_url())
    assert ">Updated while the cache was down</h1>" in html


def test_desk_page_marks_its_desk_in_the_shared_menu(client, newsroom):
    make_desk("Economy")
    get(client, "/")

    economy = get(client, "/economy/")[0]
    politics = get(client, "/politics/")[0]

    assert '<a href="/economy/" aria-current="page">Economy</a>' in economy
    assert '<a href="/politics/" aria-current="page">Politics</a>' in politics
    assert 'aria-current="page"' not in get(client, "/")[0]
