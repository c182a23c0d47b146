"""Full-text search of stories, the wire queue and the media library (docs/search.md)."""

from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save


class SearchConfig(AppConfig):
    name = "masthead.search"
    verbose_name = "Search"

    def ready(self) -> None:
        from masthead.newsroom.models import Author, AuthorName
        from masthead.search import receivers
        from masthead.stories.models import Byline, Story, Tag
        from masthead.stories.signals import tags_rewritten

        post_save.connect(receivers.story_saved, sender=Story, dispatch_uid="search-story")
        post_delete.connect(receivers.story_deleted, sender=Story, dispatch_uid="search-story-del")
        post_save.connect(receivers.byline_changed, sender=Byline, dispatch_uid="search-byline")
        post_delete.connect(
            receivers.byline_changed, sender=Byline, dispatch_uid="search-byline-del"
        )
        m2m_changed.connect(
            receivers.tags_changed, sender=Story.tags.through, dispatch_uid="search-tags"
        )
        for model, renamed in ((Tag, receivers.tag_renamed), (Author, receivers.author_renamed)):
            name = model.__name__
            pre_save.connect(receivers.remember_name, sender=model, dispatch_uid=f"search-{name}")
            post_save.connect(renamed, sender=model, dispatch_uid=f"search-{name}-renamed")
        pre_save.connect(receivers.remember_name, sender=AuthorName, dispatch_uid="search-aname")
        post_save.connect(
            receivers.author_name_saved, sender=AuthorName, dispatch_uid="search-aname-saved"
        )
        post_delete.connect(
            receivers.author_name_deleted, sender=AuthorName, dispatch_uid="search-aname-del"
        )
        tags_rewritten.connect(receivers.tags_rewritten, dispatch_uid="search-tags-rewritten")
