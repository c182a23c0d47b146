"""Import a WordPress export into stories, desks, authors, tags and images.

The file is read twice, streaming (``reader.py``): the first pass reads it
whole before anything is stored — a truncated, malformed or hostile export
(an entity bomb, an external DTD) is refused with nothing written — and
learns the site, its users, categories and attachments; the second pass
imports the posts, each in its own transaction, so a post that fails is
reported and leaves nothing behind while the others go on. Memory holds one
item plus the site's users, categories and attachment file names.

How WordPress maps to Masthead (docs/wire-wordpress.md):

- A post becomes a story in the state its WordPress status names
  (``STATES``), with its own publication date. It is written the way the
  demo outlet is loaded (``stories.services.snapshot_revision`` records the
  imported content as the story's revision, and the published one for a
  public story), with an audit record (action ``import``, no actor) and the
  content versions of what readers see bumped, in the post's transaction.
- Its first category (Yoast's primary category if the export names one) is
  its desk: the top of that category's tree, found by slug or name, or made.
  Its other categories become tags, with its tags.
- ``dc:creator`` is the byline: the WordPress user found again by an earlier
  import, or an author with the user's e-mail or name, or a new author. No
  user account is made and the e-mail is not copied onto the public author.
- The featured image (``_thumbnail_id``) is read from the operator's copy of
  the uploads folder (``uploads.py``), never fetched, and stored through
  the media library's checks; a refused or missing file is reported and the
  story goes without.
- Every post is remembered (``wire.models.WordPressPost``): a second run
  updates the story when the post changed, leaves it when it did not, and
  leaves it too — reporting why — when it was changed in Masthead since.
- The post's old addresses (its permalink and ``/?p=<id>``) are kept as
  ``stories.models.OldAddress`` rows: the site answers them with a 301 to
  the story once it is public.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import BinaryIO
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import DatabaseError, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from masthead import failpoints
from masthead.media.image_safety import check_image
from masthead.media.models import Image
from masthead.newsroom import audit
from masthead.newsroom.models import RESERVED_SLUGS, Author, Desk
from masthead.newsroom.sanitize import MAX_BODY_CHARS, without_image_references
from masthead.stories import versions
from masthead.stories.models import (
    Byline,
    OldAddress,
    Story,
    Tag,
    TagSlug,
    unique_story_slug,
)
from masthead.stories.services import snapshot_revision, tag_name_and_slug
from masthead.stories.signals import story_changed
from masthead.wire.items import ParseError
from masthead.wire.models import WordPressAttachment, WordPressAuthor, WordPressPost
from masthead.wire.wxr import uploads
from masthead.wire.wxr.content import body_html, plain_paragraphs, plain_text
from masthead.wire.wxr.reader import Category, Item, Site, User, open_export, read_export
from masthead.wire.wxr.report import Action, ImportReport, PostOutcome

# Part of every post's fingerprint: a better conversion here re-applies to posts
# a run would otherwise leave unchanged.
CONVERTER_VERSION = 1

Status = Story.Status
# WordPress status → the Masthead state it becomes, and what the report says.
STATES = {
    "publish": (Status.PUBLISHED, ""),  # scheduled instead if dated in the future
    "future": (Status.SCHEDULED, ""),  # published instead if its time has passed
    "draft": (Status.DRAFT, ""),
    "pending": (Status.SUBMITTED, ""),
    "private": (Status.DRAFT, "private in WordPress: imported as a draft, not public"),
}
# WordPress statuses that are no story at all.
NOT_IMPORTED = {
    "trash": "in WordPress's trash",
    "auto-draft": "an auto-draft WordPress made and nobody saved",
    "inherit": "a revision of another post",
}
PROTECTED_NOTE = "password-protected in WordPress: imported as a draft, not public"
UNCATEGORISED = "uncategorized"  # WordPress's default category: no desk of its own
DEFAULT_DESK = ("news", "News")  # posts without a category, unless --default-desk says
FUTURE_WARNING = timedelta(days=2)
_WORDPRESS_DATE = "%Y-%m-%d %H:%M:%S"
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$")


@dataclass
class Options:
    uploads: Path | None = None  # the site's wp-content/uploads folder, copied locally
    dry_run: bool = False
    default_desk: str = ""  # desk slug for posts without a category
    desk_map: dict[str, str] = field(default_factory=dict)  # category slug → desk slug
    timezone: tzinfo = UTC  # the site's time zone, for dates WordPress kept in local time only
    language: str = ""  # overrides the export's language


@dataclass(slots=True)
class Attachment:
    file: str
    url: str
    alt: str
    title: str
    caption: str


@dataclass
class Survey:
    """What the first pass learns: the site and what posts refer to."""

    site: Site
    users: dict[str, User] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)  # by slug
    category_by_id: dict[str, str] = field(default_factory=dict)  # term id → slug
    attachments: dict[str, Attachment] = field(default_factory=dict)  # by post id


@dataclass
class FeaturedFile:
    """The featured image's file in the uploads folder, open, and its SHA-256."""

    handle: BinaryIO
    name: str
    digest: str


class Skip(Exception):
    """This post is not imported; the message says why."""


@dataclass
class Plan:
    """One post as it will be stored, worked out before any write."""

    item: Item
    post_id: int
    headline: str
    dek: str
    body: str
    status: str
    published_at: datetime | None
    modified_at: datetime | None
    language: str
    slug: str
    desk_category: Category | None
    tag_names: list[str]
    creator: str
    thumbnail_id: str = ""
    thumbnail: Attachment | None = None
    old_addresses: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def import_wordpress(
    path: Path, options: Options, on_outcome: Callable[[PostOutcome], None] | None = None
) -> ImportReport:
    """Import the export at ``path``; ``on_outcome`` hears of each post as it is done."""
    report = ImportReport(path=str(path), dry_run=options.dry_run)
    try:
        survey = survey_export(path, report)
    except ParseError as error:
        report.error = str(error)
        return report
    except OSError as error:
        report.error = f"the file cannot be read ({error.strerror or error})"
        return report
    importer = _Importer(survey, options, report, on_outcome)
    try:
        if options.dry_run:
            with transaction.atomic():
                importer.run(path)
                transaction.set_rollback(True)
        else:
            importer.run(path)
    except ParseError as error:  # the file changed between the two passes
        report.error = f"the export changed while it was imported: {error}"
    return report


def survey_export(path: Path, report: ImportReport) -> Survey:
    """The first pass: the whole file is read and checked, nothing is stored."""
    survey = Survey(site=Site())
    with open_export(path) as handle:
        for record in read_export(handle):
            if isinstance(record, Item):
                if record.post_type == "attachment" and record.post_id:
                    survey.attachments[record.post_id] = Attachment(
                        file=record.meta.get("_wp_attached_file", ""),
                        url=record.attachment_url,
                        alt=record.meta.get("_wp_attachment_image_alt", ""),
                        title=record.title,
                        caption=record.excerpt,
                    )
            elif isinstance(record, Site):
                survey.site = record
                report.site = site_key(record)
                report.wxr_version = record.wxr_version
            elif isinstance(record, User) and record.login:
                survey.users[record.login] = record
            elif isinstance(record, Category) and record.slug:
                survey.categories[record.slug] = record
                if record.term_id:
                    survey.category_by_id[record.term_id] = record.slug
    return survey


def site_key(site: Site) -> str:
    """``example.com/blog``: the site's address without scheme, what records are keyed by."""
    address = site.base_blog_url or site.base_site_url or site.link
    parts = urlsplit(address)
    key = (parts.netloc.lower() + parts.path.rstrip("/"))[:200]
    if not key:
        raise ParseError("the export names no site address (wp:base_site_url)")
    return key


def _fingerprint(*values) -> str:
    return hashlib.sha256(
        json.dumps([CONVERTER_VERSION, *values], default=str, ensure_ascii=False).encode()
    ).hexdigest()


class _Importer:
    def __init__(self, survey: Survey, options: Options, report: ImportReport, on_outcome):
        self.survey = survey
        self.options = options
        self.report = report
        self.on_outcome = on_outcome
        self.site = report.site
        self.site_path = urlsplit(
            survey.site.base_blog_url or survey.site.base_site_url or survey.site.link
        ).path.rstrip("/")
        self.seen: dict[int, int] = {}  # post id → the item that had it first
        self.now = timezone.now()
        self.language = self._site_language()
        # Rows created by the post being stored: reported once its transaction holds.
        self.new_desks: list[str] = []
        self.new_authors: list[str] = []
        self.new_tags = 0
        self.new_images: list[Image] = []
        # Desks, authors and tags found or made, by what the export calls them: rows
        # of posts whose transaction held (``known``), and of the post being stored.
        self.known: dict[tuple[str, str], object] = {}
        self.known_now: dict[tuple[str, str], object] = {}

    def _site_language(self) -> str:
        for candidate in (self.options.language, self.survey.site.language):
            language = (candidate or "").strip().lower()
            if _LANGUAGE.match(language):
                return language.split("-")[0]
        return settings.LANGUAGE_CODE

    def run(self, path: Path) -> None:
        with open_export(path) as handle:
            for record in read_export(handle):
                if not isinstance(record, Item):
                    continue
                if record.post_type != "post":
                    self.report.not_posts[record.post_type or "untyped"] += 1
                    continue
                outcome = self.post(record)
                self.report.counts[outcome.action] += 1
                if self.on_outcome is not None:
                    self.on_outcome(outcome)

    # One post -------------------------------------------------------------------

    def post(self, item: Item) -> PostOutcome:
        outcome = PostOutcome(post_id=item.post_id, title=plain_text(item.title)[:200], action="")
        try:
            plan = self.plan(item)
        except Skip as skip:
            outcome.action = Action.SKIPPED
            outcome.reasons.append(str(skip))
            return outcome
        outcome.reasons.extend(plan.warnings)
        source = self.featured_file(plan, outcome)
        self.new_desks, self.new_authors, self.new_tags, self.new_images = [], [], 0, []
        self.known_now = {}
        try:
            with transaction.atomic():
                self.store(plan, outcome, source)
        except (ValidationError, DatabaseError, OSError) as error:
            self._remove_new_images()
            outcome.action = Action.FAILED
            outcome.reasons.append(_readable(error))
            outcome.story_id, outcome.address, outcome.status = None, "", ""
            return outcome
        except BaseException:
            self._remove_new_images()
            raise
        finally:
            if source is not None:
                source.handle.close()
        self.known.update(self.known_now)
        self.report.desks_created += self.new_desks
        self.report.authors_created += self.new_authors
        self.report.tags_created += self.new_tags
        self.report.images_stored += len(self.new_images)
        return outcome

    def _remove_new_images(self) -> None:
        for image in self.new_images:
            image.file.storage.delete(image.file.name)
        self.new_images = []

    # Working a post out (no writes) -------------------------------------------

    def plan(self, item: Item) -> Plan:
        if not (item.post_id.isascii() and item.post_id.isdigit() and len(item.post_id) < 19):
            raise Skip("no usable post id (wp:post_id)")
        post_id = int(item.post_id)
        if post_id in self.seen:
            raise Skip(
                f"duplicate post id {post_id}: item {self.seen[post_id]} of the export "
                "has it too, and only the first is imported"
            )
        self.seen[post_id] = item.position
        if item.status in NOT_IMPORTED:
            raise Skip(NOT_IMPORTED[item.status])
        if item.status not in STATES:
            raise Skip(f"unknown WordPress status {item.status[:40]!r}")
        headline = plain_text(item.title)
        if not headline:
            raise Skip("no title: a story needs a headline (give the post one and export again)")
        if len(item.content) > MAX_BODY_CHARS:
            raise Skip(f"the text is longer than {MAX_BODY_CHARS:,} characters")
        warnings: list[str] = []
        headline = _shortened(headline, Story._meta.get_field("headline").max_length, warnings)
        converted = body_html(item.content)
        if converted.images_dropped:
            warnings.append(
                f"{converted.images_dropped} image(s) in the text not carried over: they are "
                "on the old site, and a story body shows only the outlet's own media"
            )
        if converted.shortcodes_removed:
            names = ", ".join(f"[{name}]" for name in converted.shortcodes_removed)
            warnings.append(f"shortcodes removed: {names}")
        dek = _shortened(
            plain_paragraphs(item.excerpt).replace("\n\n", " "),
            Story._meta.get_field("dek").max_length,
            warnings,
            "excerpt",
        )
        status, published_at = self._state(item, warnings)
        categories = [
            term
            for term in item.terms
            if term.domain == "category" and term.slug and term.slug != UNCATEGORISED
        ]
        desk_category, other_categories = self._desk_category(item, categories)
        tag_names = [term.name for term in item.terms if term.domain == "post_tag" and term.name]
        tag_names += [term.name for term in other_categories if term.name]
        plan = Plan(
            item=item,
            post_id=post_id,
            headline=headline,
            dek=dek,
            body=converted.body,
            status=status,
            published_at=published_at,
            modified_at=_gmt(item.post_modified_gmt),
            language=self._language(item),
            slug=slugify(unquote(item.post_name), allow_unicode=True)[:100].strip("-"),
            desk_category=desk_category,
            tag_names=list(dict.fromkeys(tag_names)),
            creator=item.creator.strip(),
            thumbnail_id=item.meta.get("_thumbnail_id", ""),
            warnings=warnings,
        )
        if plan.thumbnail_id:
            plan.thumbnail = self.survey.attachments.get(plan.thumbnail_id)
            if plan.thumbnail is None:
                warnings.append(
                    f"featured image not imported: attachment {plan.thumbnail_id[:20]} "
                    "is not in the export"
                )
        plan.old_addresses = self._old_addresses(item, post_id)
        return plan

    def _state(self, item: Item, warnings: list[str]) -> tuple[str, datetime | None]:
        status, note = STATES[item.status]
        if note:
            warnings.append(note)
        if item.post_password and status in Story.PUBLIC_STATUSES:
            warnings.append(PROTECTED_NOTE)
            status = Status.DRAFT
        if status not in Story.PUBLIC_STATUSES:
            return status, None
        published_at = self._date(item)
        if published_at is None:
            warnings.append("no usable publication date: imported as a draft")
            return Status.DRAFT, None
        if published_at > self.now:
            if published_at > self.now + FUTURE_WARNING:
                warnings.append(
                    f"dated {published_at:%Y-%m-%d %H:%M} UTC, in the future: "
                    "scheduled, public only from then"
                )
            return Status.SCHEDULED, published_at
        if item.status == "future":
            warnings.append(
                f"scheduled in WordPress for {published_at:%Y-%m-%d %H:%M} UTC, "
                "which has passed: public now"
            )
        return Status.PUBLISHED, published_at

    def _date(self, item: Item) -> datetime | None:
        moment = _gmt(item.post_date_gmt)
        if moment is not None:
            return moment
        local = _parsed(item.post_date)
        if local is not None:
            return local.replace(tzinfo=self.options.timezone).astimezone(UTC)
        try:
            moment = parsedate_to_datetime(item.pub_date)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None or moment.year < 1971:  # WordPress's "no date" placeholders
            return None
        return moment.astimezone(UTC)

    def _language(self, item: Item) -> str:
        # Polylang and WPML export the post's language as a term.
        for term in item.terms:
            if term.domain in ("language", "post_translations_language") and term.slug:
                language = term.slug.lower()
                if _LANGUAGE.match(language):
                    return language
        return self.language

    def _desk_category(self, item: Item, categories: list) -> tuple[Category | None, list]:
        """The category whose tree names the post's desk, and the post's other categories."""
        if not categories:
            return None, []
        primary = categories[0]
        chosen = self.survey.category_by_id.get(item.meta.get("_yoast_wpseo_primary_category", ""))
        for term in categories:
            if term.slug == chosen:
                primary = term
        others = [term for term in categories if term is not primary]
        known = self.survey.categories.get(primary.slug) or Category(primary.slug, primary.name)
        top = known
        for _ in range(20):  # a loop in the parents ends here
            parent = self.survey.categories.get(top.parent) if top.parent else None
            if parent is None or parent is known:
                break
            top = parent
        if top is not known:
            others.insert(0, primary)  # the subcategory is kept, as a tag
        desk_map = self.options.desk_map
        mapped = next(
            (
                desk_map[slug]
                for category in (primary, top)
                for slug in (category.slug, unquote(category.slug))
                if slug in desk_map
            ),
            None,
        )
        if mapped:
            return Category(slug=f"={mapped}", name=""), others
        return top, others

    def _old_addresses(self, item: Item, post_id: int) -> list[str]:
        keys = [OldAddress.key(self.site_path + "/", {"p": str(post_id)})]
        for url in (item.link, item.guid):
            parts = urlsplit(url)
            if parts.scheme.lower() in ("http", "https") and parts.netloc:
                keys.append(OldAddress.key(unquote(parts.path) or "/", parse_qs(parts.query)))
        home = OldAddress.key(self.site_path or "/")  # the old site's front page is no post's
        return list(dict.fromkeys(key for key in keys if key and key != home))

    # The featured image's file ---------------------------------------------------

    def featured_file(self, plan: Plan, outcome: PostOutcome) -> FeaturedFile | None:
        """The uploads file of the post's featured image, if it may and can be read."""
        if plan.thumbnail is None:
            return None
        if self.options.uploads is None:
            outcome.reasons.append("featured image not imported: no --uploads folder given")
            return None
        name = uploads.relative_name(plan.thumbnail.file, plan.thumbnail.url)
        try:
            path = uploads.checked_path(self.options.uploads, name)
            handle = uploads.open_upload(path)
        except uploads.FileRefused as error:
            outcome.reasons.append(f"featured image refused: {error}")
            return None
        except uploads.FileMissing as error:
            outcome.reasons.append(f"featured image not imported: {error}")
            return None
        digest = hashlib.sha256()
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
        handle.seek(0)
        return FeaturedFile(handle, path.name, digest.hexdigest())

    def image(self, plan: Plan, outcome: PostOutcome, source: FeaturedFile) -> Image | None:
        known = (
            WordPressAttachment.objects.select_related("image")
            .filter(site=self.site, attachment_id=int(plan.thumbnail_id))
            .first()
        )
        if known is not None and known.image is not None and known.file_hash == source.digest:
            return known.image
        attachment = plan.thumbnail
        upload = File(source.handle, name=source.name)
        if self.options.dry_run:
            try:
                check_image(upload)
            except ValidationError as error:
                outcome.reasons.append(f"featured image refused: {_readable(error)}")
            return None  # a dry run stores no file
        image = Image(
            alt_text=(plain_text(attachment.alt) or plain_text(attachment.title) or plan.headline)[
                :300
            ],
            caption=plain_text(attachment.caption)[:500],
        )
        image.file = upload
        try:
            with transaction.atomic():
                image.save()
        except ValidationError as error:
            outcome.reasons.append(f"featured image refused: {_readable(error)}")
            return None
        self.new_images.append(image)
        WordPressAttachment.objects.update_or_create(
            site=self.site,
            attachment_id=int(plan.thumbnail_id),
            defaults={"image": image, "file_hash": source.digest},
        )
        return image

    # Storing (inside the post's transaction) -----------------------------------

    def store(self, plan: Plan, outcome: PostOutcome, source: FeaturedFile | None) -> None:
        # The record and its story, both rows locked (a join under FOR UPDATE).
        record = (
            WordPressPost.objects.select_for_update()
            .select_related("story")
            .filter(site=self.site, post_id=plan.post_id)
            .first()
        )
        story = record.story if record is not None else None
        desk = self.desk(plan)
        authors = self.authors(plan, outcome)
        tags = self.tags(plan, outcome)
        fingerprint = _fingerprint(
            plan.headline,
            plan.dek,
            plan.body,
            plan.status,
            plan.published_at,
            plan.language,
            desk.pk,
            [author.pk for author in authors],
            [tag.pk for tag in tags],
            plan.thumbnail_id,  # the file itself is judged apart: it may not be at hand
        )
        if record is not None and (
            story.latest_revision_id != record.imported_revision_id
            or story.status != record.imported_status
        ):
            outcome.action = Action.KEPT
            outcome.reasons.append(
                "changed in Masthead since the last import (a new revision or another "
                "state): not overwritten"
            )
            self._describe(outcome, story)
            self.old_addresses(plan, story, outcome)
            return
        if (
            record is not None
            and record.content_hash == fingerprint
            and (source is None or self._shows(story, plan, source))
        ):
            outcome.action = Action.UNCHANGED
            self._describe(outcome, story)
            self.old_addresses(plan, story, outcome)
            WordPressPost.objects.filter(pk=record.pk).update(last_imported_at=self.now)
            return
        lead_image = self.image(plan, outcome, source) if source is not None else None
        if story is None:
            story = self.new_story(plan, outcome)
            outcome.action = Action.CREATED
        else:
            outcome.action = Action.UPDATED
        revision = self.write(story, plan, desk, authors, tags, lead_image, outcome)
        self.old_addresses(plan, story, outcome)
        failpoints.reached("wire.wordpress.before_record")
        WordPressPost.objects.update_or_create(
            site=self.site,
            post_id=plan.post_id,
            defaults={
                "guid": plan.item.guid[:500],
                "story": story,
                "imported_revision": revision,
                "imported_status": story.status,
                "content_hash": fingerprint,
                "last_imported_at": self.now,
            },
        )
        self._describe(outcome, story)

    def new_story(self, plan: Plan, outcome: PostOutcome) -> Story:
        story = Story(created_by=None)
        story.slug = unique_story_slug(plan.slug or plan.headline)
        if plan.slug and story.slug != plan.slug:
            outcome.reasons.append(f"the slug “{plan.slug}” is taken: the story has “{story.slug}”")
        return story

    def write(self, story: Story, plan: Plan, desk, authors, tags, lead_image, outcome):
        """Put the post's content on the story row and record it as a revision."""
        is_new = story.pk is None
        before = set() if is_new else versions.story_scopes(story)
        was_live = not is_new and story.is_live(self.now)
        old_status = "" if is_new else story.status
        story.headline, story.dek, story.body = plan.headline, plan.dek, plan.body
        story.desk, story.language, story.status = desk, plan.language, plan.status
        story.published_at = plan.published_at
        story.updated_at = plan.published_at
        if not is_new and plan.published_at and plan.modified_at:
            story.updated_at = max(plan.published_at, plan.modified_at)
        story.embargoed_until = None
        if lead_image is not None or not plan.thumbnail_id:
            story.lead_image = lead_image
        # else: the featured image could not be read this time; the story keeps its own.
        story.clean_fields(
            exclude=["desk", "created_by", "latest_revision", "published_revision", "lead_image"]
        )
        story.clean()
        story.save()
        if (body := without_image_references(story.body)) != story.body:
            # A figure naming a library image by number (``data-image``) is only the
            # outlet's own people's to write: from an old site's export it would
            # name whatever image has that number here, and publish it with the story.
            story.body = body
            Story.objects.filter(pk=story.pk).update(body=body)
        Byline.objects.filter(story=story).exclude(author__in=authors).delete()
        for position, author in enumerate(authors):
            Byline.objects.update_or_create(
                story=story, author=author, defaults={"position": position}
            )
        story.tags.set(tags)
        note = f"{'Imported' if is_new else 'Updated'} from WordPress post {plan.post_id}"
        revision = snapshot_revision(story, note=note)
        if was_live and not story.is_live(self.now):
            outcome.reasons.append("no longer public in WordPress: taken off the site")
        scopes = versions.bump_story_change(
            before | versions.story_scopes(story),
            seen_by_readers=was_live or story.is_live(self.now),
        )
        audit.record(
            None,
            "import",
            story,
            from_state=old_status,
            to_state=story.status,
            note=note,
            source="wordpress",
            site=self.site,
            post_id=plan.post_id,
            revision=revision.number,
        )
        story_id, desk_id, changed = story.pk, story.desk_id, frozenset(scopes)
        transaction.on_commit(
            lambda: story_changed.send(
                sender=Story, story_id=story_id, desk_id=desk_id, action="import", scopes=changed
            )
        )
        return revision

    def old_addresses(self, plan: Plan, story: Story, outcome: PostOutcome) -> None:
        holders = dict(
            OldAddress.objects.filter(path__in=plan.old_addresses).values_list("path", "story_id")
        )
        missing = [key for key in plan.old_addresses if key not in holders]
        OldAddress.objects.bulk_create([OldAddress(path=key, story=story) for key in missing])
        added = bool(missing)
        for key, holder in holders.items():
            if holder != story.pk:
                outcome.reasons.append(f"the old address {key} already leads to story {holder}")
        outcome.old_addresses = list(plan.old_addresses)
        if added and story.is_live(self.now):
            # A 404 kept for that address (it shows every edition's front scope) turns into
            # the redirect.
            versions.bump({versions.front_scope(story.edition_id)})

    def _shows(self, story: Story, plan: Plan, source: FeaturedFile) -> bool:
        """Whether ``story`` shows the image imported from this very file already."""
        return WordPressAttachment.objects.filter(
            site=self.site,
            attachment_id=int(plan.thumbnail_id),
            file_hash=source.digest,
            image_id=story.lead_image_id,
        ).exists()

    def _describe(self, outcome: PostOutcome, story: Story) -> None:
        outcome.story_id = story.pk
        outcome.status = story.status
        outcome.address = story.get_absolute_url()

    # Desks, authors, tags --------------------------------------------------------

    def _recall(self, kind: str, name: str):
        return self.known.get((kind, name)) or self.known_now.get((kind, name))

    def desk(self, plan: Plan) -> Desk:
        category = plan.desk_category
        key = category.slug if category is not None else ""
        desk = self._recall("desk", key)
        if desk is not None:
            return desk
        if category is not None and category.slug.startswith("="):
            desk = Desk.objects.get(slug=category.slug[1:])  # --desk-map, checked up front
        elif category is None and self.options.default_desk:
            desk = Desk.objects.get(slug=self.options.default_desk)
        elif category is None:
            desk = self._desk_named(*DEFAULT_DESK)
        else:
            desk = self._desk_named(unquote(category.slug), plain_text(category.name))
        self.known_now[("desk", key)] = desk
        return desk

    def _desk_named(self, slug: str, name: str) -> Desk:
        max_name = Desk._meta.get_field("name").max_length
        slug = slugify(slug or name, allow_unicode=True)[:70].strip("-") or "desk"
        name = (name or slug)[:max_name]
        found = (
            Desk.objects.filter(slug=slug).first() or Desk.objects.filter(name__iexact=name).first()
        )
        if found is not None:
            return found
        base = f"{slug}-desk" if slug in RESERVED_SLUGS else slug
        slug, number = base, 1
        while Desk.objects.filter(slug=slug).exists():
            number += 1
            slug = f"{base}-{number}"
        last = Desk.objects.aggregate(last=models.Max("position"))["last"] or 0
        desk = Desk(name=name, slug=slug, position=min(last + 1, 32767))
        desk.full_clean(exclude=["editor"])
        desk.save()
        audit.record(
            None, "desk_create", desk, note="From a WordPress category", source="wordpress"
        )
        self.new_desks.append(f"{desk.name} (/{desk.slug}/)")
        return desk

    def authors(self, plan: Plan, outcome: PostOutcome) -> list[Author]:
        login = plan.creator
        if not login:
            return []
        author = self._recall("author", login)
        if author is not None:
            return [author]
        known = (
            WordPressAuthor.objects.select_related("author")
            .filter(site=self.site, login=login[:100])
            .first()
        )
        if known is not None:
            self.known_now[("author", login)] = known.author
            return [known.author]
        user = self.survey.users.get(login)
        if user is None:
            outcome.reasons.append(f"the export does not list the author {login[:60]!r}: no byline")
            return []
        name = _author_name(user)
        if name == user.login:
            outcome.reasons.append(
                f"the author {login[:60]!r} has no display name: their byline shows the login"
            )
        author = None
        if user.email:
            author = (
                Author.objects.filter(user__email__iexact=user.email).first()
                or Author.objects.filter(email__iexact=user.email).first()
            )
        author = author or Author.objects.filter(name__iexact=name).first()
        if author is None:
            author = Author(name=name, slug=_free_author_slug(name))
            author.full_clean(exclude=["photo", "user"])
            author.save()
            audit.record(None, "author_create", author, note="From a WordPress user")
            self.new_authors.append(author.name)
        WordPressAuthor.objects.create(site=self.site, login=login[:100], author=author)
        self.known_now[("author", login)] = author
        return [author]

    def tags(self, plan: Plan, outcome: PostOutcome) -> list[Tag]:
        found: list[Tag] = []
        for raw in plan.tag_names:
            tag = self._recall("tag", raw)
            if tag is not None:
                if tag not in found:
                    found.append(tag)
                continue
            try:
                name, slug = tag_name_and_slug(plain_text(raw))
            except ValidationError as error:
                outcome.reasons.append(f"tag left out: {_readable(error)}")
                continue
            tag = Tag.objects.filter(models.Q(slug=slug) | models.Q(name__iexact=name)).first()
            if tag is None:
                old = TagSlug.objects.select_related("tag").filter(slug=slug).first()
                tag = old.tag if old is not None else None
            if tag is None:
                tag = Tag.objects.create(name=name, slug=slug)
                audit.record(None, "tag_create", tag, note=name, source="wordpress")
                self.new_tags += 1
            self.known_now[("tag", raw)] = tag
            if tag not in found:
                found.append(tag)
        return found


def _author_name(user: User) -> str:
    if user.display_name and user.display_name != user.login:
        return plain_text(user.display_name)[:120]
    full = plain_text(f"{user.first_name} {user.last_name}")
    return (full or plain_text(user.display_name) or user.login)[:120]


def _free_author_slug(name: str) -> str:
    base = slugify(name, allow_unicode=True)[:110].strip("-") or "author"
    slug, number = base, 1
    while Author.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _parsed(value: str) -> datetime | None:
    if not value or value.startswith("0000"):
        return None
    try:
        return datetime.strptime(value.strip(), _WORDPRESS_DATE)
    except ValueError:
        return None


def _gmt(value: str) -> datetime | None:
    moment = _parsed(value)
    return moment.replace(tzinfo=UTC) if moment is not None else None


def _shortened(text: str, limit: int, warnings: list[str], what: str = "title") -> str:
    if len(text) <= limit:
        return text
    warnings.append(f"the {what} is longer than {limit} characters: shortened")
    return text[: limit - 1].rstrip() + "…"


def _readable(error: Exception) -> str:
    if isinstance(error, ValidationError):
        if hasattr(error, "message_dict"):
            return "; ".join(
                f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
                for name, messages in error.message_dict.items()
            )
        return " ".join(error.messages)
    if isinstance(error, OSError):
        return f"file error: {error.strerror or error}"
    return f"database error: {error}"
