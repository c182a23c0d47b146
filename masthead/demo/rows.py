"""How the demo puts its rows: stories, authors, staff accounts and their pictures.

Each function finds its row by a natural key (slug, username, the picture's
words) and brings it to the state asked for, so loading twice keeps one of
each. The English outlet (``loader.py``) and its Persian edition
(``persian.py``) are both loaded with them.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from functools import cache
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.html import escape

from masthead.demo import graphic_words, pictures
from masthead.demo.pictures import Look
from masthead.media import figures
from masthead.media.models import Image
from masthead.newsroom.models import Author, Desk, StaffRole
from masthead.newsroom.slugs import unicode_slug
from masthead.stories.models import Byline, Label, Story, Tag


@cache
def rendered(spec: str, seed: str) -> bytes:
    """A story picture, rendered once per process (tests load the demo many times)."""
    return pictures.render(json.loads(spec), seed)


@cache
def _drawing() -> bytes:
    """The code that draws the pictures: a picture drawn by other code is drawn again."""
    modules = (pictures, graphic_words)
    return b"".join(Path(module.__file__).read_bytes() for module in modules)


def drawn_as(spec: dict) -> str:
    """A short name for one picture as this code draws it (its spec and the drawing code).

    Reloading the demo reuses a stored picture only if it was drawn so
    (``DRAWINGS``): one drawn by an older release (the Persian edition's
    graphics once drew English words) is drawn again, though its caption and
    credit are the same.
    """
    digest = hashlib.blake2b(json.dumps(spec, sort_keys=True).encode(), digest_size=8)
    digest.update(_drawing())
    return digest.hexdigest()


# In the media storage beside the pictures: each demo picture's file name and how it was
# drawn. A stored file's name is the storage's own (``media.models.image_path``).
DRAWINGS = "demo-drawings.json"


def _drawings() -> dict[str, str]:
    if not default_storage.exists(DRAWINGS):
        return {}
    try:
        with default_storage.open(DRAWINGS, "rb") as manifest:
            found = json.loads(manifest.read())
    except ValueError:  # a broken manifest: every picture is drawn again, and it is rewritten
        return {}
    return found if isinstance(found, dict) else {}


def _remember_drawing(name: str, drawn: str) -> None:
    drawings = _drawings()
    drawings[name] = drawn
    if default_storage.exists(DRAWINGS):
        default_storage.delete(DRAWINGS)
    default_storage.save(DRAWINGS, ContentFile(json.dumps(drawings, sort_keys=True).encode()))


def _is_drawn(image: Image, drawn: str) -> bool:
    return bool(image.file) and _drawings().get(image.file.name) == drawn


def picture(spec: dict, seed: str, current: Image | None) -> Image:
    """The story's picture: ``current`` when it is this one, drawn as this code draws it;
    else rendered and stored."""
    caption, credit, drawn = spec["caption"], pictures.credit_for(spec), drawn_as(spec)
    if (
        current is not None
        and current.caption == caption
        and current.credit == credit
        and _is_drawn(current, drawn)
    ):
        return current
    alt = spec.get("alt") or pictures.PHOTOS[spec["name"]].alt
    image = Image(alt_text=alt, caption=caption, credit=credit)
    data = rendered(json.dumps(spec, sort_keys=True), seed)
    image.file.save(f"demo-{seed}.jpg", ContentFile(data), save=False)
    image.save()
    _remember_drawing(image.file.name, drawn)
    return image


def body_pictures(slug: str, specs: list[dict]) -> list[Image]:
    """The pictures of a story's body figures, reusing the library's copy of each.

    Looked up by their words and how they are drawn (``drawn_as``), so reloading
    the demo (even after its stories were deleted) writes the same bodies and
    stores no second copy.
    """
    found = []
    for number, spec in enumerate(specs):
        alt = spec.get("alt") or pictures.PHOTOS[spec["name"]].alt
        words = {"caption": spec["caption"], "credit": pictures.credit_for(spec), "alt_text": alt}
        drawn = drawn_as(spec)
        candidates = Image.objects.filter(**words).exclude(file="").order_by("pk")
        stored = next((image for image in candidates if _is_drawn(image, drawn)), None)
        found.append(stored or picture(spec, f"{slug}-figure-{number}", None))
    return found


def with_figures(paragraphs: list[str], placed: list[tuple[int, Image]]) -> str:
    """The paragraphs as HTML, each figure after the paragraph it is placed by."""
    after = dict(placed)
    parts = []
    for number, text in enumerate(paragraphs):
        parts.append(f"<p>{escape(text)}</p>")
        if number in after:
            parts.append(figures.figure_html(after[number]))
    return "".join(parts)


def portrait(author: Author, alt: str, credit: str, make) -> None:
    """Give ``author`` a photo made by ``make()`` unless they have this one already."""
    if author.photo and author.photo.alt_text == alt and author.photo.credit == credit:
        return
    data, extension = make()
    photo = Image(alt_text=alt, caption="", credit=credit)
    photo.file.save(f"demo-{author.slug}.{extension}", ContentFile(data), save=False)
    photo.save()
    author.photo = photo
    author.save(update_fields=["photo"])


PORTRAIT_CREDIT = "Illustration: IFP (demo portrait)"


def illustrated(author: Author, look: Look, alt: str = "") -> None:
    portrait(
        author,
        alt or f"Illustrated portrait of {author.name}",
        PORTRAIT_CREDIT,
        lambda: (cached_portrait(author.name, look), "jpg"),
    )


@cache
def cached_portrait(name: str, look: Look) -> bytes:
    return pictures.portrait(name, look)


@cache
def cached_mark(short_name: str) -> bytes:
    return pictures.logo_mark(short_name)


def author(name: str, **fields) -> Author:
    author, _ = Author.objects.update_or_create(
        slug=unicode_slug(name), defaults={"name": name, **fields}
    )
    return author


def role(user, role: str, desk: Desk | None = None) -> None:
    StaffRole.objects.get_or_create(user=user, role=role, desk=desk)


def staff_user(username: str, password_hash: str, author: Author | None = None, **flags):
    user, created = get_user_model().objects.get_or_create(username=username)
    for flag, value in flags.items():
        setattr(user, flag, value)
    user.is_staff = True
    if created or not user.has_usable_password():
        user.password = password_hash
    user.save()
    if author is not None and author.user_id != user.pk:
        author.user = user
        author.save(update_fields=["user"])
    return user


def paragraphs(texts: list[str]) -> str:
    return "".join(f"<p>{escape(text)}</p>" for text in texts)


def put_story(
    *,
    slug: str,
    headline: str,
    dek: str,
    body: str,
    desk: Desk,
    label: Label | None,
    authors: list[Author],
    tags: list[Tag],
    published_at: datetime,
    dateline: str = "",
    lead_image: Image | None = None,
    top_rank: int | None = None,
    status: str = Story.Status.PUBLISHED,
    sources: list[dict] | None = None,
    method_note: str = "",
    makes_allegation: bool = False,
    dateline_kind: str = "",
    language: str = "en",
) -> Story:
    story, _ = Story.objects.update_or_create(
        slug=slug,
        defaults={
            "headline": headline,
            "dek": dek,
            "body": body,
            "desk": desk,
            "label": label,
            "published_at": published_at,
            "updated_at": published_at,
            "dateline": dateline,
            "lead_image": lead_image,
            "top_rank": top_rank,
            "status": status,
            "language": language,
            "sources": sources or [],
            "method_note": method_note,
            "makes_allegation": makes_allegation,
            "dateline_kind": dateline_kind,
        },
    )
    Byline.objects.filter(story=story).exclude(author__in=authors).delete()
    for position, author in enumerate(authors):
        Byline.objects.update_or_create(story=story, author=author, defaults={"position": position})
    story.tags.set(tags)
    return story
