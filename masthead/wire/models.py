"""What the wire desk keeps: sources, their items with every version, and the
stories written from them.

A ``Source`` is polled (RSS/Atom, ninjs, NewsML-G2 over HTTP), read from a
drop folder, or pushed to. Its health (last success, last error, next poll)
lives on the row, and so does its schedule: ``next_poll_at`` is the due time a
worker claims by taking the lease (``lease_until``/``lease_token``), so no two
workers poll one source at once (docs/wire.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from masthead.newsroom.models import Desk
from masthead.wire.items import Status


class Source(models.Model):
    class Kind(models.TextChoices):
        RSS = "rss", "RSS / Atom feed"
        NINJS = "ninjs", "IPTC ninjs (JSON)"
        NEWSML = "newsml", "IPTC NewsML-G2"
        FOLDER = "folder", "Drop folder"
        PUSH = "push", "Push (agency sends to us)"

    name = models.CharField(max_length=100, unique=True, help_text="As editors know it.")
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    provider = models.CharField(
        max_length=100, blank=True, help_text="The agency named on stories: “Reuters”."
    )
    url = models.URLField(max_length=500, blank=True, help_text="Polled sources: the feed URL.")
    folder = models.CharField(
        max_length=500, blank=True, help_text="Drop folder sources: a folder on the server."
    )
    desk = models.ForeignKey(
        Desk,
        on_delete=models.PROTECT,
        related_name="wire_sources",
        help_text="Whose queue items go to when no routing rule says otherwise.",
    )
    interval_seconds = models.PositiveIntegerField(default=300, help_text="How often to poll.")
    paused = models.BooleanField(default=False)
    push_secret = models.CharField(
        max_length=128, blank=True, help_text="Push sources: the shared HMAC secret."
    )
    created_at = models.DateTimeField(default=timezone.now)

    # The schedule: due time, and the lease of the worker polling it now.
    next_poll_at = models.DateTimeField(default=timezone.now, db_index=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True)

    # Conditional GET.
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)

    # Health, as editors see it.
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0, help_text="Failed polls in a row.")
    items_received = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """Where a source's items go, tried in order; the first that matches wins.

    Empty filters match everything. ``auto_publish`` is an editor's decision
    for a trusted source: matching items become stories published through the
    same publish service as a person, in the name of ``publish_as``.
    """

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="rules")
    position = models.PositiveSmallIntegerField(default=0)
    desk = models.ForeignKey(Desk, on_delete=models.PROTECT, related_name="+")
    keywords = models.CharField(
        max_length=300, blank=True, help_text="Comma-separated; any one in headline or text."
    )
    subjects = models.CharField(max_length=300, blank=True, help_text="Comma-separated.")
    max_urgency = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Only items at least this urgent (1 = flash … 9)."
    )
    auto_publish = models.BooleanField(default=False)
    publish_as = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The editor auto-published stories are published as.",
    )

    class Meta:
        ordering = ["source", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.source} → {self.desk}"


class WireItem(models.Model):
    """One agency item: its latest version, where it is queued, and its state."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="items")
    desk = models.ForeignKey(Desk, on_delete=models.PROTECT, related_name="wire_items")
    provider = models.CharField(max_length=100, blank=True)
    provider_id = models.CharField(max_length=500)
    version = models.CharField(max_length=50, blank=True)
    headline = models.CharField(max_length=500)
    dek = models.TextField(blank=True)
    body = models.TextField(blank=True, help_text="Sanitised HTML.")
    byline = models.CharField(max_length=300, blank=True)
    dateline = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=16, blank=True)
    urgency = models.PositiveSmallIntegerField(null=True, blank=True)
    subjects = models.JSONField(default=list, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    first_created = models.DateTimeField(null=True, blank=True)
    version_created = models.DateTimeField(null=True, blank=True)
    embargoed_until = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.CHOICES, default=Status.USABLE)
    corrected = models.BooleanField(default=False, help_text="A later version is a correction.")
    problems = models.JSONField(default=list, blank=True)
    fingerprint = models.CharField(
        max_length=64, db_index=True, help_text="Normalised text hash: the same copy twice."
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    received_digest = models.CharField(
        max_length=64,
        blank=True,
        help_text="Hash of the copy as last received: a re-delivery is recognised unread.",
    )
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "provider_id"], name="wire_item_once")
        ]
        indexes = [models.Index(fields=["desk", "-received_at"], name="wire_queue")]

    def __str__(self) -> str:
        return self.headline


class WireItemVersion(models.Model):
    """Every version received, the latest included: the item's history."""

    item = models.ForeignKey(WireItem, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(max_length=50, blank=True)
    headline = models.CharField(max_length=500)
    dek = models.TextField(blank=True)
    body = models.TextField(blank=True)
    byline = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.CHOICES, default=Status.USABLE)
    is_correction = models.BooleanField(default=False)
    version_created = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["item", "-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.headline} (version {self.version or self.pk})"


class Seen(models.Model):
    """Who on the desk has opened an item ("seen by")."""

    item = models.ForeignKey(WireItem, on_delete=models.CASCADE, related_name="seen")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "user"], name="wire_seen_once")]

    def __str__(self) -> str:
        return f"{self.user} saw {self.item_id}"


class StoryBasis(models.Model):
    """A story written from a wire item; several items can feed one story."""

    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="wire_basis")
    item = models.ForeignKey(WireItem, on_delete=models.PROTECT, related_name="stories")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField(default=timezone.now)
    # Set when the agency kills or corrects the item after the story used it.
    flagged = models.CharField(max_length=300, blank=True)
    # Published by an auto-publish rule (as ``added_by``), not by a person: an
    # agency's kill withdraws it, in that editor's name (masthead/wire/notices.py).
    auto_published = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["story", "item"], name="wire_basis_once")]

    def __str__(self) -> str:
        return f"story {self.story_id} ← item {self.item_id}"


class PushReceipt(models.Model):
    """Signatures already accepted from a push source: a replay is refused."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    signature = models.CharField(max_length=128)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "signature"], name="wire_push_once")
        ]

    def __str__(self) -> str:
        return f"{self.source_id}: {self.signature[:12]}"


# WordPress imports (masthead/wire/wxr/, docs/wire-wordpress.md) ---------------
#
# What was imported from which WordPress site, so a second run updates the
# same rows instead of adding new ones. ``site`` is the export's
# ``wp:base_site_url`` without its scheme (``example.com/blog``): two sites'
# post 12 are two posts.


class WordPressPost(models.Model):
    """A WordPress post and the story it became."""

    site = models.CharField(max_length=200)
    post_id = models.PositiveBigIntegerField()
    guid = models.CharField(max_length=500, blank=True)
    story = models.ForeignKey(
        "stories.Story", on_delete=models.CASCADE, related_name="wordpress_posts"
    )
    # What the last import wrote: a story changed in Masthead since then
    # (a new revision, another state) is not overwritten by the next run.
    imported_revision = models.ForeignKey(
        "stories.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_status = models.CharField(max_length=12)
    content_hash = models.CharField(max_length=64, help_text="Of the post as exported.")
    first_imported_at = models.DateTimeField(default=timezone.now)
    last_imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "post_id"], name="wordpress_post_once")
        ]

    def __str__(self) -> str:
        return f"{self.site} post {self.post_id}"


class WordPressAttachment(models.Model):
    """A WordPress attachment (a featured image) and the image it became."""

    site = models.CharField(max_length=200)
    attachment_id = models.PositiveBigIntegerField()
    image = models.ForeignKey(
        "media.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_hash = models.CharField(max_length=64, help_text="SHA-256 of the uploads file.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "attachment_id"], name="wordpress_attachment_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.site} attachment {self.attachment_id}"


class WordPressAuthor(models.Model):
    """A WordPress user (by login) and the author whose byline their posts carry."""

    site = models.CharField(max_length=200)
    login = models.CharField(max_length=100)
    author = models.ForeignKey(
        "newsroom.Author", on_delete=models.CASCADE, related_name="wordpress_logins"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "login"], name="wordpress_author_once")
        ]

    def __str__(self) -> str:
        return f"{self.site} user {self.login}"


class ImportedPage(models.Model):
    """A page imported as a draft (``masthead import page``): where it came from.

    ``source_key`` is the page's own address (its canonical URL, else the URL
    it was fetched from, else the file's path), so importing the same page
    again updates its draft instead of making a second one. What the page
    stated that a story has no field for (the original publication date, the
    lead image's address, a kicker no label matches) is kept here.
    """

    source_key = models.CharField(max_length=1000, unique=True)
    source_url = models.URLField(max_length=2000, blank=True)
    source_file = models.CharField(max_length=1000, blank=True)
    story = models.OneToOneField(
        "stories.Story", on_delete=models.CASCADE, related_name="imported_page"
    )
    kicker = models.CharField(max_length=60, blank=True)
    byline = models.CharField(max_length=300, blank=True)
    published = models.CharField(
        max_length=40, blank=True, help_text="The original's publication date, ISO 8601, as stated."
    )
    lead_image_url = models.URLField(max_length=2000, blank=True)
    fingerprint = models.CharField(max_length=64, help_text="What was imported, hashed.")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.source_key
