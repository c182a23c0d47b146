"""Every public surface of the site and the API, found rather than listed (RELIABILITY.md §2.9).

``public_addresses`` reads the URL conf: each public pattern (everything
but the back office, the admin, accounts, the staff API, pushes and preview
links) is filled with every value of ``Pool`` its parameters can take, so a
surface another part adds later (a page, an API endpoint, a feed) is walked
with no change here. ``walk`` GETs them, follows the same-site links the
answers carry (one level: the sitemap index's sitemaps, the API's links,
the pages a story page links to) and returns every answer, through the
page cache (``site/page_cache.py``) so its stored copies can be read too.

A pattern none of whose addresses answered 200 fails ``assert_every_pattern_answered``
unless it is in ``NOT_WALKED`` with the reason: a new surface whose
parameters the pool cannot fill is a gap to close, not a silent skip.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.core.cache import caches
from django.urls import URLPattern, URLResolver, get_resolver

# Staff and private addresses: not public surfaces (the staff API is checked apart).
NOT_PUBLIC = ("admin/", "desk/", "account/", "api/desk/", "wire/push/", "demo/", "preview/")
# Public patterns not walked, and why.
NOT_WALKED = {
    "api/docs/assets/<str:version>/<str:name>": "static files of the API docs page (no content)",
    "api/problems/<name>": "the problem types' documentation (no content)",
    "^media/(?P<path>.*)$": "uploaded files: the canary story has none",
    "api/^(?P<rest>.*)$": "the API's catch-all 404, walked as /api/no-such-thing",
    "favicon.ico": "a redirect to a static file",
}
EXTRA = [
    "/api/no-such-thing",
    "/no-such-desk/",
    "/politics/no-such-story/",
    # Search, with words of the walked stories' headlines (hidden ones' included).
    "/search/?q=secret+or+report+or+trump+or+visible",
    "/api/stories?q=secret+or+report+or+trump+or+visible",
]
# The query strings of RELIABILITY.md §2.9's fuzz, tried on the pages that show the story.
FUZZ = [
    "?preview=1",
    "?static=1&order=asc",
    "?status=draft",
    "?format=json",
    "?include_drafts=true",
    "?as_of=2099-01-01",
    "?page=0",
    "?page=-1",
]
_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_LINK = re.compile(r"""(?:href|src|<loc>|"url":\s*|"href":\s*)=?["']?([^"'<>\s]+)""")


@dataclass
class Pool:
    """The values each URL parameter name may take (every slug of every kind)."""

    values: dict[str, list[str]] = field(default_factory=dict)

    def of(self, name: str) -> list[str]:
        return self.values.get(name, [])


def public_patterns() -> list[str]:
    """The routes of the public URL conf, as strings with their prefixes."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    routes = dict.fromkeys(walk(get_resolver().url_patterns))
    return [route for route in routes if not route.startswith(NOT_PUBLIC)]


def addresses_of(route: str, pool: Pool) -> list[str]:
    """Every address ``route`` takes with the pool's values ([] for a regex or unfillable one)."""
    if route.startswith("^") or "^" in route:
        return []
    names = [match["name"] for match in _PARAMETER.finditer(route)]
    choices = [pool.of(name) for name in names]
    if any(not values for values in choices):
        return []
    found = []
    for combination in itertools.product(*choices):
        found.append("/" + _fill(route, iter(combination)))
    return found


def _fill(route: str, values) -> str:
    return _PARAMETER.sub(lambda _match: str(next(values)), route)


def public_addresses(pool: Pool, root: str = "") -> dict[str, list[str]]:
    """route → its addresses, for every public route not in ``NOT_WALKED``; under
    ``/<root>/`` for an edition's (routes the edition does not serve answer 404 there)."""
    prefix = f"/{root}" if root else ""
    return {
        route: [prefix + address for address in addresses_of(route, pool)]
        for route in public_patterns()
        if route not in NOT_WALKED
    }


@dataclass
class Answer:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def everything(self) -> str:
        return self.text + "\n" + "\n".join(f"{k}: {v}" for k, v in self.headers.items())


def links_in(answer: Answer) -> list[str]:
    """Same-site paths an answer names (HTML links, sitemap locations, API links)."""
    if not answer.headers.get("Content-Type", "").startswith(
        ("text/html", "application/", "text/xml")
    ):
        return []
    paths = []
    for link in _LINK.findall(answer.text):
        parts = urlsplit(urljoin("http://testserver" + answer.url, link.replace("&amp;", "&")))
        if parts.hostname not in ("testserver", None) or not parts.path.startswith("/"):
            continue
        if parts.path.lstrip("/").startswith(NOT_PUBLIC) or parts.path.startswith(
            ("/static/", "/media/")
        ):
            continue
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


def walk(get, addresses: dict[str, list[str]], *, extra=(), follow: int = 400) -> list[Answer]:
    """GET every address, then the same-site links they carry (up to ``follow`` more)."""
    seen: dict[str, Answer] = {}
    queue = [url for urls in addresses.values() for url in urls] + list(extra)
    for url in queue:
        if url not in seen:
            seen[url] = get(url)
    for answer in list(seen.values()):
        if answer.status != 200:
            continue
        for link in links_in(answer):
            if link not in seen and len(seen) < len(queue) + follow:
                seen[link] = get(link)
    return list(seen.values())


def assert_every_pattern_answered(addresses: dict[str, list[str]], answers: list[Answer]) -> None:
    """Each walked route had an address that answered 200: no surface is skipped unseen."""
    ok = {answer.url for answer in answers if answer.status == 200}
    silent = [route for route, urls in addresses.items() if not ok.intersection(urls)]
    assert not silent, (
        f"public routes walked with no 200 answer (fill Pool or NOT_WALKED): {silent}"
    )


def cached_bytes() -> list[bytes]:
    """Every value this test put in Django's default cache (fragments, shared pages …)."""
    cache = caches["default"]
    if hasattr(cache, "_cache") and isinstance(cache._cache, dict):  # locmem
        return [bytes(value) for value in cache._cache.values()]
    client = cache._cache.get_client()  # Redis
    values = []
    for key in client.scan_iter(match=f"{cache.key_prefix}*"):  # this test's keys
        if client.type(key) not in (b"string", "string"):
            continue  # not a cache entry
        value = client.get(key)
        if value is not None:
            values.append(bytes(value))
    return values
