"""The index follows every change of a story, inside the transaction that makes it.

Stories never import search (DESIGN.md: dependencies point one way); these
receivers, connected in ``apps.py``, listen to the rows every service of
``stories/services.py`` saves inside its transaction — the story row (state,
times, the readers' copy of the content), its tags and its bylines — and to
the demo loader's and importers' direct saves alike. A save that touched
only bookkeeping columns (the latest revision pointer) changes nothing the
index keeps and is skipped.

A renamed tag or author, or an author's name in another language added,
changed or removed, changes the words of every story carrying it: up to
``RENAME_REINDEX_LIMIT`` of them are re-indexed in the renaming transaction;
past that the rename would hold its transaction for minutes, so it logs a
warning and the stories keep the old name until ``search_rebuild``
(docs/search.md). Merging tags (bulk SQL, no row signals) sends
``stories.signals.tags_rewritten`` with the stories it moved, which are
re-indexed the same way.
"""

from __future__ import annotations

import logging

from masthead.search.indexing import index_stories, remove_stories

logger = logging.getLogger(__name__)
RENAME_REINDEX_LIMIT = 2000

BOOKKEEPING = frozenset({"latest_revision", "published_revision", "modified_at"})


def story_saved(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if raw:
        return  # fixtures: search_rebuild indexes them
    if update_fields is not None and set(update_fields) <= BOOKKEEPING:
        return
    index_stories([instance.pk])


def story_deleted(sender, instance, **kwargs) -> None:
    remove_stories([instance.pk])


def byline_changed(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    index_stories([instance.story_id])


def tags_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        index_stories([instance.pk])
    elif pk_set:
        index_stories(pk_set)  # stories added to or taken from one tag


def remember_name(sender, instance, raw=False, **kwargs) -> None:
    if raw or instance.pk is None:
        return
    old = sender.objects.filter(pk=instance.pk).values_list("name", flat=True).first()
    instance._search_name_before = old


def tag_renamed(sender, instance, created=False, raw=False, **kwargs) -> None:
    from masthead.stories.models import Story

    if _renamed(instance, created, raw):
        links = Story.tags.through.objects.filter(tag_id=instance.pk)
        story_ids = links.values_list("story_id", flat=True)
        _reindex_carriers(story_ids, f"tag {instance.pk} renamed")


def author_renamed(sender, instance, created=False, raw=False, **kwargs) -> None:

    if _renamed(instance, created, raw):
        _reindex_stories_of(instance.pk, f"author {instance.pk} renamed")


def author_name_saved(sender, instance, created=False, raw=False, **kwargs) -> None:
    """An ``AuthorName`` added, or its name changed."""
    if not raw and (created or _renamed(instance, created, raw)):
        _reindex_author(instance)


def author_name_deleted(sender, instance, **kwargs) -> None:
    _reindex_author(instance)


def _reindex_author(author_name) -> None:
    what = f"author {author_name.author_id}'s name in {author_name.language!r} changed"
    _reindex_stories_of(author_name.author_id, what)


def _reindex_stories_of(author_id: int, what: str) -> None:
    from masthead.stories.models import Byline

    story_ids = Byline.objects.filter(author_id=author_id).values_list("story_id", flat=True)
    _reindex_carriers(story_ids, what)


def tags_rewritten(sender, story_ids, note: str, **kwargs) -> None:
    _reindex_carriers(list(story_ids), note)


def _renamed(instance, created: bool, raw: bool) -> bool:
    before = getattr(instance, "_search_name_before", None)
    return not (created or raw) and before is not None and before != instance.name


def _reindex_carriers(story_ids, what: str) -> None:
    ids = list(story_ids[: RENAME_REINDEX_LIMIT + 1])
    if len(ids) > RENAME_REINDEX_LIMIT:
        logger.warning(
            "search: %s changes the words of more than %d stories; run `masthead "
            "manage search_rebuild` for searches to find their new words",
            what,
            RENAME_REINDEX_LIMIT,
        )
        return
    index_stories(ids)
