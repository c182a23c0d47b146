"""Sitemaps: an index, one sitemap per month of stories, desks, authors, tags,
labels, the outlet's own pages, and a Google News sitemap.

Built on Django's ``django.contrib.sitemaps`` (its ``Sitemap`` classes, its
``sitemap`` view with ``?p=`` pagination and its index template). What is our
own, and why:

* The **index** is one aggregate query over ``Story.objects.live()`` grouped by
  month (how many stories, and the last public update, per month), not
  Django's ``index`` view, which asks every section for its count and its
  newest ``lastmod`` — two queries per month of archive, and a scan of every
  item for ``lastmod``.
* **Bounded memory.** Each sitemap file lists at most
  ``SITEMAP_URLS_PER_FILE`` addresses (10,000 by default, never more than the
  protocol's 50,000; 10,000 story entries with images are about 3 MB, far
  below its 50 MB). Its rows are read as plain values (``.values()``), one page
  with one LIMIT/OFFSET query, so serving any file of a million-story archive
  holds one page in memory, never the archive.
* **Image entries** (``image:image``, the lead image) and the **Google News**
  entries (``news:news``) that Django's template does not write.

Every story read starts at ``Story.objects.live()``; ``lastmod`` is the last
public update (``updated_at``), never the internal ``modified_at``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.files.storage import default_storage
from django.db.models import Count, Max, QuerySet
from django.db.models.functions import Coalesce, TruncMonth
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from masthead.newsroom.models import Author, Desk, Outlet, PolicyPage
from masthead.site.absolute_urls import absolute_url
from masthead.site.http import public_response, surrogate_keys
from masthead.stories.models import Label, Story, Tag
from masthead.stories.versions import FRONT

# Google News takes the stories of the last two days, at most 1,000 a sitemap.
NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1000
MONTH_SECTION = re.compile(r"^stories-(?P<year>\d{4})-(?P<month>\d{2})$")


def _last_public_update():
    return Coalesce("updated_at", "published_at")


class SiteSitemap(Sitemap):
    """A Django sitemap whose addresses honour ``SITE_URL`` and whose files stay small."""

    def __init__(self) -> None:
        self.limit = settings.SITEMAP_URLS_PER_FILE

    def get_protocol(self, protocol: str | None = None) -> str:
        if settings.SITE_URL:
            return urlsplit(settings.SITE_URL).scheme
        return super().get_protocol(protocol)

    def get_domain(self, site=None) -> str:
        if settings.SITE_URL:
            return urlsplit(settings.SITE_URL).netloc
        return super().get_domain(site)

    def lastmod(self, item: dict):
        return item.get("lastmod")


def _story_path(item: dict) -> str:
    return reverse("site:story", kwargs={"desk_slug": item["desk__slug"], "slug": item["slug"]})


class StoryMonthSitemap(SiteSitemap):
    """The live stories first published in one calendar month (UTC), oldest first."""

    def __init__(self, year: int, month: int) -> None:
        super().__init__()
        self.start = datetime(year, month, 1, tzinfo=UTC)
        self.end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)

    def items(self) -> QuerySet:
        return (
            Story.objects.live()
            .filter(published_at__gte=self.start, published_at__lt=self.end)
            .order_by("published_at", "pk")
            .values("pk", "slug", "desk__slug", "lead_image__file")
            .annotate(lastmod=_last_public_update())
        )

    def location(self, item: dict) -> str:
        return _story_path(item)

    def get_urls(self, page=1, site=None, protocol=None) -> list[dict]:
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        root = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        for url in urls:
            image = url["item"]["lead_image__file"]
            url["images"] = [_image_url(image, root)] if image else []
        return urls


def _image_url(name: str, root: str) -> str:
    address = default_storage.url(name)
    return address if address.startswith(("https://", "http://")) else root + address


class NewsSitemap(SiteSitemap):
    """Google News: live stories first published in the last 48 hours, newest first."""

    def __init__(self, publication_name: str, now: datetime | None = None) -> None:
        super().__init__()
        self.limit = NEWS_LIMIT
        self.publication_name = publication_name
        self.now = now or timezone.now()

    def items(self) -> QuerySet:
        stories = (
            Story.objects.live(self.now)
            .filter(published_at__gte=self.now - NEWS_WINDOW)
            .order_by("-published_at", "-pk")
            .values("pk", "slug", "desk__slug", "headline", "language", "published_at")
            .annotate(lastmod=_last_public_update())
        )
        return stories[:NEWS_LIMIT]

    def location(self, item: dict) -> str:
        return _story_path(item)

    def get_urls(self, page=1, site=None, protocol=None) -> list[dict]:
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            url["publication_name"] = self.publication_name
            url["language"] = news_language(url["item"]["language"])
        return urls


def news_language(code: str) -> str:
    """A story's language as Google News wants it: ISO 639 (``en``), or zh-cn / zh-tw."""
    code = (code or settings.LANGUAGE_CODE).lower().replace("_", "-")
    if code in ("zh-cn", "zh-hans", "zh-sg", "zh-hans-cn"):
        return "zh-cn"
    if code in ("zh-tw", "zh-hant", "zh-hk", "zh-hant-tw"):
        return "zh-tw"
    return code.split("-")[0]


class DeskSitemap(SiteSitemap):
    """Every desk's section page (a handful of rows), with its last public update."""

    def items(self) -> list[dict]:
        last = _with_live_stories(Desk.objects.all(), "stories")
        by_desk = {row["slug"]: row["lastmod"] for row in last}
        return [
            {"slug": slug, "lastmod": by_desk.get(slug)}
            for slug in Desk.objects.order_by("position", "pk").values_list("slug", flat=True)
        ]

    def location(self, item: dict) -> str:
        return reverse("site:desk", kwargs={"desk_slug": item["slug"]})


def _with_live_stories(rows: QuerySet, relation: str) -> QuerySet:
    """``rows`` that have a live story through ``relation``, with their last public update.

    Filtering before annotating makes the maximum count live stories only.
    """
    live = Story.objects.live()
    return (
        rows.filter(**{f"{relation}__in": live})
        .annotate(
            lastmod=Max(
                Coalesce(f"{relation}__updated_at", f"{relation}__published_at"),
            )
        )
        .order_by("pk")
        .values("slug", "lastmod")
    )


class AuthorSitemap(SiteSitemap):
    def items(self) -> QuerySet:
        return _with_live_stories(Author.objects.filter(is_active=True), "stories")

    def location(self, item: dict) -> str:
        return reverse("site:author", kwargs={"slug": item["slug"]})


class TagSitemap(SiteSitemap):
    def items(self) -> QuerySet:
        return _with_live_stories(Tag.objects.all(), "stories")

    def location(self, item: dict) -> str:
        return reverse("site:tag", kwargs={"slug": item["slug"]})


class LabelSitemap(SiteSitemap):
    def items(self) -> QuerySet:
        live = Story.objects.live()
        last = (
            live.filter(label__isnull=False)
            .values("label_id")
            .annotate(lastmod=Max(_last_public_update()))
            .order_by()
        )
        by_label = {row["label_id"]: row["lastmod"] for row in last}
        return [
            {"slug": slug, "lastmod": by_label[pk]}
            for pk, slug in Label.objects.order_by("position", "pk").values_list("pk", "slug")
            if pk in by_label
        ]

    def location(self, item: dict) -> str:
        return reverse("site:label", kwargs={"slug": item["slug"]})


class PageSitemap(SiteSitemap):
    """The home page, the masthead, corrections and the published policy pages."""

    def items(self) -> list[dict]:
        latest = Story.objects.live().aggregate(last=Max(_last_public_update()))["last"]
        pages = [
            {"path": reverse("site:home"), "lastmod": latest},
            {"path": reverse("site:masthead"), "lastmod": None},
            {"path": reverse("site:corrections"), "lastmod": None},
        ]
        for policy in PolicyPage.objects.published().only("slug", "updated_at"):
            pages.append({"path": policy.get_absolute_url(), "lastmod": policy.updated_at})
        return pages

    def location(self, item: dict) -> str:
        return item["path"]


FIXED_SECTIONS = {
    "pages": PageSitemap,
    "desks": DeskSitemap,
    "authors": AuthorSitemap,
    "tags": TagSitemap,
    "labels": LabelSitemap,
}


def sitemap_for(section: str, publication_name: str = "") -> SiteSitemap | None:
    """The sitemap a section name stands for (``stories-2026-11``, ``tags`` …), or None."""
    if section == "news":
        return NewsSitemap(publication_name)
    if section in FIXED_SECTIONS:
        return FIXED_SECTIONS[section]()
    found = MONTH_SECTION.match(section)
    if found is None:
        return None
    year, month = int(found["year"]), int(found["month"])
    if not 1 <= month <= 12 or year < 1:
        return None
    return StoryMonthSitemap(year, month)


# Views -----------------------------------------------------------------------


@dataclass
class IndexEntry:
    location: str
    last_mod: datetime | None


def story_months() -> list[dict]:
    """Every month with live stories: its first day, story count and last public update."""
    return list(
        Story.objects.live()
        .annotate(month=TruncMonth("published_at", tzinfo=UTC))
        .values("month")
        .annotate(count=Count("pk"), lastmod=Max(_last_public_update()))
        .order_by("-month")
    )


def _entries(request, section: str, pages: int, last_mod) -> list[IndexEntry]:
    location = absolute_url(reverse("site:sitemap", kwargs={"section": section}), request)
    entries = [IndexEntry(location, last_mod)]
    entries += [IndexEntry(f"{location}?p={page}", last_mod) for page in range(2, pages + 1)]
    return entries


@require_safe
@public_response
def index(request):
    """``/sitemap.xml``: every sitemap file of the site."""
    months = story_months()
    latest = max((month["lastmod"] for month in months), default=None)
    limit = settings.SITEMAP_URLS_PER_FILE
    policy_update = PolicyPage.objects.published().aggregate(last=Max("updated_at"))["last"]
    entries = _entries(
        request, "pages", 1, max(filter(None, [latest, policy_update]), default=None)
    )
    if NewsSitemap("").items().exists():
        entries += _entries(request, "news", 1, latest)
    for name in ("desks", "authors", "tags", "labels"):
        items = FIXED_SECTIONS[name]().items()
        count = items.count() if isinstance(items, QuerySet) else len(items)
        if count:
            entries += _entries(request, name, math.ceil(count / limit), latest)
    for month in months:
        name = f"stories-{month['month']:%Y-%m}"
        entries += _entries(request, name, math.ceil(month["count"] / limit), month["lastmod"])
    response = TemplateResponse(
        request, "site/sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml"
    )
    response["X-Robots-Tag"] = "noindex, noarchive"
    return surrogate_keys(response, FRONT)


@require_safe
@public_response
def section(request, section: str):
    """``/sitemaps/<section>.xml``: one sitemap, paginated with ``?p=``."""
    sitemap = sitemap_for(section, publication_name=Outlet.current().name)
    if sitemap is None:
        raise Http404("No such sitemap.")
    if isinstance(sitemap, StoryMonthSitemap) and not sitemap.items().exists():
        raise Http404("No stories that month.")
    if section == "news":
        # Not labelled for the page cache: stories leave it by time alone.
        return sitemap_views.sitemap(
            request, {section: sitemap}, section=section, template_name="site/sitemap_news.xml"
        )
    response = sitemap_views.sitemap(
        request, {section: sitemap}, section=section, template_name="site/sitemap.xml"
    )
    return surrogate_keys(response, FRONT)
