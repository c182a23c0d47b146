"""RSS 2.0 and Atom 1.0 feeds of the whole site, each desk, author, tag and label.

Built on Django's syndication framework (``django.contrib.syndication``); the
two feed generators below add what a news feed needs and Django's do not
write: the lead image and the body's figures (``media/figures.py``) as Media
RSS ``media:content`` elements (besides the enclosures Django writes: one in
RSS, the lead image or else the first figure; all of them in Atom), the full
story as ``content:encoded`` (RSS) or ``content`` (Atom) when
``FEED_FULL_CONTENT`` is on, and the time of the last public update in RSS
items (``atom:updated``; Atom has ``updated``).

Stories come from ``Story.objects.live()`` only. Each item's GUID is a tag URI
made of the site's host, the day the story was first published and its id
(``tag:news.example,2026-11-25:story:42``): neither an update nor a new slug
changes it. Addresses are in docs/distribution.md.
"""

from __future__ import annotations

import copy
import io
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.db.models import Prefetch, QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponsePermanentRedirect,
)
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed, rfc3339_date
from django.utils.html import escape
from django.utils.translation import gettext
from django.utils.xmlutils import SimplerXMLGenerator

from masthead.media import figures
from masthead.media.models import Image
from masthead.newsroom.author_names import byline_sentence
from masthead.newsroom.editions import Edition, default_edition
from masthead.newsroom.models import Author, Desk, Outlet
from masthead.site.absolute_urls import absolute_url, site_host
from masthead.site.editions import edition_of
from masthead.site.fragments import fragments_for
from masthead.site.http import finish_public_response, surrogate_keys
from masthead.site.selectors import is_carried_by_live_story, moved_tag, outlet_of
from masthead.site.sitemaps import section_summaries
from masthead.site.summaries import story_summary
from masthead.stories import versions
from masthead.stories.models import Byline, Label, Story, Tag
from masthead.stories.versions import front_scope

logger = logging.getLogger(__name__)

MEDIA_RSS = "http://search.yahoo.com/mrss/"
CONTENT_MODULE = "http://purl.org/rss/1.0/modules/content/"
IMAGE_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
IMAGE_TYPES.update(gif="image/gif", avif="image/avif")


def _add_media_content(handler, item: dict) -> None:
    for media in item.get("media") or ():
        _add_one_media_content(handler, media)


def _add_one_media_content(handler, media: dict) -> None:
    attributes = {
        "url": media["url"],
        "type": media["type"],
        "medium": "image",
        "width": str(media["width"]),
        "height": str(media["height"]),
    }
    if media["size"]:
        attributes["fileSize"] = str(media["size"])
    handler.startElement("media:content", attributes)
    if media["alt"]:
        handler.addQuickElement("media:description", media["alt"], {"type": "plain"})
    if media["credit"]:
        handler.addQuickElement("media:credit", media["credit"])
    handler.endElement("media:content")


class KeptItems:
    """A feed generator whose items are written from pieces kept by story version.

    ``StoryFeed`` reads its list (ids, dates, versions) first, has Django's
    loop make only the items it does not keep, and hands the generator every
    item's XML in the list's order (``use_kept``). An item says the same in
    every feed of one kind (RSS or Atom), so the site's, a desk's and an
    author's feeds share the piece. Without ``use_kept``, a plain generator.
    """

    listed: list[tuple[int, datetime, datetime]] | None = None
    kept: dict[int, str]

    def use_kept(self, listed, kept: dict[int, str]) -> None:
        """``listed``: (id, published, last public update) of each story, newest first;
        ``kept``: the XML of each one's item (none for a story gone between two reads)."""
        self.listed, self.kept = listed, kept

    def item_xml(self, item: dict) -> str:
        """The generator's own writing of one item, as a string."""
        buffer = io.StringIO()
        handler = SimplerXMLGenerator(buffer, "utf-8", short_empty_elements=True)
        every, self.items = self.items, [item]
        try:
            super().write_items(handler)
        finally:
            self.items = every
        return buffer.getvalue()

    def write_items(self, handler) -> None:
        if self.listed is None:
            super().write_items(handler)
            return
        for pk, _published, _updated in self.listed:
            if pk in self.kept:  # a story withdrawn between the two reads has none
                # Written as it stands: it is XML this generator wrote.
                handler.ignorableWhitespace(self.kept[pk])

    def latest_post_date(self):
        dates = [
            max(published, updated)
            for pk, published, updated in self.listed or ()
            if pk in self.kept
        ]
        return max(dates) if dates else super().latest_post_date()


class NewsRssFeed(KeptItems, Rss201rev2Feed):
    """RSS 2.0 with Media RSS, ``content:encoded`` and the update time of each item."""

    def rss_attributes(self) -> dict:
        attributes = super().rss_attributes()
        attributes["xmlns:media"] = MEDIA_RSS
        attributes["xmlns:content"] = CONTENT_MODULE
        return attributes

    def add_item_elements(self, handler, item: dict) -> None:
        super().add_item_elements(handler, item)
        if item["updateddate"] is not None:
            handler.addQuickElement("atom:updated", rfc3339_date(item["updateddate"]))
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])
        _add_media_content(handler, item)


class NewsAtomFeed(KeptItems, Atom1Feed):
    """Atom 1.0 with Media RSS and the full story as ``content``."""

    def root_attributes(self) -> dict:
        attributes = super().root_attributes()
        attributes["xmlns:media"] = MEDIA_RSS
        return attributes

    def add_item_elements(self, handler, item: dict) -> None:
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})
        _add_media_content(handler, item)


@dataclass
class FeedSection:
    """What one feed covers: its title, its page and its stories."""

    title: str
    description: str
    page_path: str
    stories: QuerySet[Story]
    publisher: str
    scope: str  # the content scope whose changes change this feed (stories/versions.py)


SCOPES = ("site", "desk", "author", "tag", "label")
# Sections without an index of their own in publication order (a desk has one).
SCANNED_SECTIONS = ("author", "tag", "label")


def feed_section(
    scope: str,
    slug: str | None = None,
    edition: Edition | None = None,
    outlet: Outlet | None = None,
) -> FeedSection:
    """The section ``scope``/``slug`` names in ``edition`` (the default one if none), or Http404.

    A feed lists its edition's stories only: ``/fa/feed/`` the Persian edition's,
    ``/fa/tag/iran/feed.xml`` its stories tagged Iran; a desk's feed is at its
    own edition's root only.
    """
    outlet = outlet or Outlet.current()
    edition = edition or default_edition()
    live = Story.objects.live().in_edition(edition.pk)
    publisher = edition.name_with(outlet)
    if scope == "site":
        about = edition.tagline_with(outlet) or gettext(
            "The latest stories from %(publisher)s."
        ) % {"publisher": publisher}
        front = front_scope(edition.pk)
        return FeedSection(publisher, about, reverse("site:home"), live, publisher, front)
    if scope == "desk":
        desk = get_object_or_404(Desk, slug=slug, edition_id=edition.pk)
        name, page, stories = desk.name, desk.get_absolute_url(), live.filter(desk=desk)
        about = desk.description or gettext("The latest %(desk)s stories from %(publisher)s.") % {
            "desk": desk.name,
            "publisher": publisher,
        }
        version_scope = f"desk:{desk.pk}"
    elif scope == "author":
        author = get_object_or_404(Author, slug=slug, is_active=True)
        name, page = author.shown.name, author.get_absolute_url()
        stories = live.filter(bylines__author=author)
        about = gettext("Stories by %(name)s in %(publisher)s.") % {
            "name": name,
            "publisher": publisher,
        }
        version_scope = f"author:{author.pk}"
    elif scope == "tag":
        tag = get_object_or_404(Tag, slug=slug)
        if not is_carried_by_live_story(tag):
            raise Http404("No such feed.")
        name, page, stories = tag.name, tag.get_absolute_url(), live.filter(tags=tag)
        about = gettext("Stories about %(tag)s in %(publisher)s.") % {
            "tag": tag.name,
            "publisher": publisher,
        }
        version_scope = f"tag:{tag.pk}"
    elif scope == "label":
        label = get_object_or_404(Label, slug=slug)
        if not is_carried_by_live_story(label):
            raise Http404("No such feed.")
        name, page = (
            label.name_in(edition.language),
            reverse("site:label", kwargs={"slug": label.slug}),
        )
        stories = live.of_label(label)
        about = gettext("%(label)s stories from %(publisher)s.") % {
            "label": name,
            "publisher": publisher,
        }
        version_scope = f"label:{label.pk}"
    else:
        raise Http404("No such feed.")
    title = f"{name} — {publisher}"
    return FeedSection(title, about, page, stories, publisher, version_scope)


def story_guid(story: Story, request: HttpRequest | None = None) -> str:
    """The story's permanent id in feeds: a tag URI (RFC 4151) that no edit changes."""
    first_published = story.published_at.astimezone(UTC).date().isoformat()
    return f"tag:{site_host(request)},{first_published}:story:{story.pk}"


def image_size(image: Image) -> int:
    """The stored file's size in bytes, remembered (file names never change)."""
    key = f"image-size:{image.file.name}"
    size = cache.get(key)
    if size is None:
        try:
            size = image.file.size
        except OSError as error:
            # A feed with one image of unknown size beats no feed: RSS allows length 0.
            logger.warning("Cannot read the size of image %s: %s", image.pk, error)
            return 0
        cache.set(key, size, None)
    return size


def image_type(image: Image) -> str:
    suffix = image.file.name.rsplit(".", 1)[-1].lower()
    return IMAGE_TYPES.get(suffix, "application/octet-stream")


class StoryFeed(Feed):
    """One feed: ``StoryFeed("desk", atom=True)`` is every desk's Atom feed."""

    item_guid_is_permalink = False

    def __init__(self, scope: str, atom: bool = False) -> None:
        if scope not in SCOPES:
            raise ValueError(f"Unknown feed scope {scope!r}")
        self.scope = scope
        self.feed_type = NewsAtomFeed if atom else NewsRssFeed
        self.request: HttpRequest | None = None
        self.making: list[int] = []  # the ids whose items Django's loop makes (get_feed)

    def __call__(self, request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        moved = self._moved_tag(request, kwargs.get("slug"))
        if moved is not None:
            return finish_public_response(request, moved)
        # One instance serves every request: bind the request to a copy.
        bound = copy.copy(self)
        bound.request = request
        response = Feed.__call__(bound, request, *args, **kwargs)
        surrogate_keys(response, bound.section.scope)
        return finish_public_response(request, response)

    def _moved_tag(self, request, slug: str | None) -> HttpResponse | None:
        """A 301 from the feed of a tag's old slug (renamed or merged) to its feed now."""
        if self.scope != "tag" or Tag.objects.filter(slug=slug).exists():
            return None
        tag = moved_tag(slug)
        if tag is None:
            return None
        address = reverse(request.resolver_match.view_name, kwargs={"slug": tag.slug})
        return surrogate_keys(HttpResponsePermanentRedirect(address), f"tag:{tag.pk}")

    def get_object(self, request, slug: str | None = None, desk_slug: str | None = None):
        edition = edition_of(request)
        # The outlet from the cache of the current ``site`` version, as the pages read it.
        outlet = outlet_of(request)
        self.section = feed_section(self.scope, slug or desk_slug, edition, outlet)
        # RSS <language> and Atom xml:lang: the edition's.
        self.language = edition.language
        return self.section

    # The feed --------------------------------------------------------------

    def title(self, section: FeedSection) -> str:
        return section.title

    def description(self, section: FeedSection) -> str:
        return section.description

    def subtitle(self, section: FeedSection) -> str:
        return section.description

    def link(self, section: FeedSection) -> str:
        return absolute_url(section.page_path, self.request)

    def feed_url(self, section: FeedSection) -> str:
        return absolute_url(self.request.path, self.request)

    def feed_guid(self, section: FeedSection) -> str:
        return self.feed_url(section)

    def author_name(self, section: FeedSection) -> str:
        return section.publisher

    def get_feed(self, obj: FeedSection, request: HttpRequest):
        """Django's feed, its items taken from the pieces kept by story version where
        they are (``KeptItems``, ``fragments.PageFragments.pieces``)."""
        listed = self._listed(obj)
        made = []

        def produce(missing: list[int]) -> dict[int, str]:
            self.making = missing
            made.append(feed := super(StoryFeed, self).get_feed(obj, request))
            return {item["story_pk"]: feed.item_xml(item) for item in feed.items}

        kind = "atom" if self.feed_type is NewsAtomFeed else "rss"
        versions_of = {pk: version for pk, _published, _updated, version in listed}
        vary = (kind, settings.FEED_FULL_CONTENT)
        kept = fragments_for(request).pieces("feed-item", versions_of, produce, vary)
        if not made:  # every item was kept: the feed's own elements still come from Django
            produce([])
        feed = made[0]
        feed.use_kept([(pk, published, updated) for pk, published, updated, _ in listed], kept)
        return feed

    def _listed(self, section: FeedSection) -> list[tuple[int, datetime, datetime, int]]:
        """(id, published, last public update, version) of the stories the feed lists."""
        stories = section.stories
        kind, _, pk = section.scope.partition(":")
        if kind in SCANNED_SECTIONS:
            # These feeds walk the public index newest first until they have
            # FEED_ITEMS stories of the section: a section with no live story,
            # or only old ones, would walk the whole archive (2.3 s at a
            # million stories). Its cached summary says whether it has any and
            # where its newest is.
            summary = section_summaries(kind, [int(pk)])[int(pk)]
            if not summary.count:
                return []
            stories = stories.filter(published_at__lte=summary.newest)
        rows = (
            stories.newest_first()
            .annotate(version=versions.story_counter())
            .values_list("pk", "published_at", "updated_at", "version")[: settings.FEED_ITEMS]
        )
        return [
            (pk, published, updated or published, version)
            for pk, published, updated, version in rows
        ]

    def items(self, section: FeedSection):
        """The stories whose items are being made (``get_feed``), with all an item shows."""
        stories = (
            section.stories.filter(pk__in=self.making)
            .select_related("desk", "label", "lead_image")
            .prefetch_related(
                Prefetch("bylines", queryset=Byline.objects.select_related("author")), "tags"
            )
            .newest_first()
        )
        found = list(stories)
        # The images of each body's figures, with one query for the whole feed.
        in_bodies = figures.images_of_bodies({story.pk: story.body for story in found})
        for story in found:
            story.body_images = in_bodies[story.pk]
        return found

    def _pictures(self, story: Story) -> list[Image]:
        """The lead image, then the body's (each once): what the item's media name."""
        lead = story.lead_image if story.lead_image is not None and story.lead_image.file else None
        shown = [lead] if lead else []
        body = getattr(story, "body_images", None)
        if body is None:
            body = figures.images_in(story.body)
        return shown + [image for image in body if lead is None or image.pk != lead.pk]

    # Each story ------------------------------------------------------------

    def item_title(self, story: Story) -> str:
        return story.headline

    def item_description(self, story: Story) -> str:
        # Readers take the description as HTML: the plain-text summary, escaped.
        return escape(story_summary(story))

    def item_link(self, story: Story) -> str:
        return absolute_url(story.get_absolute_url(), self.request)

    def item_guid(self, story: Story) -> str:
        return story_guid(story, self.request)

    def item_pubdate(self, story: Story):
        return story.published_at

    def item_updateddate(self, story: Story):
        return story.updated_at or story.published_at

    def item_author_name(self, story: Story) -> str | None:
        names = [byline.author.shown.name for byline in story.ordered_bylines()]
        # In the feed's language, as the bylines on its pages: “الف، ب و پ”.
        return byline_sentence(names) if names else None

    def item_author_link(self, story: Story) -> str | None:
        bylines = story.ordered_bylines()
        if not bylines:
            return None
        return absolute_url(bylines[0].author.get_absolute_url(), self.request)

    def item_categories(self, story: Story) -> list[str]:
        return [tag.name for tag in story.tags.all()]

    def item_enclosures(self, story: Story) -> list[Enclosure]:
        # RSS allows one enclosure per item (the lead image, else the first
        # figure); Atom any number of rel="enclosure" links.
        pictures = self._pictures(story)
        if self.feed_type is not NewsAtomFeed:
            pictures = pictures[:1]
        return [
            Enclosure(absolute_url(image.file.url, self.request), str(image_size(image)),
                      image_type(image))
            for image in pictures
        ]  # fmt: skip

    def item_extra_kwargs(self, story: Story) -> dict:
        extra = {"story_pk": story.pk}
        if settings.FEED_FULL_CONTENT and story.body:
            extra["content_html"] = story.body
        extra["media"] = [
            {
                "url": absolute_url(image.file.url, self.request),
                "type": image_type(image),
                "width": image.width,
                "height": image.height,
                "size": image_size(image),
                "alt": image.shown_alt,
                "credit": image.credit,
            }
            for image in self._pictures(story)
        ]
        return extra
