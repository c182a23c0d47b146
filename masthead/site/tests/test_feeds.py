"""RSS and Atom feeds, as feed readers (feedparser) receive them."""

from __future__ import annotations

from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone

from masthead.factories import make_author, make_story
from masthead.site.tests.newsroom_data import make_image, make_newsroom, publish_update
from masthead.stories.models import Story
from masthead.stories.services import change_story_slug

pytestmark = pytest.mark.django_db

FEEDS = [
    ("/feed/", "rss20"),
    ("/feed/atom/", "atom10"),
    ("/politics/feed.xml", "rss20"),
    ("/politics/atom.xml", "atom10"),
    ("/author/nima-sadeghi/feed.xml", "rss20"),
    ("/author/nima-sadeghi/atom.xml", "atom10"),
    ("/tag/iran/feed.xml", "rss20"),
    ("/tag/iran/atom.xml", "atom10"),
    ("/label/analysis/feed.xml", "rss20"),
    ("/label/analysis/atom.xml", "atom10"),
]


@pytest.fixture
def newsroom():
    return make_newsroom()


def parse(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, (url, feed.get("bozo_exception"))
    return response, feed


@pytest.mark.parametrize(("url", "version"), FEEDS)
def test_every_feed_parses_cleanly_and_carries_the_story(client, newsroom, url, version):
    response, feed = parse(client, url)

    assert feed.version == version
    expected_type = "application/rss+xml" if version == "rss20" else "application/atom+xml"
    assert response["Content-Type"].startswith(expected_type)
    assert [entry.title for entry in feed.entries] == ["Talks resume in Vienna"]
    entry = feed.entries[0]
    assert entry.link == "http://testserver/politics/talks-resume-in-vienna/"
    assert entry.id == f"tag:testserver,{newsroom.story.published_at:%Y-%m-%d}:story:" + str(
        newsroom.story.pk
    )
    assert entry.author == "Nima Sadeghi and IFP Editorial Staff"
    assert [tag.term for tag in entry.tags] == ["Iran"]


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_items_carry_publication_and_update_times(client, newsroom, url):
    later = newsroom.story.published_at + timedelta(minutes=40)
    Story.objects.filter(pk=newsroom.story.pk).update(updated_at=later)

    _, feed = parse(client, url)

    entry = feed.entries[0]
    published = newsroom.story.published_at.replace(microsecond=0)
    assert entry.published_parsed[:6] == published.utctimetuple()[:6]
    assert entry.updated_parsed[:6] == later.replace(microsecond=0).utctimetuple()[:6]


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_lead_image_is_an_enclosure_and_media_content(client, newsroom, url):
    _, feed = parse(client, url)

    entry = feed.entries[0]
    image_url = "http://testserver" + newsroom.image.file.url
    enclosure = next(link for link in entry.links if link.rel == "enclosure")
    assert enclosure.href == image_url
    assert enclosure.type == "image/png"
    assert int(enclosure.length) == newsroom.image.file.size > 0
    media = entry.media_content[0]
    assert media["url"] == image_url
    assert media["medium"] == "image"
    assert (media["width"], media["height"]) == ("40", "24")


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_full_content_or_summary_as_configured(client, newsroom, settings, url):
    _, full = parse(client, url)
    assert "<p>Second paragraph.</p>" in full.entries[0].content[0].value
    assert full.entries[0].summary == "Negotiators return to the table."

    settings.FEED_FULL_CONTENT = False
    _, summary_only = parse(client, url)
    contents = [part.value for part in summary_only.entries[0].get("content", [])]
    assert not any("Second paragraph" in text for text in contents)
    assert summary_only.entries[0].summary == "Negotiators return to the table."


def test_guids_survive_an_update_and_a_new_slug(client, newsroom):
    _, before = parse(client, "/feed/")
    _, before_atom = parse(client, "/feed/atom/")

    publish_update(newsroom, newsroom.story, headline="Talks resume in Vienna, then stall")
    change_story_slug(newsroom.editor, Story.objects.get(pk=newsroom.story.pk), "vienna-talks")
    _, after = parse(client, "/feed/")
    _, after_atom = parse(client, "/feed/atom/")

    assert after.entries[0].id == before.entries[0].id
    assert after_atom.entries[0].id == before_atom.entries[0].id
    assert after.entries[0].title == "Talks resume in Vienna, then stall"
    assert after.entries[0].link == "http://testserver/politics/vienna-talks/"
    assert after_atom.entries[0].updated_parsed > before_atom.entries[0].updated_parsed


def test_guids_name_the_site_url_when_set(client, newsroom, settings):
    settings.SITE_URL = "https://news.example"

    _, feed = parse(client, "/feed/")

    assert feed.entries[0].id.startswith("tag:news.example,")
    assert feed.entries[0].link == "https://news.example/politics/talks-resume-in-vienna/"
    assert feed.feed.link == "https://news.example/"


def test_feeds_carry_the_newest_stories_up_to_the_configured_number(client, newsroom, settings):
    settings.FEED_ITEMS = 3
    for hours in range(5):
        make_story(f"Older story {hours}", desk=newsroom.desk, age=timedelta(hours=3 + hours))
    make_story("Newest story", desk=newsroom.desk, age=timedelta(minutes=5))

    _, feed = parse(client, "/politics/feed.xml")

    titles = [entry.title for entry in feed.entries]
    assert titles == ["Newest story", "Talks resume in Vienna", "Older story 0"]


def test_section_feeds_hold_only_their_section(client, newsroom):
    other = make_author("Parisa Ahmadi")
    make_story("Somebody else's story", desk=newsroom.desk, authors=[other])

    _, author_feed = parse(client, "/author/nima-sadeghi/feed.xml")
    _, desk_feed = parse(client, "/politics/feed.xml")

    assert [entry.title for entry in author_feed.entries] == ["Talks resume in Vienna"]
    assert len(desk_feed.entries) == 2
    assert author_feed.feed.title == "Nima Sadeghi — Iran Front Page"


@pytest.mark.parametrize(
    "url",
    [
        "/nowhere/feed.xml",
        "/author/nobody/feed.xml",
        "/tag/nothing/atom.xml",
        "/label/none/feed.xml",
    ],
)
def test_feeds_of_unknown_sections_answer_404(client, newsroom, url):
    assert client.get(url).status_code == 404


def test_an_inactive_author_has_no_feed(client, newsroom):
    newsroom.reporter.is_active = False
    newsroom.reporter.save()

    assert client.get("/author/nima-sadeghi/feed.xml").status_code == 404


def test_a_story_slugged_feed_keeps_its_address_beside_the_desk_feed(client, newsroom):
    story = make_story("Feed", desk=newsroom.desk)
    assert story.slug == "feed"

    assert "<h1" in client.get("/politics/feed/").content.decode()
    assert client.get("/politics/feed.xml")["Content-Type"].startswith("application/rss+xml")


def test_hostile_text_stays_text(client, newsroom):
    make_story(
        "</title><script>alert(1)</script> & more",
        desk=newsroom.desk,
        dek="<img src=x onerror=alert(1)>",
        age=timedelta(minutes=1),
    )

    for url in ("/feed/", "/feed/atom/"):
        response, feed = parse(client, url)
        assert feed.entries[0].title == "</title><script>alert(1)</script> & more"
        assert b"<script>" not in response.content


def test_a_story_without_image_or_byline_is_a_valid_item(client, newsroom):
    make_story("Bare story", desk=newsroom.desk, age=timedelta(minutes=1))

    for url in ("/feed/", "/feed/atom/"):
        _, feed = parse(client, url)
        bare = feed.entries[0]
        assert bare.title == "Bare story"
        assert not [link for link in bare.links if link.rel == "enclosure"]


def test_feed_items_follow_publication_time_not_edits(client, newsroom):
    second = make_story("Second story", desk=newsroom.desk, age=timedelta(hours=1))
    Story.objects.filter(pk=newsroom.story.pk).update(updated_at=timezone.now())

    _, feed = parse(client, "/feed/")

    assert [entry.title for entry in feed.entries] == [second.headline, "Talks resume in Vienna"]


def test_a_story_image_of_unknown_size_still_makes_a_feed(client, newsroom):
    image = make_image("Lost file")
    image.file.storage.delete(image.file.name)
    make_story("Story with a lost image", desk=newsroom.desk, lead_image=image, age=timedelta(0))

    _, feed = parse(client, "/feed/")

    enclosure = next(link for link in feed.entries[0].links if link.rel == "enclosure")
    assert enclosure.length == "0"


def test_feeds_answer_get_and_head_only(client, newsroom):
    assert client.head("/feed/").status_code == 200
    assert client.put("/feed/").status_code == 405


# Section feeds start where the section's newest story is (sitemaps.section_summaries).


@pytest.mark.parametrize(
    "url",
    [
        "/tag/pending/feed.xml",
        "/tag/pending/atom.xml",
        "/label/pending-kind/feed.xml",
        "/label/pending-kind/atom.xml",
    ],
)
def test_a_tag_with_no_live_story_has_no_feed_until_one_is_published(client, newsroom, url):
    from masthead.factories import make_label, make_tag
    from masthead.stories import services

    tag, label = make_tag("Pending"), make_label("Pending kind")
    draft = make_story(
        "Draft about the pending topic",
        desk=newsroom.desk,
        tags=[tag],
        label=label,
        status=Story.Status.READY,
        age=None,
    )
    services.snapshot_revision(draft)
    unknown = client.get("/tag/never-existed/feed.xml")
    # Exactly like a tag that does not exist: its name is not announced (F3).
    hidden = client.get(url)
    assert (hidden.status_code, hidden.content) == (404, unknown.content)
    assert b"Pending" not in hidden.content

    services.publish_story(newsroom.editor, draft)

    assert [entry.title for entry in parse(client, url)[1].entries] == [draft.headline]


def test_a_scheduled_story_joins_the_feeds_of_its_sections_at_its_time(
    client, newsroom, time_machine
):

    from masthead.stories import services

    story = make_story(
        "Scheduled analysis",
        desk=newsroom.desk,
        tags=[newsroom.tag],
        authors=[newsroom.reporter],
        label=newsroom.label,
        status=Story.Status.READY,
        age=None,
    )
    services.snapshot_revision(story)
    when = timezone.now() + timedelta(minutes=5)
    services.schedule_story(newsroom.editor, story, when)
    feeds = ["/tag/iran/feed.xml", "/author/nima-sadeghi/atom.xml", "/label/analysis/feed.xml"]
    for url in feeds:
        assert "Scheduled analysis" not in [entry.title for entry in parse(client, url)[1].entries]

    time_machine.move_to(when + timedelta(seconds=1))

    for url in feeds:
        assert parse(client, url)[1].entries[0].title == "Scheduled analysis", url


# Items kept by story version (``KeptItems``): a publish makes one new item.


@pytest.fixture
def made_items(monkeypatch):
    """The ids of the stories whose items each feed render made (not taken from the cache)."""
    from masthead.site.feeds import StoryFeed

    made: list[list[int]] = []
    items = StoryFeed.items

    def recording(self, section):
        made.append(sorted(self.making))
        return items(self, section)

    monkeypatch.setattr(StoryFeed, "items", recording)
    return made


def _fresh(client, settings, url: str) -> bytes:
    """The feed rendered with no cache at all (keys of one's own, not ``clear()``: tests
    running at once may share one Redis)."""
    kept = settings.CACHES
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    try:
        return client.get(url).content
    finally:
        settings.CACHES = kept


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_a_publish_makes_only_the_new_storys_item_and_the_feed_is_a_fresh_renders(
    client, settings, newsroom, made_items, url
):
    from masthead.stories import services

    older = make_story("Oil exports rise", desk=newsroom.desk, authors=[newsroom.reporter])
    client.get(url)
    draft = make_story(
        "Parliament votes on the budget",
        desk=newsroom.desk,
        authors=[newsroom.reporter],
        status=Story.Status.READY,
        age=None,
    )
    services.snapshot_revision(draft)
    services.publish_story(newsroom.editor, draft)
    made_items.clear()

    kept = client.get(url).content

    assert made_items == [[draft.pk]]
    assert kept == _fresh(client, settings, url)
    titles = [entry.title for entry in feedparser.parse(kept).entries]
    assert titles == [draft.headline, older.headline, "Talks resume in Vienna"]


def test_every_feed_of_one_kind_shares_the_items(client, newsroom, made_items):
    _, site = parse(client, "/feed/")
    made_items.clear()

    for url in ("/politics/feed.xml", "/tag/iran/feed.xml", "/author/nima-sadeghi/feed.xml"):
        assert parse(client, url)[1].entries == site.entries, url
    assert made_items == [[], [], []]

    # An Atom entry is another piece: other XML.
    parse(client, "/politics/atom.xml")
    assert made_items[-1] == [newsroom.story.pk]


def test_a_story_gone_between_the_list_and_its_item_is_left_out(client, newsroom, monkeypatch):
    from masthead.site.feeds import StoryFeed

    gone = make_story(
        "Withdrawn a moment ago", desk=newsroom.desk, authors=[newsroom.reporter], age=timedelta(0)
    )
    listed = StoryFeed._listed

    def listed_then_withdrawn(self, section):
        rows = listed(self, section)
        Story.objects.filter(pk=gone.pk).update(status=Story.Status.WITHDRAWN)
        return rows

    monkeypatch.setattr(StoryFeed, "_listed", listed_then_withdrawn)

    for url in ("/feed/", "/feed/atom/"):
        Story.objects.filter(pk=gone.pk).update(status=Story.Status.PUBLISHED)
        _, feed = parse(client, url)
        assert [entry.title for entry in feed.entries] == ["Talks resume in Vienna"]
        # The feed's own date is its items', not the gone story's.
        newest = newsroom.story.updated_at or newsroom.story.published_at
        assert (feed.feed.get("updated_parsed") or feed.feed.get("published_parsed"))[:6] == (
            newest.utctimetuple()[:6]
        )


def test_an_update_and_a_renamed_author_remake_the_item(client, newsroom, made_items):
    client.get("/feed/")
    publish_update(newsroom, newsroom.story, headline="Talks resume in Vienna, then stall")
    made_items.clear()

    assert parse(client, "/feed/")[1].entries[0].title == "Talks resume in Vienna, then stall"
    assert made_items == [[newsroom.story.pk]]

    newsroom.reporter.name = "Nima Sadeghi-Rad"
    newsroom.reporter.save()
    made_items.clear()

    entry = parse(client, "/feed/")[1].entries[0]
    assert entry.author == "Nima Sadeghi-Rad and IFP Editorial Staff"
    assert made_items == [[newsroom.story.pk]]
