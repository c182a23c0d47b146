"""Developing stories and threads: every write, one function per action.

A story is *developing* while ``developing_since`` is set and
``developing_until`` is not: its published updates (the notes editors write
with ``publish_update`` and ``publish_correction``) form a public timeline
and its JSON-LD is a ``LiveBlogPosting`` (``masthead/site/live_coverage.py``).
Ending coverage sets ``developing_until``: the story is a plain article
again. A *thread* (``StoryThread``) links several stories of one running
story; each live story of it lists the others.

Like ``services.py``, each function checks that the actor edits the story's
desk (desk editors and chief editors: what readers see of a published story
is theirs), locks the story's row, writes the audit record and bumps the
content versions, in one transaction. A story's scopes include its thread's,
``thread:<id>`` (``versions.story_scopes``), so any change to a story of a
thread — published, updated, withdrawn, moved in or out — changes the pages
of every story of that thread; moving a story between threads bumps both.
A change to a story readers cannot see yet bumps only pending twins.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from masthead.newsroom import audit
from masthead.newsroom.roles import access_for
from masthead.newsroom.slugs import unicode_slug
from masthead.stories import versions
from masthead.stories.models import Story, StoryThread
from masthead.stories.signals import story_changed

THREAD_TITLE_MAX = StoryThread._meta.get_field("title").max_length
THREAD_SLUG_MAX = StoryThread._meta.get_field("slug").max_length


def check_runs_coverage(actor, story: Story) -> None:
    """Developing and threads are the desk's editors' (and chief editors') call."""
    if not access_for(actor).edits(story.desk_id):
        raise PermissionDenied("Only the desk's editors may change how this story is covered.")


def check_makes_threads(actor) -> None:
    if not access_for(actor).edits_any_desk:
        raise PermissionDenied("Only desk editors and chief editors start threads.")


def _locked(story: Story) -> Story:
    return Story.objects.select_for_update().get(pk=story.pk)


def _publicise(story: Story, action: str, scopes_before: set[str]) -> None:
    """Bump what readers see of ``story`` (as it was and is) and announce it after commit."""
    scopes = versions.bump_story_change(
        scopes_before | versions.story_scopes(story), seen_by_readers=story.is_live()
    )
    story_id, desk_id, changed = story.pk, story.desk_id, frozenset(scopes)
    transaction.on_commit(
        lambda: story_changed.send(
            sender=Story, story_id=story_id, desk_id=desk_id, action=action, scopes=changed
        )
    )


@transaction.atomic
def start_developing(actor, story: Story) -> Story:
    """Mark ``story`` developing from now: its updates become a public timeline."""
    story = _locked(story)
    check_runs_coverage(actor, story)
    if story.is_withdrawn:
        raise ValidationError("A withdrawn story cannot be developing: reinstate it first.")
    if story.is_developing:
        return story
    before = versions.story_scopes(story)
    story.developing_since = timezone.now()
    story.developing_until = None
    story.save(update_fields=["developing_since", "developing_until", "modified_at"])
    audit.record(actor, "developing_start", story)
    _publicise(story, "developing_start", before)
    return story


@transaction.atomic
def end_developing(actor, story: Story) -> Story:
    """End live coverage: the story is a plain article again (its notes stay listed)."""
    story = _locked(story)
    check_runs_coverage(actor, story)
    if not story.is_developing:
        return story
    before = versions.story_scopes(story)
    story.developing_until = timezone.now()
    story.save(update_fields=["developing_until", "modified_at"])
    audit.record(actor, "developing_end", story)
    _publicise(story, "developing_end", before)
    return story


def _thread_slug(title: str) -> str:
    base = unicode_slug(title, THREAD_SLUG_MAX - 8) or "thread"
    slug, number = base, 1
    while StoryThread.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


@transaction.atomic
def create_thread(actor, title: str) -> StoryThread:
    """A new, empty thread. Nothing public changes until a story joins it."""
    check_makes_threads(actor)
    thread = StoryThread(title=title, created_by=actor if actor.is_authenticated else None)
    thread.clean()  # cleans the title to one line; refuses an empty one
    if not any(character.isalnum() for character in thread.title):
        raise ValidationError({"title": "A thread's title needs at least one letter or digit."})
    if len(thread.title) > THREAD_TITLE_MAX:
        raise ValidationError(
            {
                "title": gettext("A thread's title has at most %(thread_title_max)s characters.")
                % {"thread_title_max": THREAD_TITLE_MAX}
            }
        )
    thread.slug = _thread_slug(thread.title)
    thread.save()
    audit.record(actor, "thread_create", thread, note=thread.title)
    return thread


@transaction.atomic
def set_thread(actor, story: Story, thread: StoryThread | None) -> Story:
    """Put ``story`` in ``thread``, or take it out of its thread with ``None``."""
    story = _locked(story)
    check_runs_coverage(actor, story)
    if thread is not None:
        thread = StoryThread.objects.select_for_update().filter(pk=thread.pk).first()
        if thread is None:
            raise ValidationError({"thread": "That thread no longer exists."})
    new_id = thread.pk if thread is not None else None
    if story.thread_id == new_id:
        return story
    old_id = story.thread_id
    before = versions.story_scopes(story)
    story.thread = thread
    story.save(update_fields=["thread", "modified_at"])
    if thread is not None:
        audit.record(actor, "thread_add", story, note=thread.title, thread=new_id, left=old_id)
    else:
        audit.record(actor, "thread_remove", story, thread=old_id)
    _publicise(story, "thread_change", before)
    return story


def add_to_thread(actor, story: Story, thread: StoryThread) -> Story:
    return set_thread(actor, story, thread)


def remove_from_thread(actor, story: Story) -> Story:
    return set_thread(actor, story, None)
