"""The query parameters public pages read, and the address the caches key by.

A public view declares the parameters it reads (``@query_parameters("before",
"after", "page")``); a view that declares none reads none. The page cache
and the Last-Modified records (``http.py``) key an address by its host, path
and those parameters alone, in one canonical order and encoding
(RELIABILITY.md F2): ``?utm_source=…``, ``?junk=<random>`` or ``;x=1``
appended by a client never make a key of their own, so they can neither
fill the caches nor give a page another copy.

A request whose query holds anything else is *not clean*. The page cache
answers it with the clean address's copy when it has a fresh one (the bytes
a clean request gets: the view ignores what it did not declare), and
otherwise hands it to Django as it came, storing nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import Http404, QueryDict
from django.urls import resolve

NONE: frozenset[str] = frozenset()


def query_parameters(*names: str) -> Callable:
    """Declare the query parameters a public view reads."""

    def declare(view: Callable) -> Callable:
        view.query_parameters = frozenset(names)
        return view

    return declare


def parameters_of(path_info: str) -> frozenset[str]:
    """The query parameters the view at ``path_info`` declares (none for an unknown address)."""
    try:
        view = resolve(path_info).func
    except Http404:
        return NONE
    return getattr(view, "query_parameters", NONE)


def keyed_query(path_info: str, query_string: bytes) -> tuple[str, bool]:
    """The query reduced to the parameters the page at ``path_info`` reads, canonical;
    and whether it held nothing else.

    Parsed as Django parses it (``QueryDict``: ``&`` separates, ``;`` does not,
    percent-escapes decoded); raises ``SuspiciousOperation`` where Django
    would (too many fields).
    """
    if not query_string:
        return "", True
    query = QueryDict(query_string)
    kept = sorted(parameters_of(path_info).intersection(query))
    clean = len(kept) == len(query)
    return urlencode([(name, value) for name in kept for value in query.getlist(name)]), clean
