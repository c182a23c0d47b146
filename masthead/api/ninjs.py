"""Stories as IPTC ninjs 2.3 ("News in JSON"), the latest approved 2.x version.

The mapping (also tabled in docs/api.md):

* ``uri``: the story's API address, built from its id, so it never changes
  when the headline or slug does; ``version`` counts public versions by time
  (the Unix time of the last public update), ``firstcreated``/
  ``versioncreated`` are the first publication and the last public update.
* ``headlines`` (role ``main``), ``descriptions`` (the dek, role
  ``summary``), ``bodies`` (sanitised HTML, with character and word counts).
* ``by`` (the bylines as a sentence) with each author in ``people`` — or in
  ``organisations`` for a collective such as "Editorial Staff" — with
  ``rel: "author"``: in the story's language (the authors' names there, the
  sentence joined with its words), each ``uri`` the author's page in the
  story's edition.
* ``infosources``: the parties the story's public sources name (each
  source through ``sourcing.kinds.public_sources``, so nothing staff-only):
  ``name`` (the person, outlet, agency, publisher, speaker, who responded,
  or how an unnamed source is described), ``role`` (the kind of source:
  ``person``, ``unnamed``, ``outlet_report``, ``wire``, ``document``,
  ``statement``, ``response``), ``uri`` (its address, if any) and
  ``literal`` (the source's id in the story). Our own reporting is not an
  outside party and is left out. ninjs 1.2–1.6 call it ``infosource``
  (with ``rel``); 2.0 and later ``infosources``, the shape used here.
* ``subjects`` (tags), ``located`` (the dateline), ``genres`` (the label,
  named in the story's language, with the IPTC genre NewsCode it corresponds
  to), ``associations`` (the lead image as a ``picture`` with its rendition,
  caption, alt text and credit).

A story withdrawn after readers saw it is sent as ``canceled_ninjs``: the
same ``uri``, a newer ``version``, ``pubstatus: "canceled"`` and nothing of
its content, the IPTC signal (nar:pubStatus ``stat:canceled``) that every
copy must be taken down.

IPTC has registered no media type for ninjs; ``application/ninjs+json`` is
the one in common use, and responses also link the schema they follow.
"""

from __future__ import annotations

import mimetypes
import re
from typing import Any

from django.http import HttpRequest
from django.utils import translation
from django.utils.html import strip_tags

from masthead.api.representations import absolute, author_page, story_api_url
from masthead.media import figures
from masthead.media.models import Image
from masthead.newsroom.author_names import byline_sentence
from masthead.newsroom.models import Author
from masthead.sourcing.kinds import public_sources
from masthead.stories.models import Label, Story

MEDIA_TYPE = "application/ninjs+json"
VERSION = "2.3"
SCHEMA_URL = "https://www.iptc.org/std/ninjs/ninjs-schema_2.3.json"
GENRE_SCHEME = "http://cv.iptc.org/newscodes/genre/"

# Our labels' kinds and the IPTC genre NewsCodes that say the same.
GENRES = {
    Label.Kind.NEWS: "Current",
    Label.Kind.BREAKING: "Current",
    Label.Kind.EXCLUSIVE: "Exclusive",
    Label.Kind.ANALYSIS: "Analysis",
    Label.Kind.OPINION: "Opinion",
    Label.Kind.INTERVIEW: "Interview",
    Label.Kind.REPORTAGE: "Feature",
    Label.Kind.BACKGROUND: "Background",
    Label.Kind.REVIEW: "Review",
    Label.Kind.ROUNDUP: "Summary",
}

_WORDS = re.compile(r"\w+(?:[-'’]\w+)*")
# Block and line-break tags end a word: "<p>end</p><p>start</p>" is two words, not one.
_WORD_BREAKING_TAG = re.compile(
    r"<(?:br|hr|img|/?(?:p|h[1-6]|li|dt|dd|td|th|tr|blockquote|pre|figcaption|caption))\b"
)


def _iso(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _creator(request: HttpRequest, story: Story, author: Author) -> dict[str, Any]:
    name = author.in_language(story.language).name  # a Persian story's bylines in Persian
    entry: dict[str, Any] = {"name": name, "rel": "author", "literal": author.slug}
    page = author_page(request, author, story.edition_id)  # where the story's bylines lead
    if page is not None:
        entry["uri"] = page
    return entry


def _picture(request: HttpRequest, image: Image, name: str = "leadimage") -> dict[str, Any]:
    href = absolute(request, image.file.url)
    rendition: dict[str, Any] = {"name": "original", "href": href}
    content_type = mimetypes.guess_type(image.file.name)[0]
    if content_type:
        rendition["contenttype"] = content_type
    if image.width and image.height:
        rendition["width"] = image.width
        rendition["height"] = image.height
    picture: dict[str, Any] = {
        "name": name,
        "uri": href,
        "type": "picture",
        "renditions": [rendition],
    }
    descriptions = []
    if image.caption:
        descriptions.append(
            {"role": "caption", "contenttype": "text/plain", "value": image.caption}
        )
    if image.alt_text:
        descriptions.append({"role": "alt", "contenttype": "text/plain", "value": image.alt_text})
    if descriptions:
        picture["descriptions"] = descriptions
    if image.credit:
        picture["by"] = image.credit
    if image.copyright or image.credit:
        picture["copyrightnotice"] = image.copyright or image.credit
    if image.usage_terms:
        picture["usageterms"] = image.usage_terms
    return picture


def _body(story: Story) -> dict[str, Any]:
    text = strip_tags(story.body)
    return {
        "role": "main",
        "contenttype": "text/html",
        "charcount": len(text),
        "wordcount": len(_WORDS.findall(strip_tags(_WORD_BREAKING_TAG.sub(" <", story.body)))),
        "value": story.body,
    }


# The field that names the party, per kind of source (own reporting names none).
INFOSOURCE_NAME = {
    "person": ("name",),
    "unnamed": ("description",),
    "outlet_report": ("outlet",),
    "wire": ("provider", "headline"),
    "document": ("publisher", "title"),
    "statement": ("speaker",),
    "response": ("party",),
}


def _infosources(story: Story) -> list[dict[str, str]]:
    result = []
    for source in public_sources(story.sources):
        names = INFOSOURCE_NAME.get(source.get("kind"), ())
        name = next((source[field] for field in names if source.get(field)), "")
        if not name:
            continue
        entry = {"name": name, "role": source["kind"], "literal": source["id"]}
        if source.get("url"):
            entry["uri"] = source["url"]
        result.append(entry)
    return result


def _standard() -> dict[str, str]:
    return {"name": "ninjs", "version": VERSION, "schema": SCHEMA_URL}


def _version(moment) -> int:
    return int(moment.timestamp())


def story_ninjs(request: HttpRequest, story: Story, *, full: bool = True) -> dict[str, Any]:
    """The story as a ninjs 2.3 object; ``full=False`` leaves out the body (for lists)."""
    updated_at = story.updated_at or story.published_at
    bylines = story.ordered_bylines()
    item: dict[str, Any] = {
        "uri": story_api_url(request, story.pk),
        "standard": _standard(),
        "type": "text",
        "representationtype": "full" if full else "partial",
        "version": str(_version(updated_at)),
        "firstcreated": _iso(story.published_at),
        "versioncreated": _iso(updated_at),
        "pubstatus": "usable",
        "language": story.language,
        "slugline": story.slug,
        "headlines": [{"role": "main", "contenttype": "text/plain", "value": story.headline}],
        "altids": [
            {"role": "id", "value": str(story.pk)},
            {"role": "url", "value": absolute(request, story.get_absolute_url())},
        ],
    }
    if story.dek:
        item["descriptions"] = [
            {"role": "summary", "contenttype": "text/plain", "value": story.dek}
        ]
    if full:
        item["bodies"] = [_body(story)]
    if bylines:
        names = [byline.author.in_language(story.language).name for byline in bylines]
        with translation.override(story.language):
            item["by"] = byline_sentence(names)
        people = [_creator(request, story, b.author) for b in bylines if not b.author.is_collective]
        collectives = [
            _creator(request, story, b.author) for b in bylines if b.author.is_collective
        ]
        if people:
            item["people"] = people
        if collectives:
            item["organisations"] = collectives
    tags = list(story.tags.all())
    if tags:
        item["subjects"] = [
            {
                "name": tag.name,
                "literal": tag.slug,
                "uri": absolute(request, tag.get_absolute_url()),
            }
            for tag in tags
        ]
    infosources = _infosources(story)
    if infosources:
        item["infosources"] = infosources
    if story.dateline:
        item["located"] = story.dateline
    if story.label is not None:
        genre = GENRES.get(story.label.kind, "Current")
        name = story.label.name_in(story.language)
        item["genres"] = [{"name": name, "literal": story.label.kind, "uri": GENRE_SCHEME + genre}]
    associations = []
    if story.lead_image is not None and story.lead_image.file:
        associations.append(_picture(request, story.lead_image))
    # The body's figures (media/figures.py), named in order as the body shows them.
    for number, image in enumerate(figures.images_in(story.body), start=1):
        associations.append(_picture(request, image, f"bodyimage{number}"))
    if associations:
        item["associations"] = associations
    return item


def canceled_ninjs(request: HttpRequest, story: Story) -> dict[str, Any]:
    """A withdrawn story (from ``selectors.canceled_stories``) as ninjs: canceled, no content.

    Its ``version`` is newer than any the story had while live, so a receiver
    that keeps the newest version of each ``uri`` replaces its copy with this.
    """
    last_live_version = _version(story.updated_at or story.published_at)
    return {
        "uri": story_api_url(request, story.pk),
        "standard": _standard(),
        "type": "text",
        "representationtype": "partial",
        "version": str(max(_version(story.withdrawn_at), last_live_version + 1)),
        "versioncreated": _iso(story.withdrawn_at),
        "pubstatus": "canceled",
    }
