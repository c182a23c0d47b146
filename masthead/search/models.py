"""The search index of stories: one row per story, its gate and ranking inputs with it.

A query is answered from this table alone (and, on SQLite, the FTS5 table
beside it): whether the public may see the story (``is_public`` and
``live_from``, the gate of ``Story.objects.live()`` as two columns), its
desk, bylines and label for the filters, and its times for recency. Joining
to the stories for any of these took seconds on common words at 100,000
stories; the stories are read only for the page of results shown, through
``Story.objects.live()`` again.

``live_from`` is when a public story comes out (its publication time or its
embargo's end, whichever is later): a scheduled or embargoed story is in the
index from the moment it is scheduled and is matched once ``live_from`` has
passed, with no job to run at its time. Withdrawing or unpublishing clears
``is_public`` in the same transaction (``search/receivers.py``).
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models


class StoryEntry(models.Model):
    story = models.OneToOneField(
        "stories.Story", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    is_public = models.BooleanField(default=False, help_text="Published or scheduled.")
    live_from = models.DateTimeField(
        null=True, blank=True, help_text="Publication time or embargo end, the later."
    )
    status = models.CharField(max_length=12)
    desk_id = models.PositiveIntegerField()
    label_id = models.PositiveIntegerField(null=True, blank=True)
    author_ids = models.CharField(
        max_length=1000, blank=True, help_text="Bylined authors' ids as |3|17|, for the filter."
    )
    published_at = models.DateTimeField(null=True, blank=True)
    fresh_at = models.DateTimeField(
        null=True, blank=True, help_text="Last public update (or publication, or last change)."
    )
    # PostgreSQL only (the GIN index is made by the migration there); SQLite
    # keeps the words in the FTS5 table ``search_storyfts``.
    vector = SearchVectorField(null=True, blank=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "story entries"
        indexes = [
            # The freshest matches first: the bounded candidate set of a query.
            models.Index(
                fields=["-fresh_at", "-story"],
                condition=models.Q(is_public=True),
                name="search_public_fresh_idx",
            ),
            models.Index(fields=["-fresh_at", "-story"], name="search_fresh_idx"),
        ]

    def __str__(self) -> str:
        return f"search entry of story {self.story_id}"
