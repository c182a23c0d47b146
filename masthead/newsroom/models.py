"""The outlet, its desks and its authors.

A desk is what the outlet calls a "service": Politics, Economy, ... Each has a
public section page and one responsible editor whom readers can contact. An
author is whoever a byline names: a person, or a collective such as
"IFP Editorial Staff" that signs the work of many.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from masthead.newsroom.author_names import (
    LANGUAGE_SEPARATORS,
    AuthorWords,
    entries,
    language_entries,
    profile_languages,
    words_in,
)
from masthead.newsroom.editions import (
    Edition,
    address_base,
    default_edition_id,
    edition_at_root,
    validate_language,
)
from masthead.newsroom.sanitize import sanitize_body
from masthead.newsroom.text import clean_line, clean_paragraphs

_route_shapes: dict[tuple, tuple[list[tuple[str, str]], str]] = {}


def slug_address(route: str, urlconf=None, **slugs: str) -> str:
    """``reverse(route, kwargs=slugs, urlconf=urlconf)`` for the public routes of slugs
    (``<str:…>``); ``urlconf`` names an edition's routes (``editions.urlconf_for_root``).

    Lists and articles show dozens of addresses, so each route is reversed
    once per URL configuration and script prefix, with marks for its slugs;
    each address is then that shape with the slugs quoted as ``reverse()``
    quotes them. An empty slug, or one holding a slash, raises
    ``NoReverseMatch`` as ``reverse()`` does.
    """
    if not all(slugs.values()):
        return reverse(route, kwargs=slugs, urlconf=urlconf)
    urlconf = urlconf if urlconf is not None else get_urlconf()
    key = (route, *slugs, get_script_prefix(), urlconf)
    shape = _route_shapes.get(key)
    if shape is None:
        shape = _route_shapes[key] = _route_shape(route, list(slugs), urlconf)
    parts, tail = shape
    return "".join(before + _quote_slug(slugs[name]) for before, name in parts) + tail


def edition_address(route: str, edition_id: int | None, **slugs: str) -> str:
    """``slug_address`` of a route of one edition: a path when the page being rendered is on
    the edition's host (the main host for an edition without a host of its own), else the
    full address on its host (``https://fa.news.example/siasat/…``, ``editions.address_base``).
    """
    origin, urlconf = address_base(edition_id)
    return origin + slug_address(route, urlconf=urlconf, **slugs)


def _route_shape(route: str, names: list[str], urlconf) -> tuple[list[tuple[str, str]], str]:
    marks = {name: f"slug-mark-{number}-" for number, name in enumerate(names)}
    rest = reverse(route, kwargs=marks, urlconf=urlconf)
    order = sorted(names, key=lambda name: rest.index(marks[name]))
    parts = []
    for name in order:
        before, rest = rest.split(marks[name], 1)
        parts.append((before, name))
    return parts, rest


def _quote_slug(slug: str) -> str:
    if "/" in slug:
        raise NoReverseMatch(f"A slug cannot hold a slash: {slug!r}")
    return quote(slug, safe=RFC3986_SUBDELIMS + "~:@")


# First path segments the site itself uses; a desk may not take one of them,
# because a desk's section page lives at /<desk-slug>/.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "api",
        "author",
        "authors",
        "desk",
        "feed",
        "feeds",
        "media",
        "static",
        "tag",
        "tags",
        "label",
        "masthead",
        "search",
        "sitemap",
        "sitemaps",
        "robots.txt",
        "page",
        "policies",
        "preview",
        "about",
        "account",
        "login",
        "logout",
        "favicon.ico",
        "healthz",
        "readyz",
        "wire",
        "demo",
    }
)


def validate_desk_slug(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(f"“{value}” is used by the site itself; choose another slug.")


# What Open Graph and X (Twitter) need for a large picture card.
SHARE_IMAGE_SIZE = (1200, 630)


class Outlet(models.Model):
    """The publication: one row, edited in the admin."""

    name = models.CharField(max_length=120, default="Masthead News")
    short_name = models.CharField(
        max_length=40, blank=True, help_text="Used in kickers and titles, e.g. “IFP”."
    )
    tagline = models.CharField(max_length=200, blank=True)
    about = models.TextField(blank=True, help_text="Shown on the masthead page. Plain text.")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.CharField(max_length=300, blank=True)
    is_demo = models.BooleanField(
        default=False, help_text="Shows a notice on every page that this is a demo outlet."
    )
    # What search engines and partners are told about the publisher (JSON-LD
    # NewsMediaOrganization); the policy pages below carry the rest.
    logo = models.ForeignKey(
        "media.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The publisher logo (a wide wordmark works best); a plain one is used if empty.",
    )
    share_image = models.ForeignKey(
        "media.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=(
            "The picture a link to a story without a lead image shows when shared "
            f"(Open Graph, X, JSON-LD): at least {SHARE_IMAGE_SIZE[0]}×{SHARE_IMAGE_SIZE[1]} "
            "pixels. A plain one with the Masthead wordmark is used if empty."
        ),
    )
    founding_date = models.DateField(null=True, blank=True)
    same_as = models.TextField(
        blank=True,
        help_text="Profiles elsewhere (Wikipedia, social accounts), one address a line.",
    )

    class Meta:
        verbose_name = "outlet"
        verbose_name_plural = "outlet"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.name = clean_line(self.name)
        self.short_name = clean_line(self.short_name)
        self.tagline = clean_line(self.tagline)
        self.about = clean_paragraphs(self.about)
        image = self.share_image
        width, height = SHARE_IMAGE_SIZE
        if image is not None and (image.width < width or image.height < height):
            raise ValidationError(
                {
                    "share_image": f"A share image needs at least {width}×{height} pixels "
                    f"(this one is {image.width}×{image.height}): smaller ones are shown "
                    "as a thumbnail, or not at all."
                }
            )

    def profile_urls(self) -> list[str]:
        """``same_as`` as a list of web addresses; lines that are not one are left out."""
        lines = (line.strip() for line in self.same_as.splitlines())
        return [line for line in lines if line.startswith(("https://", "http://"))]

    @classmethod
    def current(cls) -> Outlet:
        """The outlet row, or an unsaved default before one is set up."""
        return cls.objects.order_by("pk").first() or cls()


class Author(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        COLLECTIVE = "collective", "Collective (e.g. Editorial Staff)"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True, allow_unicode=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PERSON)
    job_title = models.CharField(
        max_length=120, blank=True, help_text="Journalist, news-writer, analyst, editor …"
    )
    bio = models.TextField(blank=True, help_text="Plain text; blank lines separate paragraphs.")
    photo = models.ForeignKey(
        "media.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    # Trust Project "author expertise" (schema.org knowsAbout, knowsLanguage, …).
    expertise = models.TextField(
        blank=True, help_text="Subjects the author knows well, one a line (knowsAbout)."
    )
    languages = models.CharField(
        max_length=200,
        blank=True,
        help_text="Languages the author works in, comma-separated: “English, Persian”.",
    )
    location = models.CharField(
        max_length=120, blank=True, help_text="Where the author is based, e.g. “Tehran”."
    )
    other_work = models.TextField(
        blank=True, help_text="Addresses of the author's work elsewhere, one a line."
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author",
    )
    is_active = models.BooleanField(default=True, help_text="Inactive authors have no page.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.name = clean_line(self.name)
        self.job_title = clean_line(self.job_title)
        self.bio = clean_paragraphs(self.bio)
        if not self.name:
            raise ValidationError({"name": "An author needs a name."})
        clean_expertise(self)

    @property
    def expertise_list(self) -> list[str]:
        return entries(self.expertise)

    @property
    def language_list(self) -> list[str]:
        return language_entries(self.languages)

    @property
    def other_work_list(self) -> list[str]:
        return entries(self.other_work)

    def get_absolute_url(self) -> str:
        return slug_address("site:author", slug=self.slug)

    @property
    def is_collective(self) -> bool:
        return self.kind == self.Kind.COLLECTIVE

    def in_language(self, language: str | None) -> AuthorWords:
        """The author as an edition in ``language`` shows them — name, job title, bio,
        expertise, languages, location, work elsewhere, the portrait's alt text: its
        ``AuthorName`` in that language, field by field, else the profile's own
        (``newsroom/author_names.py``)."""
        return words_in(self, language)

    @property
    def shown(self) -> AuthorWords:
        """``in_language`` of the active language: on a public page, the edition's."""
        return self.in_language(get_language())


class AuthorName(models.Model):
    """An author's words in another edition's language: “کاوه نوری, تحلیلگر” on the Persian
    edition for the profile “Kaveh Nouri, Analyst”, with their bio, expertise, languages,
    location and work elsewhere in Persian.

    The profile (``Author``) is written in the default edition's language; a person who
    works in two editions has one profile and one ``AuthorName`` per other language. Every
    public page, feed, JSON-LD and ninjs of that language shows these words
    (``Author.in_language``); any field but the name left blank falls back to the
    profile's. The fields are cleaned as the profile's are (``clean_expertise``).
    """

    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="names")
    language = models.CharField(
        _("language"),
        max_length=15,
        validators=[validate_language],
        help_text=_("The language of an edition, e.g. “fa”."),
    )
    name = models.CharField(_("name"), max_length=120)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    bio = models.TextField(
        _("bio"), blank=True, help_text=_("Plain text; blank lines separate paragraphs.")
    )
    # The profile's author expertise in this language (schema.org knowsAbout, knowsLanguage,
    # workLocation, sameAs); a database default, so adding them rebuilt no table.
    expertise = models.TextField(
        _("expertise"),
        blank=True,
        default="",
        db_default="",
        help_text=_("Subjects the author knows well, one a line. Empty: the profile's."),
    )
    languages = models.CharField(
        _("languages"),
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text=_("Languages the author works in, comma-separated. Empty: the profile's."),
    )
    location = models.CharField(
        _("based in"),
        max_length=120,
        blank=True,
        default="",
        db_default="",
        help_text=_("Where the author is based. Empty: the profile's."),
    )
    other_work = models.TextField(
        _("work elsewhere"),
        blank=True,
        default="",
        db_default="",
        help_text=_(
            "Addresses of the author's work elsewhere in this language, one a line. "
            "Empty: the profile's."
        ),
    )

    class Meta:
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "language"], name="newsroom_authorname_one_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"

    def clean(self) -> None:
        self.language = (self.language or "").strip().lower()
        self.name = clean_line(self.name)
        self.job_title = clean_line(self.job_title)
        self.bio = clean_paragraphs(self.bio)
        if not self.name:
            raise ValidationError({"name": "Give the author's name in this language."})
        if self.language in profile_languages():
            raise ValidationError(
                {"language": "The profile itself is written in this language; edit it there."}
            )
        clean_expertise(self)


def clean_expertise(record: Author | AuthorName) -> None:
    """Author expertise (a profile's, or its words in another language) as one-line
    entries, within bounds; other work only as web addresses. Markup stays plain text and
    invisible controls go (``clean_line``); too many or too long entries are refused."""
    record.expertise = "\n".join(_lines(record.expertise, 20, 120, "expertise"))
    typed = record.languages or ""
    # Kept with the comma it was typed with: “فارسی، انگلیسی” stays Persian.
    separator = "، " if "\u060c" in typed else ", "
    languages = LANGUAGE_SEPARATORS.sub("\n", typed)
    record.languages = separator.join(_lines(languages, 12, 40, "languages"))
    record.location = clean_line(record.location)
    work = _lines(record.other_work, 12, 300, "other_work")
    for address in work:
        parts = urlsplit(address)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in address:
            raise ValidationError(
                {"other_work": "Give one web address (http:// or https://) a line."}
            )
    record.other_work = "\n".join(work)


def _lines(text: str, most: int, longest: int, field: str) -> list[str]:
    """The non-empty lines of ``text``, each cleaned; refused past ``most`` or ``longest``."""
    lines = [clean_line(line) for line in (text or "").splitlines()]
    lines = [line for line in lines if line]
    if len(lines) > most:
        raise ValidationError({field: f"At most {most} entries."})
    if any(len(line) > longest for line in lines):
        raise ValidationError({field: f"Each entry is at most {longest} characters."})
    return lines


class Desk(models.Model):
    """A service of the outlet, with its section page and responsible editor."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(
        max_length=80, unique=True, allow_unicode=True, validators=[validate_desk_slug]
    )
    description = models.TextField(blank=True)
    editor = models.ForeignKey(
        Author,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="desks_edited",
        help_text="The editor responsible for what this desk publishes.",
    )
    email = models.EmailField(blank=True, help_text="How readers reach this desk.")
    phone = models.CharField(max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in menus.")
    # Its section page and stories are that edition's (newsroom/editions.py).
    edition = models.ForeignKey(
        Edition,
        on_delete=models.PROTECT,
        related_name="desks",
        default=default_edition_id,
        help_text="The edition whose readers this desk writes for.",
    )

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.name = clean_line(self.name)
        self.description = clean_paragraphs(self.description)
        if self.slug and edition_at_root(self.slug) is not None:
            # /<root>/ is the edition's home page: a desk there could never be reached.
            raise ValidationError(
                {"slug": f"“{self.slug}” is an edition's address; choose another."}
            )

    def get_absolute_url(self) -> str:
        """``/<desk>/``, under its edition's root (``/fa/<desk>/``) for any but the default, on
        its edition's host when it has one (``edition_address``)."""
        return edition_address("site:desk", self.edition_id, desk_slug=self.slug)


class PolicyPageQuerySet(models.QuerySet):
    def published(self) -> PolicyPageQuerySet:
        return self.filter(is_published=True)


class PolicyPage(models.Model):
    """One of the outlet's published standards: corrections, unnamed sources, ethics …

    Each kind but "other" is one page and maps to the schema.org property
    that names it on the publisher (``SCHEMA_PROPERTIES``), so search engines
    and readers find the same page. The masthead page itself is the
    ``masthead`` property. The body is HTML, sanitised on save like a story's.
    """

    class Kind(models.TextChoices):
        CORRECTIONS = "corrections", "Corrections policy"
        UNNAMED_SOURCES = "unnamed_sources", "Unnamed sources policy"
        NO_BYLINES = "no_bylines", "Policy on stories without bylines"
        ETHICS = "ethics", "Ethics policy"
        OWNERSHIP = "ownership", "Ownership and funding"
        FEEDBACK = "feedback", "Actionable feedback policy"
        FACT_CHECKING = "fact_checking", "Verification and fact-checking policy"
        DIVERSITY = "diversity", "Diversity policy"
        MISSION = "mission", "Mission and coverage priorities"
        OTHER = "other", "Other page"

    SCHEMA_PROPERTIES = {
        Kind.CORRECTIONS: "correctionsPolicy",
        Kind.UNNAMED_SOURCES: "unnamedSourcesPolicy",
        Kind.NO_BYLINES: "noBylinesPolicy",
        Kind.ETHICS: "ethicsPolicy",
        Kind.OWNERSHIP: "ownershipFundingInfo",
        Kind.FEEDBACK: "actionableFeedbackPolicy",
        Kind.FACT_CHECKING: "verificationFactCheckingPolicy",
        Kind.DIVERSITY: "diversityPolicy",
        Kind.MISSION: "missionCoveragePrioritiesPolicy",
    }

    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=120)
    slug = models.SlugField(
        max_length=80,
        unique=True,
        allow_unicode=True,
        help_text="Its address: /policies/<slug>/, under its edition's root.",
    )
    # Each edition states its standards in its own language: its footer, masthead page and
    # publisher JSON-LD name its own pages (newsroom/editions.py).
    edition = models.ForeignKey(
        Edition,
        on_delete=models.PROTECT,
        related_name="policy_pages",
        default=default_edition_id,
        help_text="The edition whose readers this page is written for.",
    )
    summary = models.CharField(
        max_length=300, blank=True, help_text="One sentence, shown in lists and to search engines."
    )
    body = models.TextField(blank=True, help_text="HTML; sanitised by an allow-list on save.")
    is_published = models.BooleanField(
        default=True, help_text="Unpublished pages are not shown nor named anywhere public."
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the footer.")
    updated_at = models.DateTimeField(auto_now=True)

    objects = PolicyPageQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title"]
        constraints = [
            # One page of each kind per edition (its schema.org property names one page).
            models.UniqueConstraint(
                fields=["edition", "kind"],
                condition=~models.Q(kind="other"),
                name="policy_page_once_per_kind_and_edition",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        self.title = clean_line(self.title)
        self.summary = clean_line(self.summary)
        if not self.title:
            raise ValidationError({"title": "A policy page needs a title."})

    def save(self, *args, **kwargs) -> None:
        self.title = clean_line(self.title)
        self.summary = clean_line(self.summary)
        self.body = sanitize_body(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """``/policies/<slug>/``, under its edition's root (``/fa/policies/…``) for any but the
        default, on its edition's host when it has one (``edition_address``)."""
        return edition_address("site:policy", self.edition_id, slug=self.slug)

    @property
    def schema_property(self) -> str | None:
        return self.SCHEMA_PROPERTIES.get(self.kind)


class StaffRole(models.Model):
    """What one staff member may do, on one desk or on all of them.

    A person may hold different roles on different desks (writer on Economy,
    desk editor on Politics). Chief editors edit every desk; administrators
    run staff, desks and settings and are not a content role by themselves.
    """

    class Role(models.TextChoices):
        WRITER = "writer", _("Writer")
        DESK_EDITOR = "desk_editor", _("Desk editor")
        CHIEF_EDITOR = "chief_editor", _("Chief editor")
        ADMINISTRATOR = "administrator", _("Administrator")

    DESK_ROLES = frozenset({Role.WRITER, Role.DESK_EDITOR})

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    desk = models.ForeignKey(
        Desk, null=True, blank=True, on_delete=models.CASCADE, related_name="staff_roles"
    )

    class Meta:
        ordering = ["user__username", "role", "desk__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "desk"], name="staff_role_once_per_desk"
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(desk__isnull=True),
                name="staff_role_once_outlet_wide",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(role__in=["writer", "desk_editor"], desk__isnull=False)
                    | models.Q(role__in=["chief_editor", "administrator"], desk__isnull=True)
                ),
                name="staff_role_desk_matches_role",
            ),
        ]

    def __str__(self) -> str:
        where = f" on {self.desk}" if self.desk_id else ""
        return f"{self.user} — {self.get_role_display()}{where}"

    def clean(self) -> None:
        if self.role in self.DESK_ROLES and not self.desk_id:
            raise ValidationError({"desk": "Writers and desk editors work on a desk: choose one."})
        if self.role not in self.DESK_ROLES and self.desk_id:
            raise ValidationError({"desk": "This role covers every desk: leave the desk empty."})


class AuditEvent(models.Model):
    """Who did what, when, from which state, with which note. Never edited."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=40)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    target_type = models.ForeignKey(
        "contenttypes.ContentType", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True)
    target_label = models.CharField(max_length=300, blank=True)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "-at"], name="audit_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target_label}"
