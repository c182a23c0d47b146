"""Authors' words in other editions' languages: which words an edition shows for an author.

An author has one profile (``Author``), written in the default edition's language. Staff
who work in two editions also have an ``AuthorName`` per other language (“کاوه نوری”,
“تحلیلگر”, a Persian bio, expertise, languages and location), edited with the profile in
the admin and on the back office's staff form. ``words_in(author, language)`` answers what a
page, feed, JSON-LD or ninjs in that language shows: the ``AuthorName``'s name, and each
other field where it has one, else the profile's; and, for the portrait, its alt text in that
language (``AuthorWords.photo_alt``).

The rows are few (a name per bilingual person and language) and every byline of every page
asks, so all of them are read through Django's cache as one entry, dropped when a change
commits (as ``editions.all_editions`` does), and the page caches follow through the
``site`` version that a change bumps (``stories/apps.py``). A page in the profile's own
language (``LANGUAGE_CODE``) asks nothing at all.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext, pgettext

if TYPE_CHECKING:
    from masthead.newsroom.models import Author

# The shape of the cached rows is in the key: a deploy that adds a field reads no old rows.
CACHE_KEY = "newsroom:author-names:v2"
CACHE_SECONDS = 300
# What an ``AuthorName`` says of an author, in this order in the cache; each but the name
# falls back to the profile's field of the same name.
FIELDS = ("name", "job_title", "bio", "expertise", "languages", "location", "other_work")
# Languages are typed comma-separated, with a Latin comma or the Persian/Arabic one (،).
LANGUAGE_SEPARATORS = re.compile("[,\u060c]")


def byline_sentence(names: list[str]) -> str:
    """Authors' names as one line in the active language, joined as a page's bylines join
    them: “A, B and C”, “الف، ب و پ” (feeds, ninjs ``by``; not Django's ``get_text_list``,
    whose Persian comma has no space after it)."""
    if len(names) == 1:
        return names[0]
    separator, last = pgettext("list separator", ", "), gettext("and")
    return separator.join(names[:-1]) + f" {last} " + names[-1]


def entries(text: str) -> list[str]:
    """The entries of a one-a-line field (expertise, work elsewhere)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def language_entries(text: str) -> list[str]:
    """The entries of a comma-separated languages field."""
    return [part.strip() for part in LANGUAGE_SEPARATORS.split(text or "") if part.strip()]


def _shown(field: str) -> property:
    index = FIELDS.index(field)

    def get(self: AuthorWords) -> str:
        return self._found[index] or getattr(self._author, field)

    return property(get, doc=f"The language's ``{field}``, else the profile's.")


class AuthorWords:
    """What a page in one language shows of an author: ``name``, ``job_title``, ``bio``,
    ``expertise`` (and ``expertise_list``), ``languages`` (``language_list``),
    ``location``, ``other_work`` (``other_work_list``) and ``photo_alt``.

    Each is read from the profile only when asked for and found nowhere else, so a list
    that loaded only the authors' names (``.only("name", …)``) asks nothing more."""

    __slots__ = ("_author", "_found", "_language")

    name = _shown("name")
    job_title = _shown("job_title")
    bio = _shown("bio")
    expertise = _shown("expertise")
    languages = _shown("languages")
    location = _shown("location")
    other_work = _shown("other_work")

    def __init__(self, author: Author, found: tuple[str, ...] | None, language: str = ""):
        self._author, self._found = author, found or ("",) * len(FIELDS)
        self._language = language

    @property
    def expertise_list(self) -> list[str]:
        return entries(self.expertise)

    @property
    def language_list(self) -> list[str]:
        return language_entries(self.languages)

    @property
    def other_work_list(self) -> list[str]:
        return entries(self.other_work)

    @property
    def photo_alt(self) -> str:
        """The portrait's alt text. The picture's own (``Image.alt_text``) is written once,
        in the profile's language; a language with a name of the author's says “Portrait of
        <that name>” in its words instead (a collective's mark: its name)."""
        photo = self._author.photo
        if photo is None:
            return ""
        if not self._found[0]:
            return photo.alt_text
        if self._author.is_collective:
            return self.name
        with translation.override(self._language):
            return translation.pgettext("author photo", "Portrait of %(name)s") % {
                "name": self.name
            }

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


def all_names() -> dict[str, dict[int, tuple[str, ...]]]:
    """Every ``AuthorName``, by language and author, as tuples of ``FIELDS``: from the cache,
    from the database on a miss."""
    found = cache.get(CACHE_KEY)
    if found is not None:
        return found
    from masthead.newsroom.models import AuthorName

    names: dict[str, dict[int, tuple[str, ...]]] = {}
    for language, author_id, *words in AuthorName.objects.values_list(
        "language", "author_id", *FIELDS
    ):
        names.setdefault(language, {})[author_id] = tuple(words)
    cache.set(CACHE_KEY, names, CACHE_SECONDS)
    return names


def words_in(author: Author, language: str | None) -> AuthorWords:
    """The author as a page in ``language`` shows them (see the module docstring)."""
    if not language or language.lower() == settings.LANGUAGE_CODE.lower() or author.pk is None:
        return AuthorWords(author, None)
    found = all_names().get(language.lower(), {}).get(author.pk)
    return AuthorWords(author, found, language)


def set_names(author: Author, names: dict[str, dict[str, str]]) -> bool:
    """Keep ``author``'s words per language as typed (``{"fa": {"name", "job_title", "bio",
    "expertise", "languages", "location", "other_work"}}``; a field not given is kept): a
    blank name removes that language's. Refused (ValidationError, keyed by the form's field
    names) for any other field without a name, or as ``AuthorName.clean`` refuses. Whether
    anything changed."""
    from django.core.exceptions import ValidationError

    from masthead.newsroom.models import AuthorName

    changed = False
    for language, typed in names.items():
        found = AuthorName.objects.filter(author=author, language=language).first()
        if not typed.get("name", "").strip():
            if any(typed.get(field, "").strip() for field in FIELDS[1:]):
                raise ValidationError(
                    {f"name_{language}": "Give the name too, or leave every field empty."}
                )
            if found is not None:
                found.delete()
                changed = True
            continue
        name = found or AuthorName(author=author, language=language)
        before = tuple(getattr(name, field) for field in FIELDS)
        for field in FIELDS:
            if field in typed:
                setattr(name, field, typed[field])
        try:
            name.full_clean()
        except ValidationError as error:
            raise ValidationError(
                {f"{field}_{language}": messages for field, messages in error.message_dict.items()}
            ) from None
        if found is None or before != tuple(getattr(name, field) for field in FIELDS):
            name.save()
            changed = True
    return changed


def forget_author_names(**_signal_arguments) -> None:
    """Drop the cached rows now and when the change commits (another request may have read
    the old rows in between)."""
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))
