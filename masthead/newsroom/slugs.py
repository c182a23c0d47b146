"""The one way a name or a headline becomes a slug (an address segment).

Django's ``slugify`` with Unicode letters kept (a Persian headline gets a
Persian slug: ``/fa/siasat/مذاکرات-در-وین/``), after the Persian/Arabic
folding of search (``search/normalize.fold_arabic_script``): Arabic ``ي`` and
``ك`` become Persian ``ی`` and ``ک``, diacritics and the zero-width
non-joiner go, ``۱۴۰۵`` becomes ``1405``. So a headline typed on either
keyboard gets one slug, a duplicate check sees one name, and an address a
reader types with the other keyboard's letters is found (``site/views.py``).
"""

from __future__ import annotations

from django.utils.text import slugify

from masthead.search.normalize import fold_arabic_script


def unicode_slug(text: str, limit: int | None = None) -> str:
    """``text`` as a slug, letters of every script kept, at most ``limit`` characters."""
    slug = slugify(fold_arabic_script(text or ""), allow_unicode=True)
    if limit is not None:
        slug = slug[:limit]
    return slug.strip("-")
