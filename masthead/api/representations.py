"""The public JSON shapes of stories, desks, authors and tags.

Only what a reader may see on the site leaves here: no status, no internal
timestamps (``modified_at`` changes with every draft save), no notes, no
account names. The shapes are documented by ``schemas.py`` and docs/api.md.

A story's words are those of its language, as its readers see them: its
authors' names there (``Author.in_language``, the one place that chooses) and
its label's (``Label.name_in``), each author linked to their page in the
story's edition (``/fa/author/…``), where its bylines lead on the site.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from masthead.media.models import Image
from masthead.newsroom.models import Author, Desk, Edition, edition_address
from masthead.sourcing.kinds import public_sources
from masthead.stories.models import Story, Tag


def site_base(request: HttpRequest) -> str:
    """The outlet's address: SITE_URL when set (stable ids), else this request's host."""
    return settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")


def absolute(request: HttpRequest, path_or_url: str) -> str:
    if path_or_url.startswith(("http://", "https://")):
        return path_or_url
    return site_base(request) + path_or_url


def story_api_url(request: HttpRequest, story_id: int) -> str:
    return absolute(request, reverse("api:story", kwargs={"story_id": story_id}))


def image_json(request: HttpRequest, image: Image | None) -> dict[str, Any] | None:
    if image is None or not image.file:
        return None
    return {
        "url": absolute(request, image.file.url),
        "width": image.width,
        "height": image.height,
        "alt_text": image.alt_text,
        "caption": image.caption,
        "credit": image.credit,
    }


def author_page(request: HttpRequest, author: Author, edition_id: int | None) -> str | None:
    """The author's page in an edition (the default one for None); None for a former author."""
    if not author.is_active:
        return None
    return absolute(request, edition_address("site:author", edition_id, slug=author.slug))


def author_summary(
    request: HttpRequest,
    author: Author,
    *,
    language: str | None = None,
    edition_id: int | None = None,
) -> dict[str, Any]:
    """An author named in ``language`` (the profile's words for None), linked to their page
    in the edition ``edition_id`` (the default edition for None)."""
    return {
        "id": author.pk,
        "name": author.in_language(language).name,
        "slug": author.slug,
        "kind": author.kind,
        "url": author_page(request, author, edition_id),
    }


def author_json(
    request: HttpRequest, author: Author, edition: Edition | None = None
) -> dict[str, Any]:
    """An author as their page in ``edition`` shows them (the default edition for None): their
    words in its language where they have them, field by field, else the profile's; the
    portrait's alt text in that language (``AuthorWords.photo_alt``)."""
    language = edition.language if edition is not None else None
    edition_id = edition.pk if edition is not None else None
    words = author.in_language(language)
    photo = image_json(request, author.photo)
    if photo is not None:
        photo["alt_text"] = words.photo_alt
    return {
        **author_summary(request, author, language=language, edition_id=edition_id),
        "job_title": words.job_title,
        "bio": words.bio,
        "email": author.email,
        "phone": author.phone,
        "photo": photo,
    }


def desk_summary(request: HttpRequest, desk: Desk) -> dict[str, Any]:
    return {
        "id": desk.pk,
        "name": desk.name,
        "slug": desk.slug,
        "url": absolute(request, desk.get_absolute_url()),
    }


def desk_json(request: HttpRequest, desk: Desk) -> dict[str, Any]:
    """A desk with its edition (``desk.edition`` loaded): its editor named in the edition's
    language and linked to their page there, as the desk's own page shows them."""
    edition = desk.edition
    editor = None
    if desk.editor:
        editor = author_summary(
            request, desk.editor, language=edition.language, edition_id=edition.pk
        )
    return {
        **desk_summary(request, desk),
        "edition": edition.slug,
        "language": edition.language,
        "description": desk.description,
        "email": desk.email,
        "phone": desk.phone,
        "editor": editor,
    }


def tag_json(request: HttpRequest, tag: Tag) -> dict[str, Any]:
    return {
        "id": tag.pk,
        "name": tag.name,
        "slug": tag.slug,
        "url": absolute(request, tag.get_absolute_url()),
    }


def _label_json(story: Story) -> dict[str, Any] | None:
    if story.label is None:
        return None
    label = story.label
    return {"name": label.name_in(story.language), "slug": label.slug, "kind": label.kind}


def _developing_json(story: Story) -> dict[str, Any] | None:
    """Live coverage as readers see it: marked developing, since when, ended when."""
    if story.developing_since is None:
        return None
    return {
        "active": story.is_developing,
        "since": story.developing_since,
        "until": story.developing_until,
    }


def _thread_json(story: Story) -> dict[str, Any] | None:
    if story.thread_id is None:
        return None
    return {"id": story.thread.pk, "title": story.thread.title}


def _byline_author(request: HttpRequest, story: Story, author: Author) -> dict[str, Any]:
    return author_summary(request, author, language=story.language, edition_id=story.edition_id)


def story_summary(request: HttpRequest, story: Story) -> dict[str, Any]:
    """What a list shows of a story: everything but the body and the corrections."""
    return {
        "id": story.pk,
        "api_url": story_api_url(request, story.pk),
        "pubstatus": "usable",
        "url": absolute(request, story.get_absolute_url()),
        "slug": story.slug,
        "headline": story.headline,
        "dek": story.dek,
        "label": _label_json(story),
        "desk": desk_summary(request, story.desk),
        "bylines": [
            {"author": _byline_author(request, story, byline.author), "role": byline.role}
            for byline in story.ordered_bylines()
        ],
        "tags": [tag_json(request, tag) for tag in story.tags.all()],
        "dateline": story.dateline,
        "language": story.language,
        "lead_image": image_json(request, story.lead_image),
        "published_at": story.published_at,
        "updated_at": story.updated_at or story.published_at,
        "developing": _developing_json(story),
        "thread": _thread_json(story),
    }


def story_json(request: HttpRequest, story: Story) -> dict[str, Any]:
    return {
        **story_summary(request, story),
        "body": story.body,
        "seo_title": story.seo_title,
        "seo_description": story.seo_description,
        "corrections": [
            {
                "kind": correction.kind,
                "note": correction.note,
                "published_at": correction.published_at,
            }
            for correction in story.corrections.all()
        ],
        # Never the stored list: staff-only fields and approvals stay in the back office.
        "sources": public_sources(story.sources),
        "method_note": story.method_note,
        "dateline_kind": story.dateline_kind,
    }


def canceled_story_json(request: HttpRequest, story: Story) -> dict[str, Any]:
    """A story withdrawn after readers saw it: that it is gone and when, nothing of its content."""
    return {
        "id": story.pk,
        "api_url": story_api_url(request, story.pk),
        "pubstatus": "canceled",
        "withdrawn_at": story.withdrawn_at,
    }
