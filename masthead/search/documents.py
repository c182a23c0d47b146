"""What the index keeps of a story: its gate, filters, times and words.

``document_for`` reads one story row (the readers' copy of a public story:
``stories/services.py`` applies a revision to the row only when it is
published, or while the story is still being worked on) with its tags and
bylines; ``write_documents`` and ``delete_documents`` hand the documents to
the database's engine. Words are normalised here (``normalize.py``), so the
engines only ever see one spelling.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime

from masthead.search.normalize import normalize, zwnj_parts

TAG = re.compile(r"<[^>]*>")
PUBLIC_STATUSES = ("published", "scheduled")


@dataclass(frozen=True)
class Document:
    story_id: int
    is_public: bool
    live_from: datetime | None
    status: str
    desk_id: int
    label_id: int | None
    author_ids: str
    published_at: datetime | None
    fresh_at: datetime | None
    headline: str
    dek: str
    extra: str  # tags, bylines, label, dateline
    body: str
    variants: str  # the halves of words written with a zero-width non-joiner


def plain_text(body_html: str) -> str:
    """The words of a sanitised body (tags dropped, entities read), for the index and snippets."""
    return " ".join(html.unescape(TAG.sub(" ", body_html or "")).split())


def live_from(story) -> datetime | None:
    """When a public story comes out: its publication time or its embargo's end, the later."""
    if story.published_at is None:
        return None
    if story.embargoed_until is not None and story.embargoed_until > story.published_at:
        return story.embargoed_until
    return story.published_at


def author_names(author) -> list[str]:
    """An author's profile name and their names in other editions' languages: a reader of
    the Persian edition searches for “کاوه نوری”, of the English one for “Kaveh Nouri”.

    ``names`` (``AuthorName``) is absent from the historical models of migrations
    written before it, which index with the profile's name alone.
    """
    other = getattr(author, "names", None)
    return (
        [author.name, *(name.name for name in other.all())] if other is not None else [author.name]
    )


def document_for(story, label_name: str = "") -> Document:
    """``story`` with ``tags`` and ``bylines__author`` (and its ``names``) prefetched
    (``stories_to_index``)."""
    bylines = sorted(story.bylines.all(), key=lambda byline: byline.position)
    names = [name for byline in bylines for name in author_names(byline.author)]
    extra = " ".join([*(tag.name for tag in story.tags.all()), *names, label_name, story.dateline])
    body = plain_text(story.body)
    texts = (story.headline, story.dek, extra, body)
    return Document(
        story_id=story.pk,
        is_public=story.status in PUBLIC_STATUSES,
        live_from=live_from(story),
        status=story.status,
        desk_id=story.desk_id,
        label_id=story.label_id,
        author_ids="".join(f"|{byline.author_id}" for byline in bylines) + "|",
        published_at=story.published_at,
        fresh_at=story.updated_at or story.published_at or story.modified_at,
        headline=normalize(story.headline),
        dek=normalize(story.dek),
        extra=normalize(extra),
        body=normalize(body),
        variants=" ".join(filter(None, (zwnj_parts(text) for text in texts))),
    )


def stories_to_index(story_model, ids=None, after: int = 0, batch: int = 0):
    """The stories (of ``story_model``, real or historical) with what a document reads."""
    author = story_model._meta.get_field("bylines").related_model._meta.get_field("author")
    has_names = any(field.name == "names" for field in author.related_model._meta.get_fields())
    stories = story_model.objects.select_related("label").prefetch_related(
        "tags", "bylines__author__names" if has_names else "bylines__author"
    )
    if ids is not None:
        return stories.filter(pk__in=ids)
    return stories.filter(pk__gt=after).order_by("pk")[:batch]
