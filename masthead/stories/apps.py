from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_delete


class StoriesConfig(AppConfig):
    name = "masthead.stories"
    verbose_name = "Stories"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from masthead.newsroom.models import Author, AuthorName, Desk, Edition, Outlet, StaffRole
        from masthead.stories.models import Label, Tag
        from masthead.stories.versions import (
            bump_site,
            bump_site_for_account,
            bump_site_for_tag,
        )

        # Every page shows these records (menus, bylines, kickers, the footer);
        # the masthead page lists the staff by role.
        for model in (Outlet, Edition, Desk, Author, AuthorName, Label, StaffRole):
            post_save.connect(bump_site, sender=model, dispatch_uid=f"bump-site-{model.__name__}")
            post_delete.connect(
                bump_site, sender=model, dispatch_uid=f"bump-site-del-{model.__name__}"
            )
        # A tag only once a live story carries it (stories/versions.py).
        post_save.connect(bump_site_for_tag, sender=Tag, dispatch_uid="bump-site-Tag")
        pre_delete.connect(bump_site_for_tag, sender=Tag, dispatch_uid="bump-site-del-Tag")
        post_save.connect(
            bump_site_for_account, sender=get_user_model(), dispatch_uid="bump-site-account"
        )
        # New renditions change the markup of the pages that show the image.
        from masthead.media.renditions import renditions_changed
        from masthead.stories.versions import bump_for_image

        renditions_changed.connect(bump_for_image, dispatch_uid="bump-for-image")
