"""Stories, their labels, tags and bylines, and the one public visibility gate.

``Story.objects.live()`` is the only queryset a public surface may read
(DESIGN.md invariant 1): a story is live when it is published and its
publication time has come. A story scheduled for later is therefore public
at its time with no worker running, and a draft or withdrawn story is never
public. ``Story.objects.gone()`` names the withdrawn stories that readers
saw, the only hidden stories that leave a public trace (a 410 page, the
API's canceled item); the site and the API both read it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from masthead.newsroom.models import Author, Desk, edition_address, slug_address
from masthead.newsroom.sanitize import MAX_BODY_CHARS, sanitize_body
from masthead.newsroom.slugs import unicode_slug
from masthead.newsroom.text import clean_line, clean_paragraphs
from masthead.sourcing.kinds import clean_sources
from masthead.stories import release_clock
from masthead.stories.index_terms import Constants, Unindexed


class LabelQuerySet(models.QuerySet):
    def public(self, now: datetime | None = None) -> LabelQuerySet:
        """Labels a live story carries: the only ones a public surface may name or accept.

        A label made for a story still in the works (a kicker naming an
        embargoed scoop) is unknown to readers, in filters too, as its page is
        (``site.selectors.is_carried_by_live_story``).
        """
        # EXISTS, a probe of the label's public index each: ``IN`` a list of every live
        # story's label made SQLite read them all (58 ms at 100,000 stories).
        carried = Story.objects.live(now).filter(label=models.OuterRef("pk"))
        return self.filter(models.Exists(carried))


class Label(models.Model):
    """The type of work, shown as the kicker: “IFP Exclusive”, “Analysis” …"""

    class Kind(models.TextChoices):
        NEWS = "news", _("News")
        BREAKING = "breaking", _("Breaking")
        EXCLUSIVE = "exclusive", _("Exclusive")
        ANALYSIS = "analysis", _("Analysis")
        OPINION = "opinion", _("Opinion")
        INTERVIEW = "interview", _("Interview")
        REPORTAGE = "reportage", _("Reportage")
        BACKGROUND = "background", _("Background / explainer")
        REVIEW = "review", _("Review")
        ROUNDUP = "roundup", _("Roundup")

    name = models.CharField(max_length=60, unique=True, help_text="As shown, e.g. “IFP Exclusive”.")
    slug = models.SlugField(max_length=60, unique=True, allow_unicode=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.NEWS)
    position = models.PositiveSmallIntegerField(default=0)
    names = models.JSONField(
        default=dict,
        blank=True,
        help_text='Its name in other editions\' languages, e.g. {"fa": "تحلیل"}; '
        "an edition whose language is not here shows the name above.",
    )

    objects = LabelQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def name_in(self, language: str | None) -> str:
        """The label as an edition in ``language`` shows it."""
        names = self.names if isinstance(self.names, dict) else {}
        found = names.get(language or "")
        return found if isinstance(found, str) and found.strip() else self.name

    def clean(self) -> None:
        self.name = clean_line(self.name)
        if not isinstance(self.names, dict) or not all(
            isinstance(code, str) and isinstance(name, str) for code, name in self.names.items()
        ):
            raise ValidationError({"names": 'Give names by language code: {"fa": "تحلیل"}.'})
        self.names = {code.strip().lower(): clean_line(name) for code, name in self.names.items()}


class Tag(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.name = clean_line(self.name)

    def get_absolute_url(self) -> str:
        return slug_address("site:tag", slug=self.slug)


class StoryQuerySet(models.QuerySet):
    def live(self, now: datetime | None = None) -> StoryQuerySet:
        """Stories the public may see at ``now``: the one visibility gate.

        Published (or scheduled, once its time has come) and past any embargo, by
        the release clock (the database's on PostgreSQL: ``release_clock``). The
        statuses are written into the SQL as the public indexes' condition is
        (``index_terms.Constants``), so lists walk those indexes newest first.
        """
        now = now or release_clock.now()
        return self.filter(
            Constants(models.F("status"), Story.PUBLIC_STATUSES),
            models.Q(embargoed_until__isnull=True) | models.Q(embargoed_until__lte=now),
            published_at__lte=now,
        )

    def gone(self) -> StoryQuerySet:
        """Withdrawn stories that readers saw: live at the moment they were withdrawn.

        The only hidden stories that leave a public trace: the 410 page at
        their address and the API's canceled item. A story withdrawn before
        readers saw it (scheduled for later, under embargo, or withdrawn at
        no recorded time) is in neither: it answers exactly like a story that
        never existed. ``Story.is_gone`` is the same rule for one row.
        """
        at = models.F("withdrawn_at")
        return self.filter(
            models.Q(embargoed_until__isnull=True) | models.Q(embargoed_until__lte=at),
            status=Story.Status.WITHDRAWN,
            published_at__lte=at,
        )

    def newest_first(self) -> StoryQuerySet:
        return self.order_by("-published_at", "-pk")

    def in_edition(self, edition_id: int | None) -> StoryQuerySet:
        """The stories of one edition: those of its desks (a story is in its desk's edition)."""
        return self.in_editions([edition_id])

    def in_editions(self, edition_ids: Iterable[int | None]) -> StoryQuerySet:
        """The stories of these editions' desks.

        Not a join on the desk but its desks' ids, as a term no index serves: given
        the join, SQLite's planner went desk by desk and sorted each one's every
        story (85 ms a list at 100,000 stories); so a list walks the public index
        newest first, checking each story's desk.
        """
        desks = Desk.objects.filter(edition_id__in=list(edition_ids)).values("pk")
        return self.alias(desk_unindexed=Unindexed("desk_id")).filter(desk_unindexed__in=desks)

    def of_label(self, label: Label | models.Subquery) -> StoryQuerySet:
        """The stories of one kind of work (a label, or a subquery of its id).

        A term Django ties to no join: as ``filter(label=…)`` it made the join of
        ``select_related("label")`` an inner one, which SQLite's planner read
        first, then sorted every story of the label (190 ms a page at 1,000,000
        stories); outer, it walks the label's public index newest first.
        """
        label_id = label.pk if isinstance(label, Label) else label
        return self.filter(Exact(models.F("label_id"), label_id))

    def ranked(self) -> StoryQuerySet:
        """Those of these stories an editor ranked for the front page (``top_rank``).

        By the ids of the ranked, which are few and which the rank index finds
        without reading the rest: given ``top_rank IS NOT NULL`` beside the gate's
        terms, SQLite's planner walked every live story for it (85 ms at 100,000
        stories).
        """
        return self.filter(pk__in=Story.objects.filter(top_rank__isnull=False).values("pk"))

    def for_listing(self, *, complete: bool = True) -> StoryQuerySet:
        """What a story list renders: label, desk, lead image and its renditions (the
        cards' ``srcset``), bylines, in one go.

        Bodies and internal notes are left in the database: a list never shows them.
        ``complete=False`` leaves bylines and renditions (some 36 rows a picture) too,
        for a list that shows them for few of its stories and fetches theirs with
        ``listing_parts()`` (the home page).
        """
        listed = self.select_related("label", "desk", "lead_image").defer("body", "notes_to_editor")
        return listed.prefetch_related(*listing_parts()) if complete else listed


class DatelineKind(models.TextChoices):
    """Trust Project "locally sourced": was the reporter there, or writing about it?"""

    REPORTED = "reported", _("Reported from")
    WRITTEN = "written", _("Written from")


class StoryContent(models.Model):
    """The words and pictures of a story: what a revision keeps and a reader sees.

    Text is cleaned and body HTML sanitised here, on the way in, whichever
    path the content comes by (back office, API, importer, demo loader).
    """

    headline = models.CharField(max_length=200)
    dek = models.CharField(
        max_length=400, blank=True, help_text="The standfirst under the headline."
    )
    body = models.TextField(blank=True, help_text="HTML; sanitised by an allow-list on save.")
    label = models.ForeignKey(
        Label, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dateline = models.CharField(max_length=100, blank=True, help_text="Where it was reported.")
    lead_image = models.ForeignKey(
        "media.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    language = models.CharField(max_length=16, default=settings.LANGUAGE_CODE)
    seo_title = models.CharField(
        max_length=120, blank=True, help_text="Title for search engines, if not the headline."
    )
    seo_description = models.CharField(
        max_length=300, blank=True, help_text="Description for search engines, if not the dek."
    )
    dateline_kind = models.CharField(
        max_length=8,
        choices=DatelineKind.choices,
        blank=True,
        help_text="Whether the story was reported from the dateline or written from there.",
    )
    sources = models.JSONField(
        default=list,
        blank=True,
        help_text="Who and what the story relies on (masthead/sourcing/kinds.py).",
    )
    method_note = models.TextField(
        blank=True,
        help_text="How we reported this: shown to readers (schema.org backstory). Plain text.",
    )
    makes_allegation = models.BooleanField(
        default=False,
        help_text="The story makes an accusation against a person or organisation.",
    )

    CONTENT_FIELDS = (
        "headline",
        "dek",
        "body",
        "label",
        "dateline",
        "lead_image",
        "language",
        "seo_title",
        "seo_description",
        "dateline_kind",
        "sources",
        "method_note",
        "makes_allegation",
    )

    class Meta:
        abstract = True

    def clean_content(self) -> None:
        self.headline = clean_line(self.headline)
        self.dek = clean_paragraphs(self.dek).replace("\n\n", " ")
        self.dateline = clean_line(self.dateline)
        self.seo_title = clean_line(self.seo_title)
        self.seo_description = clean_line(self.seo_description)
        self.body = sanitize_body(self.body)
        self.method_note = clean_paragraphs(self.method_note)
        self.sources = clean_sources(self.sources)

    def clean(self) -> None:
        if len(self.body or "") > MAX_BODY_CHARS:
            raise ValidationError(
                {"body": f"The body is longer than {MAX_BODY_CHARS:,} characters; split the story."}
            )
        if not clean_line(self.headline):
            raise ValidationError({"headline": "A story needs a headline."})


class Story(StoryContent):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        IN_EDIT = "in_edit", _("In edit")
        READY = "ready", _("Ready")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", pgettext_lazy("story state", "Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    PUBLIC_STATUSES = (Status.PUBLISHED, Status.SCHEDULED)

    slug = models.SlugField(max_length=120, unique=True, allow_unicode=True)
    desk = models.ForeignKey(Desk, on_delete=models.PROTECT, related_name="stories")
    tags = models.ManyToManyField(Tag, blank=True, related_name="stories")
    authors = models.ManyToManyField(Author, through="Byline", related_name="stories")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="First publication; a future time schedules the story."
    )
    updated_at = models.DateTimeField(
        null=True, blank=True, help_text="Last public update shown to readers."
    )
    embargoed_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Nothing of the story is shown anywhere, preview links included, before this.",
    )
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, help_text="When the story was withdrawn, while it is (see ``gone``)."
    )
    withdrawn_note = models.CharField(
        max_length=500,
        blank=True,
        help_text="Shown on the withdrawn story's address if readers saw the story; else internal.",
    )
    developing_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set while the story is developing: its updates form a live timeline.",
    )
    developing_until = models.DateTimeField(
        null=True, blank=True, help_text="When coverage of the developing story ended."
    )
    thread = models.ForeignKey(
        "StoryThread",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stories",
        help_text="The running story this one belongs to (first report, follow-ups, denial).",
    )
    top_rank = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Editors' pick for the home page: 1 is the lead, then 2, 3 …",
    )
    translation_key = models.UUIDField(
        null=True,
        blank=True,
        editable=False,
        help_text="Shared by a story and its translations in other editions "
        "(stories/translations.py); empty while it has none.",
    )
    notes_to_editor = models.TextField(blank=True, help_text="Internal; never shown to readers.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stories_created",
    )
    latest_revision = models.ForeignKey(
        "Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_revision = models.ForeignKey(
        "Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    objects = StoryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "stories"
        indexes = [
            models.Index(fields=["status", "-published_at"], name="story_live_idx"),
            models.Index(fields=["desk", "status", "-published_at"], name="story_desk_live_idx"),
            models.Index(fields=["top_rank"], name="story_top_idx"),
            models.Index(fields=["-modified_at"], name="story_modified_idx"),
            models.Index(fields=["desk", "status", "-modified_at"], name="story_board_idx"),
            # The public gate, newest first, without a sort: the whole site's
            # lists and each desk's. Partial, so drafts and withdrawn stories
            # take no room in them. (PostgreSQL uses them; SQLite cannot match a
            # partial index to a query with bound parameters.)
            models.Index(
                fields=["-published_at", "-id"],
                condition=models.Q(status__in=["published", "scheduled"]),
                name="story_public_idx",
            ),
            models.Index(
                fields=["desk", "-published_at", "-id"],
                condition=models.Q(status__in=["published", "scheduled"]),
                name="story_desk_public_idx",
            ),
            # A story's translations; only stories that have any take room.
            models.Index(
                fields=["translation_key"],
                condition=models.Q(translation_key__isnull=False),
                name="story_translation_idx",
            ),
            # When the next embargo ends (the page cache's clock); few rows.
            models.Index(
                fields=["embargoed_until"],
                condition=models.Q(embargoed_until__isnull=False),
                name="story_embargo_idx",
            ),
            # The back office board's columns across all desks (chief editors).
            models.Index(fields=["status", "-modified_at"], name="story_state_changed_idx"),
            # A kind of work's public list (label pages), as the desk index does for desks.
            models.Index(
                fields=["label", "-published_at", "-id"],
                condition=models.Q(status__in=["published", "scheduled"]),
                name="story_label_public_idx",
            ),
            # A writer's own stories, last changed first ("my stories" in the back office).
            models.Index(fields=["created_by", "-modified_at"], name="story_creator_changed_idx"),
            # Withdrawals since a time (the API's changes list); few rows.
            models.Index(
                fields=["-withdrawn_at"],
                condition=models.Q(withdrawn_at__isnull=False),
                name="story_withdrawn_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.headline

    def save(self, *args, **kwargs) -> None:
        self.clean_content()
        self.withdrawn_note = clean_line(self.withdrawn_note)
        if not self.slug:
            self.slug = unique_story_slug(self.headline, exclude_pk=self.pk)
        super().save(*args, **kwargs)

    @property
    def edition_id(self) -> int:
        """A story is in its desk's edition; it holds no edition of its own to disagree."""
        return self.desk.edition_id

    def get_absolute_url(self) -> str:
        """``/<desk>/<story>/`` (``/fa/<desk>/<story>/`` in the edition at ``fa``): the one
        place that builds a story's address (the full one, on its edition's host, when the page
        being rendered is on another host: ``edition_address``)."""
        return edition_address(
            "site:story", self.desk.edition_id, desk_slug=self.desk.slug, slug=self.slug
        )

    def effective_status(self, now: datetime | None = None) -> str:
        """The state an editor sees: a scheduled story whose time came is published."""
        if self.status == self.Status.SCHEDULED and self.is_live(now):
            return self.Status.PUBLISHED
        return self.status

    def is_live(self, now: datetime | None = None) -> bool:
        if self.status not in self.PUBLIC_STATUSES:
            return False
        return self._is_out_by(now or release_clock.now())

    def _is_out_by(self, moment: datetime) -> bool:
        """Whether the story's time and any embargo had come at ``moment``."""
        return (
            self.published_at is not None
            and self.published_at <= moment
            and (self.embargoed_until is None or self.embargoed_until <= moment)
        )

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN

    @property
    def is_gone(self) -> bool:
        """Withdrawn after readers saw it: the rule of ``StoryQuerySet.gone`` for this row."""
        return (
            self.is_withdrawn
            and self.withdrawn_at is not None
            and self._is_out_by(self.withdrawn_at)
        )

    @property
    def is_developing(self) -> bool:
        """Under live coverage: marked developing and not ended (``stories/developing.py``)."""
        return self.developing_since is not None and self.developing_until is None

    @property
    def was_updated(self) -> bool:
        return bool(self.updated_at and self.published_at and self.updated_at > self.published_at)

    def ordered_bylines(self) -> list[Byline]:
        return sorted(self.bylines.all(), key=lambda byline: byline.position)


class StoryThread(models.Model):
    """Several stories of one running story, each showing the others (live ones only)."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True, allow_unicode=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        self.title = clean_line(self.title)
        if not self.title:
            raise ValidationError({"title": "A thread needs a title."})


class Revision(StoryContent):
    """One saved version of a story's content. Every save keeps one; none is edited."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    desk = models.ForeignKey(Desk, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)
    tag_ids = models.JSONField(default=list, blank=True)
    author_ids = models.JSONField(default=list, blank=True, help_text="Bylines, in order.")

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["story", "number"], name="revision_number_per_story")
        ]

    def __str__(self) -> str:
        return f"{self.story_id} r{self.number}"

    def save(self, *args, **kwargs) -> None:
        self.clean_content()
        self.note = clean_line(self.note)
        super().save(*args, **kwargs)


class Correction(models.Model):
    """A public note on a story: a correction or clarification (also listed on the
    corrections page), an update, or why a withdrawn story was reinstated."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        CLARIFICATION = "clarification", _("Clarification")
        UPDATE = "update", pgettext_lazy("a published change", "Update")
        REINSTATEMENT = "reinstatement", "Reinstated"

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="corrections")
    revision = models.ForeignKey(Revision, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=14, choices=Kind.choices, default=Kind.CORRECTION)
    note = models.TextField(help_text="Public: what was wrong and what is right now.")
    published_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["published_at", "pk"]
        indexes = [models.Index(fields=["-published_at"], name="correction_recent_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.story}"

    def save(self, *args, **kwargs) -> None:
        self.note = clean_paragraphs(self.note)
        super().save(*args, **kwargs)


class PreviewLink(models.Model):
    """A link to one revision for someone without a login (``stories/preview.py``).

    The link's token is ``<selector>.<secret>``: the selector finds the row,
    the secret is kept only as its SHA-256 and compared in constant time.
    """

    class Closed(models.TextChoices):
        REVOKED = "revoked", "revoked"
        RETURN = "return", "the story was returned to its writer"
        PULL_BACK = "pull_back", "the writer pulled the story back"
        UNSCHEDULE = "unschedule", "the story was taken off the schedule"
        WITHDRAW = "withdraw", "the story was withdrawn"

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="preview_links")
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="+")
    selector = models.CharField(max_length=24, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_reason = models.CharField(max_length=12, choices=Closed.choices, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"preview of {self.revision} by {self.created_by}"

    def is_open(self, now: datetime | None = None) -> bool:
        return self.closed_at is None and self.expires_at > (now or timezone.now())


class EditLock(models.Model):
    """A soft lock: who is editing a story now. It expires unless renewed."""

    story = models.OneToOneField(
        Story, primary_key=True, on_delete=models.CASCADE, related_name="edit_lock"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user} editing {self.story_id} since {self.since:%H:%M}"

    def is_active(self, now: datetime | None = None) -> bool:
        return self.expires_at > (now or timezone.now())


class Byline(models.Model):
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=0)
    role = models.CharField(
        max_length=60, blank=True, help_text="Optional: “Additional reporting”, “Photos” …"
    )

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["story", "author"], name="byline_once_per_author")
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.story}"


class StorySlug(models.Model):
    """A slug a story had before: its old addresses answer 301 to the current one."""

    slug = models.SlugField(max_length=120, unique=True, allow_unicode=True)
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="old_slugs")
    retired_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.slug


class OldAddress(models.Model):
    """An address a story had on the outlet's previous site: it answers 301 to the story.

    Importers fill it (``masthead import wordpress`` keeps each post's old
    permalink and its ``/?p=<id>`` form). The site reads it only once every
    route has failed, on the way to the 404 page, so the article path never
    pays for it; the redirect always goes to the story's own address here, so
    no stored value can send a reader elsewhere. ``path`` is a ``key``.
    """

    MAX_LENGTH = 500
    # WordPress answers these on any permalink setting: /?p=123, /?page_id=7.
    ID_PARAMETERS = ("p", "page_id")

    path = models.CharField(max_length=MAX_LENGTH, unique=True)
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="old_addresses")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.path

    @classmethod
    def key(cls, path: str, query=None) -> str | None:
        """The stored form of a (percent-decoded) path and its query, or None if unusable.

        Trailing slashes do not count (``/a/b/`` and ``/a/b`` are one address); of the
        query only a post id counts (``/?p=123``, ``/blog/?p=123``, ``index.php`` or
        not). A site's home itself, over-long paths and control characters give None.
        """
        if not path.startswith("/") or any(ord(ch) < 32 or ord(ch) == 127 for ch in path):
            return None
        path = path.rstrip("/")
        if path.endswith("/index.php"):
            path = path[: -len("/index.php")]
        for name in cls.ID_PARAMETERS:
            value = (query or {}).get(name, "")
            if isinstance(value, list):
                value = value[0] if value else ""
            if value.isascii() and value.isdigit() and len(value) < 20:
                key = f"{path}/?{name}={int(value)}"
                return key if len(key) <= cls.MAX_LENGTH else None
        if not path:
            return None
        return path if len(path) <= cls.MAX_LENGTH else None


class TagSlug(models.Model):
    """A slug a tag had before (renamed, or merged into another): it answers 301 to the tag."""

    slug = models.SlugField(max_length=80, unique=True, allow_unicode=True)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="old_slugs")
    retired_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.slug


def unique_story_slug(headline: str, exclude_pk: int | None = None) -> str:
    """A slug from the headline that no story has, nor had."""
    base = unicode_slug(headline, 100) or "story"
    candidate, number = base, 1
    while (
        Story.objects.filter(slug=candidate).exclude(pk=exclude_pk).exists()
        or StorySlug.objects.filter(slug=candidate).exclude(story_id=exclude_pk).exists()
    ):
        number += 1
        candidate = f"{base}-{number}"
    return candidate


class ContentVersion(models.Model):
    """A counter per scope of public content ("front", "story:12", "desk:3", …).

    A change readers can see bumps the counters of exactly the scopes it
    affects, in the same transaction; page caches embed them and never list
    or delete keys (DESIGN.md invariant 7). See ``stories/versions.py``.
    """

    scope = models.CharField(max_length=60, primary_key=True)
    counter = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.scope}={self.counter}"


def listing_parts() -> tuple:
    """What a story list reads beside the rows (``for_listing``): the bylines with their
    authors, and the renditions of the lead picture."""
    bylines = models.Prefetch("bylines", queryset=Byline.objects.select_related("author"))
    return bylines, "lead_image__renditions"
