from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class NewsroomConfig(AppConfig):
    name = "masthead.newsroom"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        # The system check of dependency floors (`masthead check`, `manage check`).
        from masthead import deploy_checks  # noqa: F401
        from masthead.newsroom.author_names import forget_author_names
        from masthead.newsroom.models import AuthorName

        # An author's names in other languages are read through the cache (author_names.py);
        # post_delete also comes for the names an author's deletion takes with it.
        post_save.connect(forget_author_names, sender=AuthorName, dispatch_uid="author-names")
        post_delete.connect(forget_author_names, sender=AuthorName, dispatch_uid="author-names-d")
