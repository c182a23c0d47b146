"""Keeping the index in step with the stories: one story at a time, or all of them.

``index_stories`` runs inside the transaction that saved the story (the
receivers in ``receivers.py`` call it on every save of a story row, its
tags and its bylines), so the index commits or rolls back with the story:
a withdrawal or an unpublish is gone from public results the moment it
commits, and a publish is findable the moment it commits. ``rebuild_index``
(``manage.py search_rebuild``) re-reads every story in batches by primary
key, so memory stays flat at a million stories, and then drops words of
stories that no longer exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

from masthead.search.documents import document_for, stories_to_index
from masthead.search.engines import current_engine

REBUILD_BATCH = 1000
# Set by ``paused``: this thread's saves are not indexed one by one.
_paused: ContextVar[bool] = ContextVar("search_indexing_paused", default=False)


@contextmanager
def paused() -> Iterator[None]:
    """Saves made in the block (in this thread) are not indexed as they happen: the
    caller calls ``rebuild_index`` after it, in the same transaction, so the index
    still commits with the stories. For a bulk load that saves each story several
    times (its row, tags, bylines, revisions): the demo's load spent over a third of its
    time indexing the same stories again and again before the rebuild at its end."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def _documents(stories) -> list:
    return [document_for(story, story.label.name if story.label else "") for story in stories]


def index_stories(story_ids: Iterable[int]) -> None:
    """Put these stories' current rows in the index (and drop any that no longer exist)."""
    from masthead.stories.models import Story

    if _paused.get():
        return
    ids = sorted(set(story_ids))
    if not ids:
        return
    docs = _documents(stories_to_index(Story, ids=ids))
    engine = current_engine()
    if docs:
        engine.write(docs)
    gone = set(ids) - {doc.story_id for doc in docs}
    if gone:
        engine.delete(sorted(gone))


def remove_stories(story_ids: Iterable[int]) -> None:
    current_engine().delete(sorted(set(story_ids)))


def rebuild_index(
    *, batch: int = REBUILD_BATCH, story_model=None, progress: Callable[[int], None] | None = None
) -> int:
    """Index every story again, ``batch`` at a time (one transaction each); returns the count.

    ``story_model`` is for the data migration (its historical model).
    """
    if story_model is None:
        from masthead.stories.models import Story as story_model
    engine, after, done = current_engine(), 0, 0
    while True:
        with transaction.atomic():
            stories = list(stories_to_index(story_model, after=after, batch=batch))
            if not stories:
                break
            engine.write(_documents(stories))
        after, done = stories[-1].pk, done + len(stories)
        if progress is not None:
            progress(done)
    engine.prune()
    return done
