from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class StoriesConfig(AppConfig):
    name = "masthead.stories"
    verbose_name = "Stories"

    def ready(self) -> None:
        from masthead.newsroom.models import Author, Desk, Outlet
        from masthead.stories.models import Label, Tag
        from masthead.stories.versions import bump_site

        # Every page shows these records (menus, bylines, kickers, the footer).
        for model in (Outlet, Desk, Author, Label, Tag):
            post_save.connect(bump_site, sender=model, dispatch_uid=f"bump-site-{model.__name__}")
            post_delete.connect(
                bump_site, sender=model, dispatch_uid=f"bump-site-del-{model.__name__}"
            )
