"""The reads the public site makes. Every one starts at ``Story.objects.live()``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache as once

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Exists, Model, OuterRef, Q, QuerySet
from django.utils import timezone

from masthead.media.models import Image
from masthead.newsroom.models import Author, Desk, Edition, Outlet, PolicyPage, StaffRole
from masthead.site.editions import edition_of
from masthead.site.fragments import fragments_for
from masthead.stories import versions
from masthead.stories.models import (
    Byline,
    Correction,
    Label,
    Revision,
    Story,
    StoryContent,
    Tag,
    TagSlug,
)
from masthead.stories.versions import FRONT, SITE

RECENT_POSTS = 6
TOP_STORIES = 4
PER_DESK_ON_HOME = 4


def live_stories() -> QuerySet[Story]:
    """Live stories as list pages read them: each row with the counter of its version; the
    cards not kept read their bylines and pictures (``{% cards %}``)."""
    listed = Story.objects.live().for_listing(complete=False)
    return listed.annotate(version=versions.story_counter()).newest_first()


def edition_stories(edition: Edition) -> QuerySet[Story]:
    """The live stories of one edition, as lists show them: a list never mixes editions."""
    return live_stories().in_edition(edition.pk)


def is_carried_by_live_story(topic: Tag | Label) -> bool:
    """Whether a live story carries this tag or label: only then has it a page and feeds.

    A tag made for a story still in the works (an embargoed merger) answers
    like one that does not exist, as in the sitemaps and the API. An EXISTS
    that stops at the first live story (through the tag links, or the
    label's public index).
    """
    if isinstance(topic, Tag):
        return Story.objects.live().filter(tags=topic).exists()
    return Story.objects.live().filter(label=topic).exists()


def moved_tag(slug: str) -> Tag | None:
    """The tag that had ``slug`` before a rename or merge, if a live story carries it.

    A tag no live story carries is public nowhere, its new name included.
    """
    old = TagSlug.objects.select_related("tag").filter(slug=slug).first()
    if old is None or not is_carried_by_live_story(old.tag):
        return None
    return old.tag


def recent_posts(edition_id: int | None, exclude: Story | None = None) -> list[Story]:
    """The newest stories of one edition (Recent Posts beside an article of it)."""
    stories = (
        Story.objects.live()
        .in_edition(edition_id)
        .select_related("desk")
        .only("headline", "dek", "slug", "published_at", "desk__slug", "desk__edition_id")
        .newest_first()
    )
    if exclude is not None:
        stories = stories.exclude(pk=exclude.pk)
    return list(stories[:RECENT_POSTS])


@dataclass(frozen=True)
class Listed:
    """A story as a list places it, before its card: what the home page sorts by, and the
    counter of its version, which its card is kept by (``{% cards %}`` reads the rest of a
    card it makes)."""

    pk: int
    desk_id: int
    top_rank: int | None
    published_at: datetime
    version: int


@dataclass
class FrontPage:
    lead: Listed | None
    top: list[Listed]
    desks: list[tuple[Desk, list[Listed]]]


def front_page(edition: Edition) -> FrontPage:
    """The lead and top stories editors ranked, topped up with the newest, then each desk's newest,
    of one edition's desks.

    Two reads whatever the number of desks: the desks, then in one statement
    the ranked, the newest and each desk's newest (index scans), as ``Listed``
    rows. Only the cards not kept read more (``{% cards %}``): after a publish,
    the new lead's and the few it moved.
    """
    wanted = TOP_STORIES + 1
    desks = list(Desk.objects.filter(edition_id=edition.pk).only("name", "slug", "edition_id"))
    newest = (
        Story.objects.live()
        .in_edition(edition.pk)
        .newest_first()
        .annotate(version=versions.story_counter())
        .values_list("pk", "desk_id", "top_rank", "published_at", "version")
    )
    # Each list is read long enough to survive dropping what is shown above it.
    parts = [
        newest.ranked().order_by("top_rank", "-published_at")[:wanted],
        newest[: wanted * 2],
        *(newest.filter(desk=desk)[: PER_DESK_ON_HOME + wanted] for desk in desks),
    ]
    listed = {
        pk: Listed(pk, desk_id, rank, _moment(published), version)
        for pk, desk_id, rank, published, version in _union_all(parts)
    }
    return _front_page_from(list(listed.values()), desks)


def _union_all(parts: list[QuerySet]) -> list[tuple]:
    """The rows of every part, in one statement: ``UNION ALL`` of the parts as subqueries.

    Django's ``union`` writes the parts as members of the compound, where SQLite
    allows no ``ORDER BY`` or ``LIMIT``; as subqueries both databases take them.
    Each part is the ORM's SQL with its parameters (the visibility gate stays
    ``Story.objects.live()``); compiling them costs less than running each.
    """
    compiled = []
    for part in parts:
        try:
            compiled.append(part.query.sql_with_params())
        except EmptyResultSet:  # a part that can match nothing (the settings' unsaved edition)
            continue
    if not compiled:
        return []
    # The ORM's SQL, values as parameters.
    members = [f"SELECT * FROM ({part}) part_{n}" for n, (part, _) in enumerate(compiled)]  # noqa: S608
    sql = " UNION ALL ".join(members)
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for _, params in compiled for value in params])
        return cursor.fetchall()


def _moment(value) -> datetime:
    # A raw row's timestamp: text on SQLite (which stores UTC), aware on PostgreSQL.
    moment = Story._meta.get_field("published_at").to_python(value)
    return timezone.make_aware(moment, UTC) if timezone.is_naive(moment) else moment


def _front_page_from(rows: list[Listed], desks: list[Desk]) -> FrontPage:
    """Split the one list ``front_page`` read into the lead, the top and the desk blocks."""
    live = {story.pk: story for story in rows}
    ranked = sorted(
        (story for story in live.values() if story.top_rank is not None),
        key=lambda story: (story.top_rank, -story.published_at.timestamp()),
    )[: TOP_STORIES + 1]
    newest = sorted(live.values(), key=_newest_first)
    shown = {story.pk for story in ranked}
    for story in newest:
        if len(ranked) >= TOP_STORIES + 1:
            break
        if story.pk not in shown:
            ranked.append(story)
            shown.add(story.pk)
    blocks = []
    for desk in desks:
        latest = [s for s in newest if s.desk_id == desk.pk and s.pk not in shown]
        if latest:
            blocks.append((desk, latest[:PER_DESK_ON_HOME]))
    return FrontPage(lead=ranked[0] if ranked else None, top=ranked[1:], desks=blocks)


def _newest_first(story: Listed) -> tuple:
    return (-story.published_at.timestamp(), -story.pk)


def public_corrections(edition: Edition | None = None) -> QuerySet[Correction]:
    """Corrections and clarifications of live stories (of one edition, if given), newest first."""
    stories = Story.objects.live()
    if edition is not None:
        stories = stories.in_edition(edition.pk)
    return (
        # EXISTS, a probe of each correction's story: ``IN`` a list of every live story
        # made SQLite read them all (190 ms at 100,000 stories).
        Correction.objects.filter(
            Exists(stories.filter(pk=OuterRef("story_id"))),
            kind__in=(Correction.Kind.CORRECTION, Correction.Kind.CLARIFICATION),
        )
        .select_related("story", "story__desk")
        .order_by("-published_at", "-pk")
    )


def story_row(*, front: str, slug: str | None = None, pk: int | None = None) -> Story | None:
    """The story at ``slug`` (or ``pk``) with its desk, label and lead image, and the
    counters of what its page shows (``story_version``, ``site_version``, and as
    ``front_version`` and ``pending_front_version`` those of ``front``, the front scope of
    the edition the page is in: ``versions.front_scope``).

    The counters are read in the same statement as the row, so an article's
    fragments are always keyed by the version the row belongs to. On
    PostgreSQL the statement is written once (``_story_row_sql``): every
    article render makes it, and Django would compile its sixty columns each
    time. Elsewhere the ORM's.
    """
    where = {"slug": slug} if slug is not None else {"pk": pk}
    columns = _counter_columns(front)
    if connection.vendor != "postgresql":
        rows = Story.objects.select_related("desk", "label", "lead_image").annotate(**columns)
        return rows.filter(**where).first()
    sql = _story_row_sql("slug" if slug is not None else "id")
    params = [param for counter in columns.values() for param in counter.params]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, slug if slug is not None else pk])
        found = cursor.fetchone()
    if found is None:
        return None
    story_json, desk, label, image, *counters = found
    story = _from_row(Story, _json(story_json))
    story.desk = _from_row(Desk, _json(desk))
    story.label = None if label is None else _from_row(Label, _json(label))
    story.lead_image = None if image is None else _from_row(Image, _json(image))
    for name, counter in zip(columns, counters, strict=True):
        setattr(story, name, counter)
    return story


def _counter_columns(front: str) -> dict:
    return {
        "story_version": versions.story_counter(),
        "site_version": versions.counter_of(SITE),
        "front_version": versions.counter_of(front),
        "pending_front_version": versions.counter_of(versions.pending_scope(front)),
    }


@once
def _story_row_sql(column: str) -> str:
    """The statement, the same for every edition: the scopes are its parameters."""
    quote = connection.ops.quote_name
    story, desk = quote(Story._meta.db_table), quote(Desk._meta.db_table)
    label, image = quote(Label._meta.db_table), quote(Image._meta.db_table)
    counters = list(_counter_columns(FRONT).values())
    columns = ", ".join(f"({counter.sql})" for counter in counters)
    sql = (
        # Our own names; the counters' scopes and the slug or id are parameters.
        f"SELECT ROW_TO_JSON({story}), ROW_TO_JSON({desk}), ROW_TO_JSON({label}),"  # noqa: S608
        f" ROW_TO_JSON({image}), {columns} FROM {story}"
        f" JOIN {desk} ON {desk}.id = {story}.desk_id"
        f" LEFT JOIN {label} ON {label}.id = {story}.label_id"
        f" LEFT JOIN {image} ON {image}.id = {story}.lead_image_id"
        f" WHERE {story}.{quote(column)} = %s"
    )
    return sql


@dataclass
class StoryParts:
    """What an article shows besides its own row, in the order it shows them."""

    bylines: list[Byline]
    tags: list[Tag]
    corrections: list[Correction]


def story_parts(story: Story) -> StoryParts:
    """The story's bylines (with authors and their photos), tags and corrections.

    On PostgreSQL one statement (``_story_parts_sql``): each list is a JSON
    array of whole rows, turned back into model instances here. Elsewhere the
    same three lists in three queries. The test that both agree is
    ``test_views.py::test_story_parts_read_in_one_query_match_the_orm``.
    """
    if connection.vendor != "postgresql":
        bylines = Byline.objects.filter(story=story).select_related("author", "author__photo")
        return StoryParts(
            list(bylines.order_by("position")),
            list(story.tags.all()),
            list(story.corrections.all()),
        )
    with connection.cursor() as cursor:
        cursor.execute(_story_parts_sql(), [story.pk] * 3)
        byline_rows, tag_rows, correction_rows = (_json(value) for value in cursor.fetchone())
    bylines = []
    for row in byline_rows:
        byline = _from_row(Byline, row["byline"])
        byline.author = _from_row(Author, row["author"])
        photo = row["photo"]
        byline.author.photo = None if photo is None else _from_row(Image, photo)
        bylines.append(byline)
    tags = [_from_row(Tag, row) for row in tag_rows]
    return StoryParts(bylines, tags, [_from_row(Correction, row) for row in correction_rows])


@once
def _story_parts_sql() -> str:
    """One story's bylines, tags and corrections: three JSON arrays, in the ORM's orders."""
    byline, author, tagging = Byline._meta.db_table, Author._meta.db_table, Story.tags.through
    tag, correction, image = Tag._meta.db_table, Correction._meta.db_table, Image._meta.db_table
    quote = connection.ops.quote_name
    return (
        # Our own table names; the story's id is a parameter.
        f"SELECT (SELECT COALESCE(JSON_AGG(JSON_BUILD_OBJECT("  # noqa: S608
        f"'byline', b, 'author', a, 'photo', p) ORDER BY b.position), '[]')"
        f" FROM {quote(byline)} b JOIN {quote(author)} a ON a.id = b.author_id"
        f" LEFT JOIN {quote(image)} p ON p.id = a.photo_id WHERE b.story_id = %s),"
        f" (SELECT COALESCE(JSON_AGG(t ORDER BY t.name), '[]')"
        f" FROM {quote(tag)} t JOIN {quote(tagging._meta.db_table)} st ON st.tag_id = t.id"
        f" WHERE st.story_id = %s),"
        f" (SELECT COALESCE(JSON_AGG(c ORDER BY c.published_at, c.id), '[]')"
        f" FROM {quote(correction)} c WHERE c.story_id = %s)"
    )


def _json(value):
    return json.loads(value) if isinstance(value, str | bytes) else value


def _from_row(model: type[Model], row: dict) -> Model:
    """The instance the ORM would have made of the table row ``row`` (JSON of one row)."""
    fields = model._meta.concrete_fields
    values = [field.to_python(row[field.column]) for field in fields]
    return model.from_db(connection.alias, [field.attname for field in fields], values)


@dataclass
class PreviewStory:
    story: Story
    bylines: list[Byline]
    tags: list[Tag]


def story_from_revision(revision: Revision) -> PreviewStory:
    """An unsaved story carrying ``revision``'s content, to render as readers will see it."""
    original = revision.story
    story = Story(
        pk=original.pk,
        slug=original.slug,
        desk=revision.desk,
        status=original.status,
        published_at=original.published_at or revision.created_at,
        updated_at=original.updated_at or revision.created_at,
        # Live coverage and thread are the story's, not a revision's (site/live_coverage.py).
        developing_since=original.developing_since,
        developing_until=original.developing_until,
        thread_id=original.thread_id,
        **{name: getattr(revision, name) for name in StoryContent.CONTENT_FIELDS},
    )
    authors = Author.objects.in_bulk(revision.author_ids)
    bylines = [
        Byline(author=authors[pk], position=position)
        for position, pk in enumerate(revision.author_ids)
        if pk in authors
    ]
    tags = list(Tag.objects.filter(pk__in=revision.tag_ids).order_by("name"))
    return PreviewStory(story=story, bylines=bylines, tags=tags)


@dataclass
class StaffMember:
    """A person on the masthead: their public author profile and what they do."""

    author: Author
    role: str
    rank: int  # the role's place in _MASTHEAD_ROLES: editors before writers


@dataclass
class Staff:
    chief_editors: list[StaffMember]
    desks: list[tuple[Desk, list[StaffMember]]]


# Within a desk: its editors, then its writers. Administrators run the system,
# not the newsroom, and are not on the masthead.
_MASTHEAD_ROLES = (
    StaffRole.Role.CHIEF_EDITOR,
    StaffRole.Role.DESK_EDITOR,
    StaffRole.Role.WRITER,
)


def masthead_staff(desks: list[Desk]) -> Staff:
    """The chief editors and each desk's staff, as readers may know them.

    A person appears through their author profile only: the name, title,
    photo and contact they publish there, never their login or account
    email (RELIABILITY.md E5). Staff who left (inactive account or profile),
    and accounts without a profile, are not listed. One query.
    """
    roles = (
        StaffRole.objects.filter(
            role__in=_MASTHEAD_ROLES, user__is_active=True, user__author__is_active=True
        )
        .select_related("user__author", "user__author__photo")
        .only(
            "role",
            "desk_id",
            "user__author__name",
            "user__author__slug",
            "user__author__job_title",
            "user__author__email",
            "user__author__phone",
            "user__author__photo",
        )
    )
    chiefs: dict[int, StaffMember] = {}
    by_desk: dict[int, dict[int, StaffMember]] = {}
    for role in roles:
        author = role.user.author
        rank = _MASTHEAD_ROLES.index(role.role)
        member = StaffMember(author, StaffRole.Role(role.role).label, rank)
        listed = chiefs if role.desk_id is None else by_desk.setdefault(role.desk_id, {})
        if author.pk not in listed or rank < listed[author.pk].rank:
            listed[author.pk] = member  # one line a person: their highest role there

    def in_order(members) -> list[StaffMember]:
        key = lambda m: (m.rank, m.author.shown.name.casefold(), m.author.pk)  # noqa: E731
        return sorted(members, key=key)

    return Staff(
        in_order(chiefs.values()),
        [(desk, in_order(by_desk[desk.pk].values())) for desk in desks if desk.pk in by_desk],
    )


def edition_collectives(edition) -> list[Author]:
    """The collective bylines (“Editorial Staff”) of ``edition``'s masthead page: those
    that signed its stories, and on the default edition also those that signed none yet.
    Another edition's collective, which writes in another language, is not listed."""
    collectives = Author.objects.filter(kind=Author.Kind.COLLECTIVE, is_active=True).annotate(
        here=Count("stories", filter=Q(stories__desk__edition_id=edition.pk)),
        anywhere=Count("stories"),
    )
    return [
        collective
        for collective in collectives
        if collective.here or (edition.is_default and not collective.anywhere)
    ]


def outlet_of(request) -> Outlet:
    """The outlet (with its logo): from the cache of the current ``site`` version."""
    return _site_records(request)[0]


def site_name(request) -> str:
    """The name the request's edition is read under (``Edition.name_with``): the outlet's for
    the default edition, its publication name (``ایران فرانت پیج``) for any other."""
    return edition_of(request).name_with(outlet_of(request))


def site_tagline(request) -> str:
    """The line under the name, in the edition's language (``Edition.tagline_with``)."""
    return edition_of(request).tagline_with(outlet_of(request))


def published_policies(request) -> list[PolicyPage]:
    """The published policy pages of the request's edition, in footer order (cached like
    ``outlet_of``)."""
    return _site_records(request)[1]


def nav_desks(request) -> list[Desk]:
    """The desks of the request's edition in menu order (cached like ``outlet_of``)."""
    return _site_records(request)[2]


def _site_records(request) -> tuple[Outlet, list[PolicyPage], list[Desk]]:
    """The outlet's own records every page shows, read once per ``site`` version and request.

    The fragment's key holds the request's edition (``site/fragments.py``), like the desks.
    """
    if not hasattr(request, "_masthead_site_records"):
        edition_id = edition_of(request).pk
        request._masthead_site_records = fragments_for(request).value(
            "site-records", [SITE], lambda: _read_site_records(edition_id)
        )
    return request._masthead_site_records


def _read_site_records(edition_id: int | None) -> tuple[Outlet, list[PolicyPage], list[Desk]]:
    outlet = Outlet.objects.select_related("logo", "share_image").order_by("pk").first() or Outlet()
    # The edition's own pages (with their edition, which their addresses hold).
    policies = list(
        PolicyPage.objects.published()
        .filter(edition_id=edition_id)
        .only("kind", "title", "slug", "summary", "is_published", "position", "edition")
    )
    return outlet, policies, list(Desk.objects.filter(edition_id=edition_id))
