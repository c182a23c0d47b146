"""Sitemaps: an index, one sitemap per month of stories, desks, authors, tags,
labels, the outlet's own pages, and a Google News sitemap.

Built on Django's ``django.contrib.sitemaps`` (its ``Sitemap`` classes and its
``sitemap`` view with ``?p=`` pagination) for the small files: pages, desks,
authors, tags and labels. What is our own, and why (measured at a million
stories in docs/scale-sitemaps.md):

* The **index** is not Django's ``index`` view, which asks every section for
  its count and newest ``lastmod`` (a scan of each). Its month list is the
  calendar months between the oldest and the newest live story (two index
  probes), and each month's story count and last public update is a
  **month summary** kept in Django's cache under that month's content
  version (``month:2026-11``, bumped by every public change of a story first
  published that month, ``stories/versions.py``). A publish therefore
  recomputes one month (its rows only, through the public index), never the
  archive. A summary also keeps the moment a scheduled story or an embargo
  end in that month will change it, and is recomputed from then on, so a
  scheduled story is listed at its time through a warm cache.
* **Month sitemaps** are written here, not by Django's template: one query
  for one page of the month (the public index, only the five columns a
  ``<url>`` needs, read in chunks with ``.iterator()``) and the XML joined
  from strings, with the story's address built from its desk's address
  instead of a ``reverse()`` per row. A file lists at most
  ``SITEMAP_URLS_PER_FILE`` addresses (10,000 by default, never more than
  the protocol's 50,000; 10,000 entries with images are about 3 MB, far
  below its 50 MB), so serving any file of a million-story archive holds
  one page in memory, never the archive.
* The **news sitemap** (at most 1,000 stories of the last two days) is
  written the same way, with the **Google News** entries (``news:news``)
  that Django's template does not write, as are the month files' **image
  entries** (``image:image``: the lead image, then the images of the
  published body, read from ``media.ImageUse``).

Every story read starts at ``Story.objects.live()``; ``lastmod`` is the last
public update (``updated_at``), never the internal ``modified_at``.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db.models import CharField, Count, Func, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncMonth
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from masthead.media.models import ImageUse
from masthead.newsroom.editions import Edition, all_editions, edition_origin, urlconf_of
from masthead.newsroom.models import Author, Desk, PolicyPage, edition_address
from masthead.site.absolute_urls import main_root, site_root
from masthead.site.editions import edition_of
from masthead.site.http import public_response, surrogate_keys
from masthead.site.query import query_parameters
from masthead.stories import release_clock
from masthead.stories.models import Byline, ContentVersion, Label, Story, Tag
from masthead.stories.versions import (
    every_front_scope,
    front_scope,
    month_scope,
    month_scope_of,
    pending_scope,
)

# Google News takes the stories of the last two days, at most 1,000 a sitemap.
NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1000
MONTH_SECTION = re.compile(r"stories-(?P<year>[0-9]{4})-(?P<month>[0-9]{2})")
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,6}")
# Summaries are keyed by version: an old version's entry is garbage that the
# cache drops after this long. Writes that bypass the services (a bulk load)
# are seen at the latest then.
SUMMARY_SECONDS = 24 * 3600
EXPIRY_STEPS = 8
# Up to this many stale months are summarised one range query each, more in one.
MONTHS_ONE_BY_ONE = 12
# Rows fetched per round trip while writing a month's sitemap.
ROWS_PER_FETCH = 2000
# What Django's sitemap views send: sitemaps are for crawlers, not results.
ROBOTS_TAG = "noindex, noodp, noarchive"


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

    def _urls(self, page, protocol, domain):
        # Django puts protocol://domain before every location; an address on an edition's own
        # host (``edition_address``) is full already and keeps its host.
        urls = super()._urls(page, protocol, domain)
        prefix = f"{protocol}://{domain}"
        for url in urls:
            rest = url["location"][len(prefix) :]
            if rest.startswith(("https://", "http://")):
                url["location"] = rest
        return urls


def news_language(code: str) -> str:
    """A story's language as Google News wants it: ISO 639 (``en``), or zh-cn / zh-tw."""
    code = (code or settings.LANGUAGE_CODE).lower().replace("_", "-")
    if code in ("zh-cn", "zh-hans", "zh-sg", "zh-hans-cn"):
        return "zh-cn"
    if code in ("zh-tw", "zh-hant", "zh-hk", "zh-hant-tw"):
        return "zh-tw"
    return code.split("-")[0]


class SectionSitemap(SiteSitemap):
    """The pages of one kind of section (desks, authors …) with a live story, in order.

    ``lastmod`` of a section page is the last public change of its stories
    (from its content version's time), or the newest story's publication if
    later (a scheduled story), or an embargo's end: see ``summarise_sections``.
    """

    kind = ""  # the content scope's prefix (stories/versions.py)
    route = ""
    lists_empty = False  # list a section with no live story too

    def rows(self) -> QuerySet:
        raise NotImplementedError

    def items(self) -> list[dict]:
        rows = list(self.rows().values_list("pk", "slug"))
        found = section_summaries(self.kind, [pk for pk, _ in rows])
        return [
            {"slug": slug, "lastmod": found[pk].last_modified}
            for pk, slug in rows
            if self.lists_empty or found[pk].count
        ]

    def location(self, item: dict) -> str:
        return reverse(self.route, kwargs={"slug": item["slug"]})


class DeskSitemap(SectionSitemap):
    """Every desk's section page (a handful of rows), with its last public update."""

    kind, route, lists_empty = "desk", "site:desk", True

    def rows(self) -> QuerySet:
        return Desk.objects.order_by("position", "pk")

    def items(self) -> list[dict]:
        editions = dict(self.rows().values_list("slug", "edition_id"))
        return [{**item, "edition_id": editions[item["slug"]]} for item in super().items()]

    def location(self, item: dict) -> str:
        # Each desk at its own edition's address (its root, or its host).
        return edition_address(self.route, item["edition_id"], desk_slug=item["slug"])


class AuthorSitemap(SectionSitemap):
    kind, route = "author", "site:author"

    def rows(self) -> QuerySet:
        return Author.objects.filter(is_active=True).order_by("pk")


class TagSitemap(SectionSitemap):
    kind, route = "tag", "site:tag"

    def rows(self) -> QuerySet:
        return Tag.objects.order_by("pk")


class LabelSitemap(SectionSitemap):
    kind, route = "label", "site:label"

    def rows(self) -> QuerySet:
        return Label.objects.order_by("position", "pk")


class PageSitemap(SiteSitemap):
    """Each edition's home page, masthead and corrections, and the published policy pages
    (each at its own edition's address)."""

    def items(self) -> list[dict]:
        latest = max((summary.last_modified for _, summary in story_months()), default=None)
        pages = []
        for edition in all_editions() or [None]:
            edition_id = edition.pk if edition is not None else None
            urlconf, origin = urlconf_of(edition_id), edition_origin(edition_id)
            pages += [
                {"path": origin + reverse("site:home", urlconf=urlconf), "lastmod": latest},
                {"path": origin + reverse("site:masthead", urlconf=urlconf), "lastmod": None},
                {"path": origin + reverse("site:corrections", urlconf=urlconf), "lastmod": None},
            ]
        for policy in PolicyPage.objects.published().only("slug", "updated_at", "edition"):
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


def sitemap_for(section: str) -> SiteSitemap | None:
    """The Django sitemap a section name stands for (``tags`` …), or None."""
    if section in FIXED_SECTIONS:
        return FIXED_SECTIONS[section]()
    return None


# Months ----------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Month:
    """One calendar month (UTC) of first publications."""

    year: int
    month: int

    @classmethod
    def of(cls, moment: datetime) -> Month:
        moment = moment.astimezone(UTC)
        return cls(moment.year, moment.month)

    @classmethod
    def from_section(cls, section: str) -> Month | None:
        """The month ``stories-2026-11`` names, or None for anything else."""
        found = MONTH_SECTION.fullmatch(section)
        if found is None:
            return None
        year, month = int(found["year"]), int(found["month"])
        # Year 9999's December would end in year 10,000, which datetime cannot hold.
        if not 1 <= month <= 12 or not 1 <= year <= 9998:
            return None
        return cls(year, month)

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return datetime(self.year + self.month // 12, self.month % 12 + 1, 1, tzinfo=UTC)

    @property
    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    @property
    def section(self) -> str:
        return f"stories-{self.year:04d}-{self.month:02d}"

    @property
    def scope(self) -> str:
        return month_scope(self.year, self.month)

    @property
    def range(self) -> dict[str, datetime]:
        return {"published_at__gte": self.start, "published_at__lt": self.end}

    def stories(self, now: datetime | None = None) -> QuerySet[Story]:
        """Its live stories, through the gate."""
        return Story.objects.live(now).filter(**self.range)


@dataclass(frozen=True)
class Summary:
    """What the index and the section sitemaps say of a month or a section page.

    ``count``: its live stories (a section page: 1 if it has any, 0 if none);
    ``last_modified``: its last public change; ``changes_at``: when a
    scheduled story or an embargo end changes it by time alone (None: nothing
    pending), from which moment the summary is recomputed; ``newest``: the
    publication time of its newest live story (feeds start their scan there).
    """

    count: int
    last_modified: datetime | None
    changes_at: datetime | None
    newest: datetime | None = None

    def is_current(self, now: datetime) -> bool:
        return self.changes_at is None or self.changes_at > now


def summary_key(scope: str, counter: int, pending: int) -> str:
    # "v1": the shape of Summary; a new shape must not read old pickles.
    # ``pending``: scheduling in the scope moves ``changes_at`` (stories/versions.py).
    return f"sitemap-summary:v1:{scope}:{counter}:{pending}"


def _versions(scopes: list[str]) -> dict[str, tuple[int, datetime]]:
    """scope → (counter, changed_at) of the scopes that have changed at least once."""
    versions = {}
    # In slices: SQLite caps the parameters of one statement.
    for first in range(0, len(scopes), 500):
        rows = ContentVersion.objects.filter(scope__in=scopes[first : first + 500])
        versions.update(
            (scope, (counter, changed_at))
            for scope, counter, changed_at in rows.values_list("scope", "counter", "changed_at")
        )
    return versions


def cached_summaries(
    subjects: dict[str, object],
    summarise: Callable[[dict[str, object], datetime, dict], dict[str, Summary]],
    now: datetime,
) -> dict[str, Summary]:
    """scope → summary of each subject, from Django's cache under the scope's version.

    ``summarise(stale, now, changed_at)`` reads the rows of the subjects whose
    version changed since they were cached, or whose ``changes_at`` has come,
    all at once (``changed_at``: scope → the version's time). Versions are
    read before rows: a publish committing in between is at worst summarised
    under the older version, and its bump makes the next read miss. Keys
    embed the pending twin's counter too: a story scheduled in the scope
    after its summary was made changes no public date, but must set the
    moment the summary is made again (``changes_at``).
    """
    versions = _versions([*subjects, *(pending_scope(scope) for scope in subjects)])

    def counter(scope: str) -> int:
        return versions.get(scope, (0, None))[0]

    keys = {
        scope: summary_key(scope, counter(scope), counter(pending_scope(scope)))
        for scope in subjects
    }
    cached = cache.get_many(list(keys.values()))
    found = {}
    for scope in subjects:
        summary = cached.get(keys[scope])
        if summary is not None and summary.is_current(now):
            found[scope] = summary
    stale = {scope: subject for scope, subject in subjects.items() if scope not in found}
    if not stale:
        return found
    pending = pending_changes(now)
    changed_at = {scope: versions.get(scope, (0, None))[1] for scope in stale}
    computed = {}
    for scope, summary in summarise(stale, now, changed_at).items():
        found[scope] = replace(summary, changes_at=pending.get(scope))
        computed[keys[scope]] = found[scope]
    # Expiry spread over a day, so that an archive summarised at once is not
    # recomputed at once when its entries expire.
    spread: dict[int, dict[str, Summary]] = {}
    for key, summary in computed.items():
        spread.setdefault(zlib.crc32(key.encode()) % EXPIRY_STEPS, {})[key] = summary
    for step, entries in spread.items():
        cache.set_many(entries, SUMMARY_SECONDS + step * SUMMARY_SECONDS // EXPIRY_STEPS)
    return found


def pending_changes(now: datetime) -> dict[str, datetime]:
    """scope → when a scheduled story or an embargo end next changes what it shows.

    Three small queries for every month and section at once: the public
    stories not yet live (the public and embargo indexes), then their tags and
    bylines.
    """
    waiting = Story.objects.filter(status__in=Story.PUBLIC_STATUSES).filter(
        Q(published_at__gt=now) | Q(embargoed_until__gt=now)
    )
    stories = {}
    for pk, published_at, embargo_end, desk_id, label_id in waiting.values_list(
        "pk", "published_at", "embargoed_until", "desk_id", "label_id"
    ):
        moment = min(t for t in (published_at, embargo_end) if t is not None and t > now)
        scopes = [month_scope_of(published_at), f"desk:{desk_id}"]
        scopes += [f"label:{label_id}"] if label_id else []
        stories[pk] = (moment, scopes)
    through = Story.tags.through.objects.filter(story_id__in=list(stories))
    for story_id, tag_id in through.values_list("story_id", "tag_id"):
        stories[story_id][1].append(f"tag:{tag_id}")
    bylines = Byline.objects.filter(story_id__in=list(stories))
    for story_id, author_id in bylines.values_list("story_id", "author_id"):
        stories[story_id][1].append(f"author:{author_id}")
    changes: dict[str, datetime] = {}
    for moment, scopes in stories.values():
        for scope in scopes:
            changes[scope] = min(moment, changes.get(scope, moment))
    return changes


def _latest(*moments: datetime | None) -> datetime | None:
    return max((moment for moment in moments if moment is not None), default=None)


def summarise_months(
    months: dict[str, Month], now: datetime, changed_at: dict
) -> dict[str, Summary]:
    """Count and last public update of the live stories of each month: their rows only.

    A few months (what a publish changes) are one range query each through
    the public index; many (a cold cache) are one grouped query over their
    span, as cheap per row and without a round trip per month.
    """
    if len(months) <= MONTHS_ONE_BY_ONE:
        counted = {
            scope: month.stories(now).aggregate(count=Count("pk"), last=Max(_last_public_update()))
            for scope, month in months.items()
        }
    else:
        first, last = min(months.values()), max(months.values())
        rows = (
            Story.objects.live(now)
            .filter(published_at__gte=first.start, published_at__lt=last.end)
            .annotate(month=TruncMonth("published_at", tzinfo=UTC))
            .values("month")
            .annotate(count=Count("pk"), last=Max(_last_public_update()))
            .order_by()
        )
        by_month = {Month.of(row["month"]): row for row in rows}
        empty = {"count": 0, "last": None}
        counted = {scope: by_month.get(month, empty) for scope, month in months.items()}
    summaries = {}
    for scope, found in counted.items():
        # A withdrawal lowers the newest update but changes the file: the version's time.
        last = _latest(found["last"], changed_at[scope]) if found["count"] else None
        summaries[scope] = Summary(found["count"], last, None)
    return summaries


SECTION_RELATIONS = {
    "desk": "desk_id",
    "author": "bylines__author_id",
    "tag": "tags",
    "label": "label_id",
}
SECTION_MODELS = {"desk": Desk, "author": Author, "tag": Tag, "label": Label}


def summarise_sections(
    sections: dict[str, tuple[str, int]], now: datetime, changed_at: dict
) -> dict[str, Summary]:
    """Whether each section has live stories, and its last public change: index probes only.

    The maximum update over every story of a desk or label would read a
    large part of the archive, so the last change is the latest of: the
    section's content version time (every publish, update, correction or
    withdrawal in it bumps it), the newest live story's publication (a
    scheduled story appears without a bump) and the latest embargo end. One
    query per kind of section, with a probe per row.
    """
    by_kind: dict[str, list[int]] = {}
    for kind, pk in sections.values():
        by_kind.setdefault(kind, []).append(pk)
    summaries = {}
    for kind, pks in by_kind.items():
        live = Story.objects.live(now).filter(**{SECTION_RELATIONS[kind]: OuterRef("pk")})
        newest = live.newest_first().values("published_at")[:1]
        embargo_end = (
            live.filter(embargoed_until__isnull=False)
            .order_by("-embargoed_until")
            .values("embargoed_until")[:1]
        )
        rows = SECTION_MODELS[kind].objects.annotate(
            newest=Subquery(newest), embargo_end=Subquery(embargo_end)
        )
        # In slices: SQLite caps the parameters of one statement.
        for first in range(0, len(pks), 500):
            found = rows.filter(pk__in=pks[first : first + 500])
            for pk, newest_at, embargo_at in found.values_list("pk", "newest", "embargo_end"):
                scope = f"{kind}:{pk}"
                if newest_at is None:
                    summaries[scope] = Summary(0, None, None)
                    continue
                last = _latest(newest_at, embargo_at, changed_at[scope])
                summaries[scope] = Summary(1, last, None, newest_at)
    return summaries


def section_summaries(kind: str, pks: list[int], now: datetime | None = None) -> dict[int, Summary]:
    """pk → summary of each desk, author, tag or label (``kind``)."""
    now = now or release_clock.now()
    subjects = {f"{kind}:{pk}": (kind, pk) for pk in pks}
    found = cached_summaries(subjects, summarise_sections, now)
    return {pk: found[f"{kind}:{pk}"] for pk in pks}


def _months_between(oldest: Month, newest: Month) -> list[Month]:
    months = [newest]
    while months[-1] != oldest:
        months.append(months[-1].previous)
    return months


def story_months(now: datetime | None = None) -> list[tuple[Month, Summary]]:
    """Every month with live stories, newest first, with its summary.

    Two index probes find the oldest and the newest live story; every month
    between them is summarised from the cache, or from its own rows when its
    version (or the passing of a scheduled time) made the cached one stale.
    """
    now = now or release_clock.now()
    live = Story.objects.live(now)
    newest = live.newest_first().values_list("published_at", flat=True).first()
    if newest is None:
        return []
    oldest = live.order_by("published_at", "pk").values_list("published_at", flat=True).first()
    months = {month.scope: month for month in _months_between(Month.of(oldest), Month.of(newest))}
    found = cached_summaries(months, summarise_months, now)
    return [(month, found[scope]) for scope, month in months.items() if found[scope].count]


def _story_paths(request) -> tuple[str, dict[int, str]]:
    """The site's root and each desk's prefix of a story's address, in full
    (``https://news.example/politics/``, ``https://news.example/fa/siasat/`` for a desk of the
    edition at ``fa``, ``https://fa.news.example/siasat/`` for one of an edition at its own
    host), whatever the sitemap's edition."""
    marker = "story-slug"
    root = site_root(request)
    paths = {}
    for pk, slug, edition_id in Desk.objects.values_list("pk", "slug", "edition_id"):
        path = reverse(
            "site:story", urlconf=urlconf_of(edition_id), kwargs={"desk_slug": slug, "slug": marker}
        )
        paths[pk] = (edition_origin(edition_id) or root) + path[: path.rindex(marker)]
    return root, paths


def _alternates(keys: set, desk_paths: dict[int, str]) -> dict[object, list[str]]:
    """The ``xhtml:link`` hreflang alternates of each translation group among ``keys``
    (the live members of groups with at least two; ``x-default`` the default edition's)."""
    if not keys:
        return {}
    rows = (
        Story.objects.live()
        .filter(translation_key__in=keys)
        .order_by("-desk__edition__is_default", "desk__edition_id", "pk")
        .values_list("translation_key", "slug", "desk_id", "language", "desk__edition__is_default")
    )
    groups: dict[object, list[tuple[str, str, bool]]] = {}
    for key, slug, desk_id, language, is_default in rows:
        location = escape(desk_paths[desk_id] + quote(slug, safe=SLUG_SAFE) + "/")
        groups.setdefault(key, []).append((escape(language), location, is_default))
    links: dict[object, list[str]] = {}
    for key, members in groups.items():
        if len(members) < 2:
            continue
        found = [
            f'<xhtml:link rel="alternate" hreflang="{language}" href="{location}"/>'
            for language, location, _ in members
        ]
        found += [
            f'<xhtml:link rel="alternate" hreflang="x-default" href="{location}"/>'
            for _, location, is_default in members
            if is_default
        ]
        links[key] = found
    return links


# reverse() quotes a slug like this (django.urls.resolvers, RFC 3986).
SLUG_SAFE = "!$&'()*+,;=/~:@"


class IsoTime(Func):
    """A timestamp as the sitemap protocol writes it (``2026-11-25T08:30:00Z``), in SQL.

    Turning ten thousand timestamps into aware datetimes and back into text
    was a third of a month sitemap's time; the database writes the text.
    """

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        template = """to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        # The format is a parameter: a "%" in the SQL text would need escaping twice.
        template = "strftime(%%s, %(expressions)s)"
        sql, params = self.as_sql(compiler, connection, template=template, **extra)
        return sql, ("%Y-%m-%dT%H:%M:%SZ", *params)


def month_sitemap(request, month: Month, page: int) -> HttpResponse:
    """One page of a month's stories, oldest first, written row by row."""
    limit = settings.SITEMAP_URLS_PER_FILE
    on_page = month.stories().order_by("published_at", "pk")[(page - 1) * limit : page * limit]
    rows = on_page.annotate(lastmod=IsoTime(_last_public_update())).values_list(
        "pk", "slug", "desk_id", "lead_image__file", "lastmod", "translation_key"
    )
    in_bodies = _body_image_files(on_page.values("pk"))
    root, desk_paths = _story_paths(request)
    grouped = Story.objects.filter(
        pk__in=on_page.values("pk"), translation_key__isnull=False
    ).values_list("translation_key", flat=True)
    alternates = _alternates(set(grouped), desk_paths)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset'
        ' xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        ' xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"'
        ' xmlns:xhtml="http://www.w3.org/1999/xhtml">'
    ]
    latest = ""
    for pk, slug, desk_id, image, lastmod, key in rows.iterator(ROWS_PER_FETCH):
        location = desk_paths[desk_id] + quote(slug, safe=SLUG_SAFE) + "/"
        latest = max(latest, lastmod)  # one format throughout: text order is time order
        parts.append(f"<url><loc>{escape(location)}</loc><lastmod>{lastmod}</lastmod>")
        parts.extend(alternates.get(key, ()))
        images = [image] if image else []
        images += [name for name in in_bodies.get(pk, ()) if name not in images]
        for name in images[:IMAGES_PER_URL]:
            address = escape(_image_url(name, root))
            parts.append(f"<image:image><image:loc>{address}</image:loc></image:image>")
        parts.append("</url>")
    if not latest:
        raise Http404("No stories on that page of that month.")
    parts.append("</urlset>\n")
    response = HttpResponse("".join(parts), content_type="application/xml; charset=utf-8")
    response["X-Robots-Tag"] = ROBOTS_TAG
    response["Last-Modified"] = http_date(datetime.fromisoformat(latest).timestamp())
    return surrogate_keys(response, month.scope)


def news_stories(now: datetime | None = None) -> QuerySet[Story]:
    """Google News: live stories first published in the last 48 hours, newest first."""
    now = now or release_clock.now()
    stories = Story.objects.live(now).filter(published_at__gte=now - NEWS_WINDOW)
    return stories.order_by("-published_at", "-pk")


def news_sitemap(request, edition: Edition) -> HttpResponse:
    """``/sitemaps/news.xml`` of one edition (``/fa/sitemaps/news.xml``: the edition at
    ``fa``): its stories, under its publication name, at most ``NEWS_LIMIT``.

    Google News knows each language of an outlet as a publication of its own.
    """
    publication_name = edition.published_as
    rows = (
        news_stories()
        .in_edition(edition.pk)
        .annotate(published=IsoTime("published_at"))
        .values_list("slug", "desk_id", "headline", "language", "published")
    )[:NEWS_LIMIT]
    _root, desk_paths = _story_paths(request)
    publisher = escape(publication_name)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset'
        ' xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
    ]
    for slug, desk_id, headline, language, published in rows:
        location = desk_paths[desk_id] + quote(slug, safe=SLUG_SAFE) + "/"
        parts.append(
            f"<url><loc>{escape(location)}</loc><news:news><news:publication>"
            f"<news:name>{publisher}</news:name>"
            f"<news:language>{escape(news_language(language))}</news:language>"
            f"</news:publication><news:publication_date>{published}</news:publication_date>"
            f"<news:title>{escape(headline)}</news:title></news:news></url>"
        )
    parts.append("</urlset>\n")
    response = HttpResponse("".join(parts), content_type="application/xml; charset=utf-8")
    response["X-Robots-Tag"] = ROBOTS_TAG
    return response


# Google reads at most 1,000 images per page; a story's gallery stays far below.
IMAGES_PER_URL = 1000


def _body_image_files(story_ids) -> dict[int, list[str]]:
    """The files of the images in the published bodies of ``story_ids`` (a subquery), by story.

    Read from ``ImageUse`` (kept by the story services), not by parsing every body.
    """
    uses = (
        ImageUse.objects.filter(story__in=story_ids, role=ImageUse.Role.BODY, in_published=True)
        .exclude(image__file="")
        .order_by("story_id", "pk")
        .values_list("story_id", "image__file")
    )
    found: dict[int, list[str]] = {}
    for story_id, name in uses:
        found.setdefault(story_id, []).append(name)
    return found


def _image_url(name: str, root: str) -> str:
    address = default_storage.url(name)
    return address if address.startswith(("https://", "http://")) else root + address


# Views -----------------------------------------------------------------------


def _at_default_root(request) -> HttpResponse | None:
    """A 301 to the default root's copy of a site-wide sitemap asked for under an edition's
    root, or on an edition's own host (to the main host's)."""
    edition = edition_of(request)
    if edition.is_default:
        return None
    front = front_scope(edition.pk)
    if edition.host:
        target = main_root(request) + request.get_full_path()
        return surrogate_keys(HttpResponsePermanentRedirect(target), front)
    prefix = f"/{edition.url_root}/"
    target = request.get_full_path()[len(prefix) - 1 :]
    return surrogate_keys(HttpResponsePermanentRedirect(target), front)


@dataclass
class IndexEntry:
    location: str
    last_mod: datetime | None


def _entries(request, section: str, pages: int, last_mod) -> list[IndexEntry]:
    location = site_root(request) + reverse("site:sitemap", kwargs={"section": section})
    entries = [IndexEntry(location, last_mod)]
    entries += [IndexEntry(f"{location}?p={page}", last_mod) for page in range(2, pages + 1)]
    return entries


def _section_sizes() -> dict[str, int]:
    """How many addresses the desk, author, tag and label sitemaps list (from summaries)."""
    names = ("desks", "authors", "tags", "labels")
    return {name: len(FIXED_SECTIONS[name]().items()) for name in names}


@require_safe
@public_response
def index(request):
    """``/sitemap.xml``: every sitemap file of the site, every edition's included."""
    elsewhere = _at_default_root(request)
    if elsewhere is not None:
        return elsewhere
    now = release_clock.now()
    months = story_months(now)
    latest = max((summary.last_modified for _, summary in months), default=None)
    limit = settings.SITEMAP_URLS_PER_FILE
    policy_update = PolicyPage.objects.published().aggregate(last=Max("updated_at"))["last"]
    entries = _entries(
        request, "pages", 1, max(filter(None, [latest, policy_update]), default=None)
    )
    with_news = set(news_stories(now).values_list("desk__edition_id", flat=True).distinct())
    for edition in all_editions():
        if edition.pk in with_news:
            # Each edition's news sitemap, at its own root or on its own host.
            news = reverse("site:sitemap", urlconf=urlconf_of(edition.pk),
                           kwargs={"section": "news"})  # fmt: skip
            origin = edition_origin(edition.pk) or site_root(request)
            entries.append(IndexEntry(origin + news, latest))
    for name, count in _section_sizes().items():
        if count:
            entries += _entries(request, name, math.ceil(count / limit), latest)
    for month, summary in months:
        pages = math.ceil(summary.count / limit)
        entries += _entries(request, month.section, pages, summary.last_modified)
    response = TemplateResponse(
        request, "site/sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml"
    )
    response["X-Robots-Tag"] = "noindex, noarchive"
    # Every edition's stories and news sitemap: every edition's front.
    return surrogate_keys(response, *every_front_scope())


@query_parameters("p")
@require_safe
@public_response
def section(request, section: str):
    """``/sitemaps/<section>.xml``: one sitemap, paginated with ``?p=``.

    Only the news sitemap is per edition; the others list every edition's
    addresses and live at the default root.
    """
    if section == "news":
        # Not labelled for the page cache: stories leave it by time alone.
        return news_sitemap(request, edition_of(request))
    elsewhere = _at_default_root(request)
    if elsewhere is not None:
        return elsewhere
    month = Month.from_section(section)
    if month is not None:
        page = request.GET.get("p", "1")
        if PAGE_NUMBER.fullmatch(page) is None:
            raise Http404("No such page.")
        return month_sitemap(request, month, int(page))
    sitemap = sitemap_for(section)
    if sitemap is None:
        raise Http404("No such sitemap.")
    response = sitemap_views.sitemap(
        request, {section: sitemap}, section=section, template_name="site/sitemap.xml"
    )
    return surrogate_keys(response, *every_front_scope())
