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


def forget_author_names(**_signal_arguments) -> None:
    """Drop the cached rows now and when the change commits (another request may have read
    the old rows in between)."""
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))
