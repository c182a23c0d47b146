"""schema.org structured data (JSON-LD) of the public pages.

The article page describes its story as a ``NewsArticle``, or the typed
subclass its label names (``AnalysisNewsArticle`` for an analysis …), with its
authors, its publisher — a ``NewsMediaOrganization`` carrying the trust
properties of the outlet's published policy pages — its lead image (else the
outlet's share image, ``share_picture``, also used by Open Graph), dateline,
desk, topics, corrections and the wire copy it is based on (``isBasedOn``),
the works it cites (``citation``), its method note (``backstory``) and, when
the reporter was there, where it was reported (``contentLocation``; see
``site/reporting.py``), plus a ``BreadcrumbList`` (Home › Desk › Story).
An author page describes its ``Person`` (expertise, languages, where they
work, their work elsewhere) as a ``ProfilePage``.
The home page describes the ``WebSite`` and its publisher.

The builders return plain dicts; ``templatetags/site_meta.py`` renders them
inside ``<script type="application/ld+json">`` with ``<``, ``>`` and ``&``
escaped, so no text of a story can close the script element. There is no
library for schema.org in our stack worth its weight: the vocabulary is a
handful of dicts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import reverse

from masthead.media import figures
from masthead.media.models import Image
from masthead.media.renditions import share_rendition
from masthead.newsroom.models import Author, Outlet, PolicyPage
from masthead.site.absolute_urls import absolute_url, main_url
from masthead.site.editions import edition_of
from masthead.site.reporting import citations
from masthead.site.summaries import story_summary
from masthead.stories.models import Byline, Correction, DatelineKind, Label, Story, Tag
from masthead.wire.attribution import Credits, based_on_objects

CONTEXT = "https://schema.org"
ARTICLE_TYPES = {
    Label.Kind.REPORTAGE: "ReportageNewsArticle",
    Label.Kind.ANALYSIS: "AnalysisNewsArticle",
    Label.Kind.OPINION: "OpinionNewsArticle",
    Label.Kind.BACKGROUND: "BackgroundNewsArticle",
    Label.Kind.REVIEW: "ReviewNewsArticle",
}
# The plain wordmark used when the outlet has not uploaded a logo.
FALLBACK_LOGO = ("site/logo.png", 600, 60)
# The picture shared for a story without a lead image when the outlet has set
# none: Open Graph's size for a large card (newsroom.models.SHARE_IMAGE_SIZE).
FALLBACK_SHARE_IMAGE = ("site/share.png", 1200, 630)


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def article_type(label: Label | None) -> str:
    """The schema.org type for a story with ``label``: NewsArticle unless a subclass fits."""
    if label is None:
        return "NewsArticle"
    return ARTICLE_TYPES.get(label.kind, "NewsArticle")


def image_object(image: Image, request: HttpRequest | None) -> dict:
    data = {
        "@type": "ImageObject",
        "url": absolute_url(image.file.url, request),
        "width": image.width,
        "height": image.height,
    }
    if image.caption:
        data["caption"] = image.caption
    if image.credit:
        data["creditText"] = image.credit
    if image.copyright:
        data["copyrightNotice"] = image.copyright
    if image.usage_terms.startswith(("https://", "http://")):
        data["license"] = image.usage_terms  # Google reads a licence's address here
    return data


@dataclass(frozen=True)
class SharePicture:
    """The picture a link to a story shows when shared (og:image, twitter:image, JSON-LD)."""

    url: str
    width: int
    height: int
    alt: str
    image: Image | None  # None: the packaged default


def share_picture(story: Story, outlet: Outlet, request: HttpRequest | None) -> SharePicture:
    """The story's lead image; else the outlet's share image; else the packaged default.

    Open Graph requires ``og:image`` on every page, and a large card wants
    1200×630: a story without a picture of its own is shared with the
    outlet's.
    """
    if story.lead_image is not None and story.lead_image.file:
        image = story.lead_image
        # Its 1.91:1 share rendition (around the focal point) once made, else the file.
        shared = share_rendition(image) or image
        url = absolute_url(shared.file.url, request)
        return SharePicture(url, shared.width, shared.height, image.alt_text, image)
    image = outlet.share_image if outlet.share_image_id else None
    if image is not None and image.file:
        url = absolute_url(image.file.url, request)
        return SharePicture(url, image.width, image.height, image.alt_text or outlet.name, image)
    path, width, height = FALLBACK_SHARE_IMAGE
    return SharePicture(absolute_url(static(path), request), width, height, outlet.name, None)


def share_image_object(picture: SharePicture, request: HttpRequest | None) -> dict:
    if picture.image is not None:
        shown = {"url": picture.url, "width": picture.width, "height": picture.height}
        return image_object(picture.image, request) | shown
    return {"@type": "ImageObject", "url": picture.url, "width": picture.width,
            "height": picture.height}  # fmt: skip


def logo_object(outlet: Outlet, request: HttpRequest | None) -> dict:
    if outlet.logo_id and outlet.logo and outlet.logo.file:
        return image_object(outlet.logo, request)
    path, width, height = FALLBACK_LOGO
    return {
        "@type": "ImageObject",
        "url": absolute_url(static(path), request),
        "width": width,
        "height": height,
    }


def publisher(outlet: Outlet, policies: Iterable[PolicyPage], request: HttpRequest | None) -> dict:
    """The outlet as a ``NewsMediaOrganization``, with the trust properties it has filled in."""
    # One organisation publishes every edition: one @id, at the site's root.
    root = main_url(reverse("site:home", urlconf=settings.ROOT_URLCONF), request)
    data = {
        "@type": "NewsMediaOrganization",
        "@id": root + "#publisher",
        "name": outlet.name,
        "url": root,
        "logo": logo_object(outlet, request),
        "masthead": absolute_url(reverse("site:masthead"), request),
    }
    if outlet.short_name:
        data["alternateName"] = outlet.short_name
    if outlet.email:
        data["email"] = outlet.email
    if outlet.founding_date:
        data["foundingDate"] = outlet.founding_date.isoformat()
    if outlet.profile_urls():
        data["sameAs"] = outlet.profile_urls()
    for policy in policies:
        if policy.is_published and policy.schema_property:
            data[policy.schema_property] = absolute_url(policy.get_absolute_url(), request)
    if "ethicsPolicy" in data:
        data["publishingPrinciples"] = data["ethicsPolicy"]
    return data


def author_object(author: Author, request: HttpRequest | None, language: str | None = None) -> dict:
    """A byline's author: a ``Person``, or an ``Organization`` for a collective byline.

    A person carries what the outlet published of their expertise (Trust
    Project "author expertise"): ``knowsAbout``, ``knowsLanguage``,
    ``workLocation`` (where they are based: the place they work from, not
    their home), ``sameAs`` (their work elsewhere) and ``email``. Its words are
    those of ``language`` (``AuthorName``; the ``inLanguage`` of what names it),
    else of the page's.
    """
    shown = author.in_language(language) if language else author.shown
    data = {
        "@type": "Organization" if author.is_collective else "Person",
        "name": shown.name,
        "url": absolute_url(author.get_absolute_url(), request),
    }
    if author.is_collective:
        return data
    if shown.job_title:
        data["jobTitle"] = shown.job_title
    if shown.expertise_list:
        data["knowsAbout"] = shown.expertise_list
    if shown.language_list:
        data["knowsLanguage"] = shown.language_list
    if shown.location:
        data["workLocation"] = {"@type": "Place", "name": shown.location}
    if shown.other_work_list:
        data["sameAs"] = shown.other_work_list
    if author.email:
        data["email"] = author.email
    return data


def profile_page(author: Author, request: HttpRequest | None) -> dict:
    """An author's page: a ``ProfilePage`` about the author, in its edition's language
    (the author's words in it: ``AuthorName``)."""
    url = absolute_url(author.get_absolute_url(), request)
    language = edition_of(request).language
    return {
        "@context": CONTEXT,
        "@type": "ProfilePage",
        "url": url,
        "inLanguage": language,
        "mainEntity": author_object(author, request, language),
    }


def correction_object(correction: Correction) -> dict:
    return {
        "@type": "CorrectionComment",
        "text": correction.note,
        "datePublished": iso(correction.published_at),
    }


def article(
    story: Story,
    *,
    bylines: list[Byline],
    tags: list[Tag],
    corrections: list[Correction],
    outlet: Outlet,
    policies: Iterable[PolicyPage],
    request: HttpRequest | None = None,
    based_on: Credits | None = None,
) -> dict:
    """The story as a schema.org ``NewsArticle`` (or the subclass its label names).

    ``based_on``: the wire items it was written from, as ``isBasedOn``.
    """
    url = absolute_url(story.get_absolute_url(), request)
    the_publisher = publisher(outlet, policies, request)
    data = {
        "@context": CONTEXT,
        "@type": article_type(story.label),
        "@id": url + "#article",
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "headline": story.headline,
        "description": story_summary(story),
        "datePublished": iso(story.published_at),
        "dateModified": iso(story.updated_at or story.published_at),
        "inLanguage": story.language,
        "isAccessibleForFree": True,
        "author": [author_object(byline.author, request, story.language) for byline in bylines]
        or [{"@type": "Organization", "name": outlet.name, "url": the_publisher["url"]}],
        "publisher": the_publisher,
        "articleSection": story.desk.name,
    }
    # The share picture first (the lead image, else the outlet's), then the body's figures.
    data["image"] = [share_image_object(share_picture(story, outlet, request), request)]
    lead = story.lead_image_id
    data["image"] += [
        image_object(image, request) for image in figures.images_in(story.body) if image.pk != lead
    ]
    if story.dateline:
        data["dateline"] = story.dateline
    if story.label is not None:
        data["genre"] = story.label.name
    if tags:
        data["keywords"] = [tag.name for tag in tags]
    public_corrections = [
        correction_object(correction)
        for correction in corrections
        if correction.kind in (Correction.Kind.CORRECTION, Correction.Kind.CLARIFICATION)
    ]
    if public_corrections:
        data["correction"] = public_corrections
    if based_on:
        data["isBasedOn"] = based_on_objects(based_on)
    cited = citations(story.sources)
    if cited:
        data["citation"] = cited
    if story.method_note:
        data["backstory"] = story.method_note
    # Only a dateline the reporter was at is claimed as where the story was
    # reported; "written from" says where the desk is, not the news.
    if story.dateline and story.dateline_kind == DatelineKind.REPORTED:
        data["contentLocation"] = {"@type": "Place", "name": story.dateline}
    return data


def breadcrumbs(story: Story, request: HttpRequest | None = None) -> dict:
    """Home › Desk › Story as a ``BreadcrumbList``."""
    trail = [
        ("Home", reverse("site:home")),
        (story.desk.name, story.desk.get_absolute_url()),
        (story.headline, story.get_absolute_url()),
    ]
    return {
        "@context": CONTEXT,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": name,
                "item": absolute_url(path, request),
            }
            for position, (name, path) in enumerate(trail, start=1)
        ],
    }


def website(outlet: Outlet, policies: Iterable[PolicyPage], request: HttpRequest | None) -> dict:
    """The home page: the ``WebSite`` and, as its publisher, the outlet."""
    the_publisher = publisher(outlet, policies, request)
    # Each edition is a website of its own (its home, name and language); one publisher.
    edition = edition_of(request)
    home = absolute_url(reverse("site:home"), request)
    tagline = edition.tagline_with(outlet)
    return {
        "@context": CONTEXT,
        "@graph": [
            {
                "@type": "WebSite",
                "@id": home + "#website",
                "url": home,
                "name": edition.published_as,
                "inLanguage": edition.language,
                "publisher": {"@id": the_publisher["@id"]},
                **({"description": tagline} if tagline else {}),
            },
            the_publisher,
        ],
    }
