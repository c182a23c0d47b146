"""Authors' names in other editions' languages: which words an edition shows for an author.

An author has one profile (``Author``), written in the default edition's language. Staff
who work in two editions also have an ``AuthorName`` per other language (“کاوه نوری”,
“تحلیلگر”, a Persian bio), edited with the profile in the admin. ``words_in(author,
language)`` answers what a page, feed, JSON-LD or ninjs in that language shows: the
``AuthorName``'s name, and its job title and bio where it has them, else the profile's.

The rows are few (a name per bilingual person and language) and every byline of every page
asks, so all of them are read through Django's cache as one entry, dropped when a change
commits (as ``editions.all_editions`` does), and the page caches follow through the
``site`` version that a change bumps (``stories/apps.py``). A page in the profile's own
language (``LANGUAGE_CODE``) asks nothing at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

if TYPE_CHECKING:
    from masthead.newsroom.models import Author

CACHE_KEY = "newsroom:author-names:v1"
CACHE_SECONDS = 300


class AuthorWords:
    """What a page in one language shows of an author: ``name``, ``job_title``, ``bio``.

    Each is read from the profile only when asked for and found nowhere else, so a list
    that loaded only the authors' names (``.only("name", …)``) asks nothing more."""

    __slots__ = ("_author", "_found")

    def __init__(self, author: Author, found: tuple[str, str, str] | None):
        self._author, self._found = author, found or ("", "", "")

    @property
    def name(self) -> str:
        return self._found[0] or self._author.name

    @property
    def job_title(self) -> str:
        return self._found[1] or self._author.job_title

    @property
    def bio(self) -> str:
        return self._found[2] or self._author.bio

    def __repr__(self) -> str:
        return f"AuthorWords({self.name!r})"


def profile_languages() -> set[str]:
    """The languages an author's profile itself is written in: the outlet's
    (``LANGUAGE_CODE``) and its default edition's. No ``AuthorName`` may be in them."""
    from masthead.newsroom.editions import default_edition

    return {settings.LANGUAGE_CODE.lower(), default_edition().language}


def editions_of_other_languages() -> list:
    """One edition per language other than the profile's: the languages staff may name an
    author in (the back office's staff form offers one set of fields each)."""
    from masthead.newsroom.editions import all_editions

    own, found = profile_languages(), {}
    for edition in all_editions():
        if edition.language not in own:
            found.setdefault(edition.language, edition)
    return list(found.values())


def all_names() -> dict[str, dict[int, tuple[str, str, str]]]:
    """Every ``AuthorName``, by language and author: from the cache, from the database on a
    miss."""
    found = cache.get(CACHE_KEY)
    if found is not None:
        return found
    from masthead.newsroom.models import AuthorName

    names: dict[str, dict[int, tuple[str, str, str]]] = {}
    rows = AuthorName.objects.values_list("language", "author_id", "name", "job_title", "bio")
    for language, author_id, name, job_title, bio in rows:
        names.setdefault(language, {})[author_id] = (name, job_title, bio)
    cache.set(CACHE_KEY, names, CACHE_SECONDS)
    return names


def words_in(author: Author, language: str | None) -> AuthorWords:
    """The author as a page in ``language`` shows them (see the module docstring)."""
    if not language or language.lower() == settings.LANGUAGE_CODE.lower() or author.pk is None:
        return AuthorWords(author, None)
    return AuthorWords(author, all_names().get(language.lower(), {}).get(author.pk))


def set_names(author: Author, names: dict[str, dict[str, str]]) -> bool:
    """Keep ``author``'s names per language as typed (``{"fa": {"name", "job_title",
    "bio"}}``): a blank name removes that language's. Refused (ValidationError, keyed by
    the form's field names) for a title or bio without a name, or as ``AuthorName.clean``
    refuses. Whether anything changed."""
    from django.core.exceptions import ValidationError

    from masthead.newsroom.models import AuthorName

    changed = False
    for language, typed in names.items():
        found = AuthorName.objects.filter(author=author, language=language).first()
        if not typed.get("name", "").strip():
            if typed.get("job_title", "").strip() or typed.get("bio", "").strip():
                raise ValidationError(
                    {f"name_{language}": "Give the name too, or leave all three empty."}
                )
            if found is not None:
                found.delete()
                changed = True
            continue
        name = found or AuthorName(author=author, language=language)
        before = (name.name, name.job_title, name.bio)
        name.name, name.job_title, name.bio = typed["name"], typed["job_title"], typed["bio"]
        try:
            name.full_clean()
        except ValidationError as error:
            raise ValidationError(
                {f"{field}_{language}": messages for field, messages in error.message_dict.items()}
            ) from None
        if found is None or before != (name.name, name.job_title, name.bio):
            name.save()
            changed = True
    return changed


def forget_author_names(**_signal_arguments) -> None:
    """Drop the cached rows now and when the change commits (another request may have read
    the old rows in between)."""
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))
