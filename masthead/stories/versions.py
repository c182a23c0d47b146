"""Which public content a change touches, and the counters that say so.

Every service that changes what readers see calls ``bump_story`` inside its
transaction with the story as it was and as it is, so the old and the new
desk, authors and tags are all bumped (a story moving from Politics to
Economy changes both section pages). Changes to the outlet's own records
(desks, authors, labels, tags, the outlet) bump the "site" scope, which every
page depends on. Readers of the counters: ``masthead/site/page_cache.py``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from masthead.stories.models import ContentVersion, Story

SITE = "site"
FRONT = "front"  # home, recent posts, site feeds, sitemaps, corrections, 404s


def story_scopes(story: Story) -> set[str]:
    """The scopes whose pages show ``story`` as it is now."""
    if story.pk is None:
        return set()
    scopes = {FRONT, f"story:{story.pk}", f"desk:{story.desk_id}"}
    scopes.update(f"author:{pk}" for pk in story.bylines.values_list("author_id", flat=True))
    scopes.update(f"tag:{pk}" for pk in story.tags.values_list("pk", flat=True))
    if story.label_id:
        scopes.add(f"label:{story.label_id}")
    return scopes


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


def bump_site(**_signal_arguments) -> None:
    """Receiver for records every page shows (desk names, author bios, the outlet …)."""
    bump([SITE])
