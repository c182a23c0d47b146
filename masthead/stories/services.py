"""Writes to stories that cross rows. The editorial workflow joins them here."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from masthead.stories.models import Story, StorySlug


@transaction.atomic
def change_story_slug(story: Story, new_slug: str) -> Story:
    """Give a story a new slug; every address it had answers 301 to the new one."""
    new_slug = slugify(new_slug, allow_unicode=True)[:120]
    if not new_slug:
        raise ValidationError({"slug": "A slug needs at least one letter or digit."})
    if new_slug == story.slug:
        return story
    taken_by_story = Story.objects.filter(slug=new_slug).exclude(pk=story.pk).exists()
    taken_before = StorySlug.objects.filter(slug=new_slug).exclude(story=story).exists()
    if taken_by_story or taken_before:
        raise ValidationError({"slug": f"“{new_slug}” is or was another story's address."})
    StorySlug.objects.filter(story=story, slug=new_slug).delete()
    StorySlug.objects.create(story=story, slug=story.slug)
    story.slug = new_slug
    story.save(update_fields=["slug", "modified_at"])
    return story


@transaction.atomic
def withdraw_story(story: Story, note: str) -> Story:
    """Take a story off every public surface; its address answers 410 with ``note``."""
    story.status = Story.Status.WITHDRAWN
    story.withdrawn_note = note
    story.save(update_fields=["status", "withdrawn_note", "modified_at"])
    return story
