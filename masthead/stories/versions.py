"""Which public content a change touches, and the counters that say so.

Every service that changes what readers see bumps the scopes of the story
as it was and as it is, inside its transaction, so the old and the new
desk, authors and tags are all bumped (a story moving from Politics to
Economy changes both section pages). Changes to the outlet's own records
(desks, authors, labels, tags, the outlet, and the staff roles and accounts
the masthead page lists) bump the "site" scope, which every page depends
on. A story also belongs to the scope of the calendar month (UTC)
of its first publication, ``month:2026-11``: that month's sitemap and its
line in the sitemap index change with it, and a story rescheduled from one
month to another bumps both. A story in a thread belongs to its scope,
``thread:4``: every story of the thread lists the others, so a change to one
changes the pages of all (``stories/developing.py``); so does a translation
group, ``translations:<key>`` (``stories/translations.py``). Readers of the counters:
``masthead/site/page_cache.py`` and ``masthead/site/sitemaps.py``.

The lists of an edition (its home, Recent Posts, site feed, corrections page)
show the ``front`` scope *of that edition*, so a publish in one edition
leaves the other's lists, and their cached copies, as they were. The default
edition's is ``front``, as it was before editions (an outlet with one edition
sees no change: its keys, purges and docs keep their meaning); another's is
``front:<url root>`` (``front:fa``). The root names it because it never
changes once saved and is known in process memory (``url_root_of``: no
query), and because only the default edition has none (a check constraint),
so ``front`` is never another edition's. What lists every edition (the
sitemap index, the API's lists, a 404 that a publish in any edition may turn
into a page or a redirect) shows ``every_front_scope()``. A story moved to a
desk of another edition bumps both editions' fronts, as its scopes before
and after the change are both bumped.

A change readers cannot see yet bumps nothing they can observe
(RELIABILITY.md F3): scheduling a story, rescheduling, unscheduling or
withdrawing it before its time, or renaming it then, bumps only the
*pending* twin of each scope (``pending:desk:3``). No page, feed, sitemap or
API answer shows a pending scope, so no validator, ``lastmod`` or cached copy
changes; the caches that keep the time of the next change by the clock (the
page cache's next release, fragments of ``front``, sitemap summaries) key on
the pending twin and re-read that time. The release itself is the clock's:
a scheduled story becomes public at its time with no write, and public dates
(``lastmod``, ``Last-Modified``) take the release times that have passed
from the stories themselves. Likewise a tag changes pages only once a live
story carries it (``bump_site_for_tag``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.db.models import F, IntegerField, Q, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone

from masthead.newsroom.editions import all_editions, url_root_of
from masthead.newsroom.models import StaffRole
from masthead.stories import release_clock
from masthead.stories.models import ContentVersion, Story

SITE = "site"
# The default edition's lists: home, recent posts, site feeds, corrections (front_scope).
FRONT = "front"
PENDING = "pending:"
TRANSLATIONS = "translations:"


def front_scope(edition_id: int | None) -> str:
    """The scope of an edition's lists: ``front`` for the default edition, ``front:<root>``
    for another (``front:fa``); ``front`` for no edition yet (the default one, unsaved)."""
    root = url_root_of(edition_id)
    return f"{FRONT}:{root}" if root else FRONT


def edition_of_front(scope: str) -> int | None:
    """The edition whose front ``scope`` is (the reverse of ``front_scope``); None for a
    scope that is no edition's front."""
    if scope == FRONT:
        return next((edition.pk for edition in all_editions() if edition.is_default), None)
    if scope.startswith(FRONT + ":"):
        root = scope.removeprefix(FRONT + ":")
        return next((edition.pk for edition in all_editions() if edition.url_root == root), None)
    return None


def every_front_scope() -> list[str]:
    """The front scopes of every edition: what a list of all editions' stories shows."""
    return sorted({FRONT, *(front_scope(edition.pk) for edition in all_editions())})


def story_scopes(story: Story) -> set[str]:
    """The scopes whose pages show ``story`` as it is now."""
    if story.pk is None:
        return set()
    scopes = {front_scope(story.edition_id), f"story:{story.pk}", f"desk:{story.desk_id}"}
    scopes.update(f"author:{pk}" for pk in story.bylines.values_list("author_id", flat=True))
    scopes.update(f"tag:{pk}" for pk in story.tags.values_list("pk", flat=True))
    if story.label_id:
        scopes.add(f"label:{story.label_id}")
    if story.thread_id:
        # Every story of a thread lists the others (``stories/developing.py``).
        scopes.add(thread_scope(story.thread_id))
    if story.translation_key is not None:
        # Every live story of a translation group names the others (hreflang).
        scopes.add(translation_scope(story.translation_key))
    if story.published_at is not None:
        scopes.add(month_scope_of(story.published_at))
    return scopes


def thread_scope(thread_id: int) -> str:
    """The scope of a thread: the pages of its stories, each listing the live others."""
    return f"thread:{thread_id}"


def translation_scope(key) -> str:
    """The scope of a translation group: the pages of its stories, each naming the others."""
    return f"{TRANSLATIONS}{key}"


def pending_scope(scope: str) -> str:
    """The twin of ``scope`` that changes when what it will show by the clock changes."""
    return PENDING + scope


def month_scope(year: int, month: int) -> str:
    """The scope of the stories first published in one calendar month (UTC)."""
    return f"month:{year:04d}-{month:02d}"


def month_scope_of(moment: datetime) -> str:
    """The month scope a story first published at ``moment`` belongs to."""
    moment = moment.astimezone(UTC)
    return month_scope(moment.year, moment.month)


def counters(scopes: Iterable[str]) -> dict[str, int]:
    """The current counter of each scope (0 for a scope never bumped), in one query."""
    wanted = set(scopes)
    found = dict(ContentVersion.objects.filter(scope__in=wanted).values_list("scope", "counter"))
    return {scope: found.get(scope, 0) for scope in wanted}


def counter_of(scope: str) -> RawSQL:
    """A scope's counter as a column, read in the same statement as the rows it versions.

    One statement sees one snapshot, so a row and the counter of its version
    always belong together. Plain SQL: Django compiles it in microseconds.
    """
    sql = f"COALESCE(({_COUNTER} = %s), 0)"
    return RawSQL(sql, (scope,), output_field=IntegerField())  # noqa: S611 - names are ours


def story_counter() -> RawSQL:
    """The counter of ``story:<id>`` of each story row a query reads (see ``counter_of``)."""
    story_id = f"{_quote(Story._meta.db_table)}.{_quote('id')}"
    sql = f"COALESCE(({_COUNTER} = %s || {story_id}), 0)"
    return RawSQL(sql, ("story:",), output_field=IntegerField())  # noqa: S611 - names are ours


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# Quoted names of our own table; every value is a parameter.
_COUNTER = f"SELECT {_quote('counter')} FROM {_quote(ContentVersion._meta.db_table)} WHERE {_quote('scope')}"  # noqa: S608, E501


def last_public_change(
    scopes: Iterable[str], *, releases: bool = False, editions: Iterable[int] | None = None
) -> datetime | None:
    """When content in these scopes last changed for readers (see the module docstring).

    Scheduling bumps nothing readers see; a scheduled story becomes public by
    the clock, with no write. With ``releases`` (lists, whose members change
    so), the latest release that has come counts too: the newest live
    story's publication and the latest embargo end that has passed, among the
    stories of ``editions`` (every edition's when None: a page of one edition
    lists only its stories, so a publish in another does not date it) and of
    the translation groups in ``scopes`` (their pages name each other across
    editions). One statement of index probes (``_newest_release``; every
    public page asks this once per render, ``site/http.py``), and one more
    for a page of a translation group.
    """
    scopes = list(scopes)
    bumped = (
        ContentVersion.objects.filter(scope__in=[SITE, *scopes])
        .order_by("-changed_at")
        .values("changed_at")[:1]
    )
    if not releases:
        return bumped.values_list("changed_at", flat=True).first()
    now = release_clock.now()
    live = Story.objects.live(now)
    shown = live if editions is None else live.in_editions(editions)
    moments = _newest_release(shown, now, bumped)
    keys = [scope.removeprefix(TRANSLATIONS) for scope in scopes if scope.startswith(TRANSLATIONS)]
    if keys and editions is not None:
        moments += _newest_release(live.filter(translation_key__in=keys), now)
    return max((t for t in moments if t is not None), default=None)


def _newest_release(stories, now: datetime, bumped=None) -> list[datetime | None]:
    """The newest publication and the latest passed embargo end among live ``stories``
    (and the newest change of ``bumped``'s rows), in one statement.

    Each a probe that stops at its first row, on SQLite too: the newest
    publication walks the public index (``story_public_idx``, which the gate's
    statuses match: ``index_terms.Constants``) newest first; the embargo end is
    bounded by ``now`` as well as by the gate's ``IS NULL OR``, so the embargo
    index can answer it.
    """
    probes = [
        stories.newest_first().values("published_at")[:1],
        stories.filter(embargoed_until__lte=now)
        .order_by("-embargoed_until")
        .values("embargoed_until")[:1],
    ]
    if bumped is not None:
        probes.append(bumped)
    # Any one row to hang the probes on; none in an empty archive.
    moments = Story.objects.order_by().values_list(*(Subquery(probe) for probe in probes))
    row = next(iter(moments[:1]), None)
    if row is None:  # no story at all: only the scopes' own changes
        return [bumped.values_list("changed_at", flat=True).first()] if bumped is not None else []
    return list(row)


def bump(scopes: Iterable[str]) -> None:
    """Add one to each scope's counter (creating it), in the caller's transaction."""
    now = timezone.now()
    # A fixed order keeps two concurrent publishes from deadlocking on the rows.
    for scope in sorted(set(scopes)):
        updated = ContentVersion.objects.filter(scope=scope).update(
            counter=F("counter") + 1, changed_at=now
        )
        if updated:
            continue
        try:
            with transaction.atomic():
                ContentVersion.objects.create(scope=scope, counter=1, changed_at=now)
        except IntegrityError:
            ContentVersion.objects.filter(scope=scope).update(
                counter=F("counter") + 1, changed_at=now
            )


def bump_story_change(scopes: Iterable[str], *, seen_by_readers: bool) -> set[str]:
    """Bump ``scopes`` for a change readers see now, else only their pending twins.

    Returns the scopes whose pages changed (none for a change not yet public).
    """
    scopes = set(scopes)
    if seen_by_readers:
        bump(scopes)
        return scopes
    bump(pending_scope(scope) for scope in scopes)
    return set()


def bump_site(**_signal_arguments) -> None:
    """Receiver for records every page shows (desk names, author bios, the outlet …)."""
    bump([SITE])


def bump_site_for_account(
    instance, created: bool = False, update_fields=None, **_signal_arguments
) -> None:
    """Receiver for user accounts: a staff member who leaves (or returns) leaves the masthead.

    Only a change that may touch ``is_active``: a login saves ``last_login``
    alone and changes no page.
    """
    if created or (update_fields is not None and "is_active" not in update_fields):
        return
    if StaffRole.objects.filter(user_id=instance.pk).exists():
        bump([SITE])


def bump_site_for_tag(instance, **_signal_arguments) -> None:
    """Receiver for tags: pages show a tag only once a live story carries it.

    A tag made for a story still in the works (an embargoed merger) changes
    nothing public; renaming or deleting a tag live stories carry does.
    Connected to ``post_save`` and ``pre_delete`` (the links are gone after).
    """
    if instance.pk is not None and Story.objects.live().filter(tags=instance).exists():
        bump([SITE])


def bump_for_image(image_id: int, **_signal_arguments) -> None:
    """Receiver for ``media.renditions.renditions_changed``: the live stories that show the
    image (lead or body) carry new picture markup, on their pages and their cards."""
    shown = Q(lead_image_id=image_id) | Q(
        image_uses__image_id=image_id, image_uses__in_published=True
    )
    scopes: set[str] = set()
    for story in Story.objects.live().filter(shown).select_related("desk").distinct()[:200]:
        scopes |= story_scopes(story)
    if scopes:
        bump(scopes)
