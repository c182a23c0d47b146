"""The index follows every change of a story, inside the transaction that makes it.

Stories never import search (DESIGN.md: dependencies point one way); these
receivers, connected in ``apps.py``, listen to the rows every service of
``stories/services.py`` saves inside its transaction — the story row (state,
times, the readers' copy of the content), its tags and its bylines — and to
the demo loader's and importers' direct saves alike. A save that touched
only bookkeeping columns (the latest revision pointer) changes nothing the
index keeps and is skipped.
"""

from __future__ import annotations

from masthead.search.indexing import index_stories, remove_stories

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
