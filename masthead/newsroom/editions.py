"""The outlet's editions: one per language its readers read it in.

An edition has a language (a BCP 47 code Django knows, e.g. ``en``, ``fa``),
the direction that language is written in, a calendar, a time zone, a URL
root and the publication name search engines are told. Every desk belongs to
one edition, and a story to the edition of its desk (``Story.edition``): a
story never holds an edition of its own that could disagree with its desk.

The default edition is the site as it was before editions: it has no URL
root, so its addresses are unchanged (``/politics/a-story/``); every other
edition lives under its root (``/fa/politics-fa/a-story/``). Exactly one
edition is the default: a partial unique constraint allows no second one,
and the default can be neither demoted nor deleted (there is no "move the
default" operation yet; it would change every address of two editions).

An edition's URL root never changes once it is saved: it is in every address
of its stories, and moving them would need a redirect for each. Because it
never changes, ``url_root_of(edition_id)`` can keep the roots in process
memory, which is what lets a list of fifty stories build fifty addresses
without asking anyone. The rows themselves (language, calendar, zone …,
which can change) are read through Django's cache (``all_editions``) and the
entry is dropped when a change commits, so every app server sees an edition
change at its next request (a bulk ``update()`` skips ``save()``: its change
shows once the entry expires, after ``CACHE_SECONDS``).

An edition may also live at a host of its own (``Edition.host``,
``fa.news.example``): there its addresses have no root (``/siasat/a-story/``),
its requests get a URL configuration of the public routes without prefix
(``urlconf_for_host``), and ``/<root>/…`` on the main host moves permanently
to the host. Unlike the root, a host may change, so it is not kept for good:
every read of the rows (``all_editions``, which each public request makes)
refreshes this process's map of hosts, and ``edition_origin`` reads that map
to decide whether an address needs the scheme and host in front (it does
whenever the page being rendered is on another host than the edition's).

Direction is computed, not stored: Django's own table of languages
(``django.conf.locale.LANG_INFO``, the one behind ``LANGUAGES_BIDI``) says
whether a language is written right to left, so a stored column could only
ever disagree with it.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models.expressions import DatabaseDefault
from django.urls import get_urlconf
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language_info

# The second and later editions' roots: the first segment of their addresses.
URL_ROOT_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$")
# A host name as an edition's host is written: lower-case labels, no port, no dot at the end.
HOST_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
HOST_PATTERN = re.compile(rf"^(?=.{{1,253}}$){HOST_LABEL}(\.{HOST_LABEL})*$")
# BCP 47 as Django's language table spells it: ``fa``, ``pt-br``, ``zh-hans``.
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
# The rows of every edition, read through the cache (see the module docstring).
CACHE_KEY = "newsroom:editions:v3"  # v3: with address
CACHE_SECONDS = 300


class Calendar(models.TextChoices):
    GREGORIAN = "gregorian", "Gregorian"
    JALALI = "jalali", "Solar Hijri (Jalali)"


def validate_language(value: str) -> None:
    value = (value or "").lower()  # BCP 47 ignores case; it is stored lower-case (clean)
    if not LANGUAGE_PATTERN.match(value):
        raise ValidationError(
            f"“{value}” is not a language code: use a BCP 47 code such as “en” or “fa”."
        )
    try:
        get_language_info(value)
    except KeyError:
        raise ValidationError(
            f"“{value}” is not a language Masthead knows (Django's list of languages)."
        ) from None


def validate_time_zone(value: str) -> None:
    if not value:
        return  # the outlet's zone, settings.TIME_ZONE
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"“{value}” is not a time zone: use an IANA name such as “Asia/Tehran”."
        ) from None


@functools.cache
def reserved_roots() -> frozenset[str]:
    """First path segments an edition may not take: the site's own, and other apps' routes."""
    from masthead.newsroom.models import RESERVED_SLUGS

    return RESERVED_SLUGS | {"wire", "demo"}


def validate_url_root(value: str) -> None:
    if not value:
        return  # the default edition's
    if not URL_ROOT_PATTERN.match(value):
        raise ValidationError(
            "A URL root is 2 to 40 lower-case letters, digits or hyphens, starting with "
            f"a letter, with no slash: “fa”, “en-us”. “{value}” is not."
        )
    if value in reserved_roots():
        raise ValidationError(f"“{value}” is used by the site itself; choose another root.")


def validate_host(value: str) -> None:
    """A bare host name the site answers for (``ALLOWED_HOSTS``); empty: no host of its own."""
    if not value:
        return
    value = value.lower()  # host names ignore case; it is stored lower-case (clean)
    if not HOST_PATTERN.match(value):
        raise ValidationError(
            f"“{value}” is not a host name: write it bare, lower-case, without scheme, port "
            "or path, e.g. “fa.news.example”."
        )
    from django.http.request import validate_host as is_allowed

    if not is_allowed(value, settings.ALLOWED_HOSTS):
        raise ValidationError(
            f"“{value}” is not in ALLOWED_HOSTS, so the site would refuse its requests: "
            "add it there first."
        )
    if not settings.SITE_URL:
        raise ValidationError(
            "An edition on its own host needs SITE_URL (the main host's address): its pages "
            "link back to the other editions there."
        )
    if value == (urlsplit(settings.SITE_URL).hostname or ""):
        raise ValidationError(f"“{value}” is the main site's host (SITE_URL).")


class Edition(models.Model):
    name = models.CharField(max_length=80, unique=True, help_text="“English”, “فارسی”.")
    slug = models.SlugField(max_length=40, unique=True, help_text="How the API names it: “fa”.")
    language = models.CharField(
        max_length=16,
        validators=[validate_language],
        help_text="BCP 47 language code: “en”, “fa”. It sets the direction (fa, ar, he: rtl).",
    )
    calendar = models.CharField(max_length=12, choices=Calendar.choices, default=Calendar.GREGORIAN)
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text="IANA name, e.g. “Asia/Tehran”; empty: the outlet's (the TIME_ZONE setting).",
    )
    url_root = models.CharField(
        max_length=40,
        blank=True,
        unique=True,
        validators=[validate_url_root],
        help_text=(
            "The first segment of the edition's addresses: “fa” gives /fa/. Empty for the "
            "default edition only. It cannot change once saved."
        ),
    )
    host = models.CharField(
        max_length=253,
        blank=True,
        default="",
        db_default="",
        validators=[validate_host],
        help_text=(
            "A host of its own, e.g. “fa.news.example” (in ALLOWED_HOSTS): its addresses are "
            "then there, without the URL root, and /<root>/… on the main host moves there. "
            "Empty: under its URL root on the main host."
        ),
    )
    publication_name = models.CharField(
        max_length=120, help_text="The name search engines list it under (Google News)."
    )
    is_default = models.BooleanField(
        default=False, help_text="The edition at the site's root; there is exactly one."
    )
    tagline = models.CharField(
        max_length=200,
        blank=True,
        help_text=(
            "The line under the name on this edition's pages, in its language. Empty for the "
            "default edition: it shows the outlet's tagline."
        ),
    )
    about = models.TextField(
        blank=True,
        db_default="",  # no table rebuild on SQLite for the new column (migration_lint)
        help_text=(
            "Who the outlet is, on this edition's masthead page, in its language; blank lines "
            "separate paragraphs. Empty for the default edition: it shows the outlet's."
        ),
    )
    address = models.CharField(
        max_length=300,
        blank=True,
        default="",
        db_default="",  # no table rebuild on SQLite for the new column (migration_lint)
        help_text=(
            "The newsroom's postal address on this edition's masthead page, in its language. "
            "Empty: the outlet's address is shown."
        ),
    )

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="edition_one_default",
            ),
            models.CheckConstraint(
                condition=models.Q(is_default=True, url_root="")
                | (models.Q(is_default=False) & ~models.Q(url_root="")),
                name="edition_root_unless_default",
            ),
            models.CheckConstraint(
                condition=models.Q(calendar__in=Calendar.values), name="edition_known_calendar"
            ),
            models.UniqueConstraint(
                fields=["host"], condition=~models.Q(host=""), name="edition_unique_host"
            ),
            models.CheckConstraint(
                condition=models.Q(host="") | models.Q(is_default=False),
                name="edition_host_not_default",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def published_as(self) -> str:
        """The name its pages, feeds and Google News sitemap give (``name_with``)."""
        from masthead.newsroom.models import Outlet  # the models module imports this one

        return self.name_with(SimpleLazyObject(Outlet.current))  # read only if needed

    def name_with(self, outlet) -> str:
        """Its name: the outlet's own for the default edition (renaming the outlet renames
        it), its publication name for any other."""
        if self.is_default or not self.publication_name:
            return outlet.name
        return self.publication_name

    def tagline_with(self, outlet) -> str:
        """The line under its name, in its language: its own tagline, else (the default edition
        only) the outlet's. Another edition shows none rather than a line in the wrong language."""
        if self.tagline:
            return self.tagline
        return outlet.tagline if self.is_default else ""

    def about_with(self, outlet) -> str:
        """Who the outlet is, in the edition's language: its own text, else (the default
        edition only) the outlet's; another edition shows none rather than the wrong language."""
        if self.about:
            return self.about
        return outlet.about if self.is_default else ""

    def address_with(self, outlet) -> str:
        """Where the newsroom is, for its readers to write to: its own address in the edition's
        language, else the outlet's, for every edition. Unlike a tagline or an about text, an
        address in another script still gets a letter delivered: better than none."""
        return self.address or outlet.address

    @property
    def direction(self) -> str:
        """``rtl`` or ``ltr``: from Django's table of languages."""
        try:
            return "rtl" if get_language_info(self.language)["bidi"] else "ltr"
        except KeyError:
            return "ltr"

    @property
    def zone_name(self) -> str:
        return self.time_zone or settings.TIME_ZONE

    @property
    def is_jalali(self) -> bool:
        return self.calendar == Calendar.JALALI

    def clean(self) -> None:
        from masthead.newsroom.text import clean_line

        self.language = (self.language or "").strip().lower()
        self.tagline = clean_line(self.tagline)
        self.address = clean_line(self.address)
        self.host = (self.host or "").strip().lower()
        errors = {}
        if self.host and self.is_default:
            errors["host"] = "The default edition is the main site (SITE_URL): it has no host."
        stored = None if self.pk is None else Edition.objects.filter(pk=self.pk).first()
        if stored is not None and stored.url_root != self.url_root:
            errors["url_root"] = (
                "An edition's URL root cannot change: every address of its stories holds it."
            )
        if stored is not None and stored.is_default and not self.is_default:
            errors["is_default"] = "The default edition stays the default."
        elif self.is_default and _other_default_exists(self.pk):
            errors["is_default"] = "There is already a default edition; there can be only one."
        if self.is_default and self.url_root:
            errors["url_root"] = "The default edition has no URL root: it is the site's root."
        if not self.is_default and not self.url_root:
            errors["url_root"] = "An edition other than the default needs a URL root, e.g. “fa”."
        if self.url_root and _is_desk_slug(self.url_root):
            errors["url_root"] = f"A desk's address is /{self.url_root}/; choose another root."
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            stored = Edition.objects.filter(pk=self.pk).values_list("url_root", flat=True).first()
            if stored is not None and stored != self.url_root:
                raise ValidationError("An edition's URL root cannot change once saved.")
        super().save(*args, **kwargs)
        forget_editions()

    def delete(self, *args, **kwargs):
        if self.is_default:
            raise ValidationError("The default edition cannot be deleted.")
        result = super().delete(*args, **kwargs)
        forget_editions()
        return result


def _other_default_exists(pk: int | None) -> bool:
    return Edition.objects.filter(is_default=True).exclude(pk=pk).exists()


def _is_desk_slug(value: str) -> bool:
    from masthead.newsroom.models import Desk

    return Desk.objects.filter(slug=value).exists()


def settings_default() -> Edition:
    """The default edition as today's settings describe it (what the migration stores)."""
    from masthead.newsroom.models import Outlet

    language = settings.LANGUAGE_CODE.lower()
    try:
        name = get_language_info(language)["name"]
    except KeyError:
        language, name = "en", "English"
    return Edition(
        name=name,
        slug=language,
        language=language,
        calendar=Calendar.GREGORIAN,
        time_zone="",
        url_root="",
        publication_name=Outlet.current().name,
        is_default=True,
    )


def all_editions() -> list[Edition]:
    """Every edition, the default first: from the cache, read from the database on a miss."""
    found = cache.get(CACHE_KEY)
    if isinstance(found, list):
        _remember_hosts(found)
        return found
    editions = list(Edition.objects.all())
    cache.set(CACHE_KEY, editions, CACHE_SECONDS)
    _remember_hosts(editions)
    return editions


def default_edition() -> Edition:
    """The default edition, or (before there is one) the unsaved one the settings describe.

    Reading never writes: a database without editions (emptied by a test) answers
    with an edition that has no desks, so every list in it is empty.
    """
    for edition in all_editions():
        if edition.is_default:
            return edition
    return settings_default()


def edition_at_host(host: str) -> Edition | None:
    """The edition at ``host`` (a host name without port, lower-case); None for the main host.

    The main host (``SITE_URL``'s) is known without reading the editions, so the back office's
    and the API's requests there read nothing; without ``SITE_URL`` no edition has a host.
    """
    if not host or not settings.SITE_URL or host == _hostname(settings.SITE_URL):
        return None
    for edition in all_editions():
        if edition.host == host:
            return edition
    return None


def edition_at_root(url_root: str) -> Edition | None:
    """The edition whose addresses start with ``/<url_root>/``; None for no edition."""
    if not url_root:
        return None
    for edition in all_editions():
        if edition.url_root == url_root:
            return edition
    return None


def edition_in_language(language: str | None) -> Edition:
    """The edition written in ``language`` (an interface language: ``fa``), else the default.

    The pages staff reach from the back office (the account pages, ``/account/``) wear the
    header and footer of the edition in the staff member's language
    (``accounts/interface_language.py``). The default edition wins if it is in that
    language, then the first other edition in it (by name); a language no edition is
    written in gets the default. ``fa-ir`` matches an edition in ``fa`` (and ``fa`` one
    in ``fa-ir``) when no edition is in that exact language.
    """
    language = (language or "").lower()
    if not language:
        return default_edition()
    editions = all_editions()  # the default first, then by name (``Edition.Meta.ordering``)
    base = language.split("-", 1)[0]
    for edition in editions:
        if edition.language == language:
            return edition
    for edition in editions:
        if edition.language.split("-", 1)[0] == base:
            return edition
    return default_edition()


def default_edition_id() -> int:
    """The default of ``Desk.edition``: the default edition, made from the settings if none is."""
    found = Edition.objects.filter(is_default=True).values_list("pk", flat=True).first()
    if found is not None:
        return found
    edition = settings_default()
    # Called as a field default while migrations run (0006), when the table may not yet
    # have the columns later migrations add (0007's ``about``): insert the ones it has.
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, Edition._meta.db_table)
    columns = {column.name for column in description}
    # Columns the database fills itself (``db_default``) are left to it.
    fields = [
        field
        for field in Edition._meta.local_concrete_fields
        if field.column in columns
        and not field.primary_key
        and not isinstance(field.value_from_object(edition), DatabaseDefault)
    ]
    quote = connection.ops.quote_name
    table = quote(Edition._meta.db_table)
    names = ", ".join(quote(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    values = [
        field.get_db_prep_save(field.value_from_object(edition), connection) for field in fields
    ]
    # The model's own table and column names, quoted; the values are parameters.
    insert = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
    select = f"SELECT {quote('id')} FROM {table} WHERE {quote('is_default')} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(insert, values)
        cursor.execute(select, [True])
        row = cursor.fetchone()
    forget_editions()
    return row[0]


_url_roots: dict[int, str] = {}


def url_root_of(edition_id: int | None) -> str:
    """The URL root of an edition ("" for the default), kept in process memory: it never changes."""
    if edition_id is None:
        return ""
    root = _url_roots.get(edition_id)
    if root is None:
        for edition in all_editions():
            _url_roots[edition.pk] = edition.url_root
        root = _url_roots.get(edition_id)
        if root is None:
            # Not in the cached rows (made a moment ago elsewhere): from the database.
            root = Edition.objects.filter(pk=edition_id).values_list("url_root", flat=True).first()
            if root is None:
                return ""
            _url_roots[edition_id] = root
    return root


# Each edition's host ("" for none), as the last read of the rows said (see the docstring),
# and whether any edition has one: without, an address costs what it did before hosts.
_hosts: tuple[dict[int, str], bool] | None = None


def _remember_hosts(editions: list[Edition]) -> None:
    global _hosts
    found = {edition.pk: edition.host for edition in editions}
    _hosts = (found, any(found.values()))  # one assignment: safe between threads


def _known_hosts(edition_id: int | None) -> tuple[dict[int, str], bool]:
    known = _hosts
    if known is None or (edition_id is not None and edition_id not in known[0]):
        all_editions()
        known = _hosts or ({}, False)
    return known


def host_of(edition_id: int | None) -> str:
    """The host of an edition ("" when it lives on the main host)."""
    if edition_id is None:
        return ""
    return _known_hosts(edition_id)[0].get(edition_id, "")


@functools.lru_cache(maxsize=8)
def _hostname(site_url: str) -> str:
    return urlsplit(site_url).hostname or ""


@functools.lru_cache(maxsize=64)
def _origin(host: str, site_url: str) -> str:
    parts = urlsplit(site_url) if site_url else None
    scheme = parts.scheme if parts is not None else "https"
    port = f":{parts.port}" if parts is not None and parts.port else ""
    return f"{scheme}://{host}{port}"


def origin_of_host(host: str) -> str:
    """``scheme://host[:port]`` of an edition host: ``SITE_URL``'s scheme and port (an edition
    host is served as the main host is, behind the same proxy)."""
    return _origin(host, settings.SITE_URL)


def edition_netlocs() -> frozenset[str]:
    """``host[:port]`` of every edition host, as its addresses are written (``SITE_URL``'s
    port): the outlet's own hosts besides the main one. Without ``SITE_URL`` no edition has
    a host, and nothing is read."""
    if not settings.SITE_URL:
        return frozenset()
    hosts, any_host = _known_hosts(None)
    if not any_host:
        return frozenset()
    return frozenset(urlsplit(origin_of_host(host)).netloc for host in hosts.values() if host)


def main_origin() -> str:
    """``scheme://host[:port]`` of the main host (``SITE_URL``'s; "" without it)."""
    if not settings.SITE_URL:
        return ""
    parts = urlsplit(settings.SITE_URL)
    return f"{parts.scheme}://{parts.netloc}"


def serving_host(urlconf=None) -> str:
    """The edition host the page being rendered is on ("" for the main host): its URL
    configuration (``urlconf``, else the thread's, which the middleware set) says so."""
    urlconf = urlconf if urlconf is not None else get_urlconf()
    return getattr(urlconf, "host", "")


def address_base(edition_id: int | None) -> tuple[str, object]:
    """What goes before a path of the edition for the page being rendered, and the URL
    configuration that reverses the path: ("", its configuration) when the page is on the
    edition's host (or both are on the main host), else (that host's origin, …)."""
    hosts, any_host = _known_hosts(edition_id)
    if not any_host:  # no edition has a host: addresses are paths, as before hosts
        return "", urlconf_for_root(url_root_of(edition_id))
    host, here = hosts.get(edition_id, "") if edition_id is not None else "", serving_host()
    if host:
        urlconf = urlconf_for_host(host)
        return ("" if host == here else origin_of_host(host)), urlconf
    return (main_origin() if here else ""), urlconf_for_root(url_root_of(edition_id))


def urlconf_of(edition_id: int | None):
    """The URL configuration that reverses into the edition's addresses."""
    return address_base(edition_id)[1]


def edition_origin(edition_id: int | None) -> str:
    """What goes before a path of the edition for the page being rendered: "" when the page
    is on the edition's host (or both are on the main host), else that host's origin."""
    return address_base(edition_id)[0]


def forget_editions(**_signal_arguments) -> None:
    """Drop the cached rows (when the change commits) and this process's roots and hosts."""
    global _hosts
    _hosts = None
    _url_roots.clear()
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))


# One URL configuration per edition root, kept so that Django's resolver cache
# (keyed by the configuration) is built once for each.
_urlconfs: dict[str, object] = {}


class EditionURLConf:
    """The public site's routes under ``/<root>/``: the URL configuration of one edition's requests.

    ``reverse()`` against it gives the edition's addresses, and the middleware
    (``site/editions.py``) makes it the configuration of that edition's requests,
    so every ``{% url 'site:…' %}`` on its pages carries the root.
    """

    host = ""  # on the main host

    def __init__(self, root: str):
        from django.urls import include, path

        self.root = root
        self.urlpatterns = [path(f"{root}/", include("masthead.site.urls"))]
        self.handler400 = "masthead.request_limits.bad_request"
        self.handler404 = "masthead.site.views.page_not_found"
        self.handler500 = "masthead.site.views.server_error"

    def __repr__(self) -> str:
        return f"<EditionURLConf /{self.root}/>"


def urlconf_for_root(root: str):
    """The URL configuration that reverses into the edition at ``root`` (the root one for "")."""
    if not root:
        return settings.ROOT_URLCONF
    found = _urlconfs.get(root)
    if found is None:
        found = _urlconfs[root] = EditionURLConf(root)
    return found


class EditionHostURLConf:
    """The public site's routes without prefix, for the requests of an edition at a host of its
    own (``fa.news.example/siasat/…``), with the favicon and the media gate as on the main host.
    The back office, the API and the admin are not here: on an edition's host they are nobody's.
    """

    def __init__(self, host: str):
        from django.urls import include, path, re_path

        from masthead.site.media import serve_media
        from masthead.urls import favicon

        self.host = host
        self.urlpatterns = [path("favicon.ico", favicon)]
        if settings.SERVE_MEDIA:
            media_prefix = settings.MEDIA_URL.lstrip("/")
            self.urlpatterns.append(re_path(rf"^{media_prefix}(?P<path>.*)$", serve_media))
        self.urlpatterns.append(path("", include("masthead.site.urls")))
        self.handler400 = "masthead.request_limits.bad_request"
        self.handler404 = "masthead.site.views.page_not_found"
        self.handler500 = "masthead.site.views.server_error"

    def __repr__(self) -> str:
        return f"<EditionHostURLConf {self.host}>"


_host_urlconfs: dict[str, EditionHostURLConf] = {}


def urlconf_for_host(host: str) -> EditionHostURLConf:
    """The URL configuration of the requests to an edition's host (one per host, kept so that
    Django's resolver cache is built once for each and stays apart from the main host's)."""
    found = _host_urlconfs.get(host)
    if found is None:
        found = _host_urlconfs[host] = EditionHostURLConf(host)
    return found
