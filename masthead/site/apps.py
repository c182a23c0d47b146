from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class SiteConfig(AppConfig):
    name = "masthead.site"
    label = "masthead_site"
    verbose_name = "Public site"

    def ready(self) -> None:
        from masthead.newsroom.models import PolicyPage
        from masthead.stories.versions import bump_site

        # Policy pages are linked from every page's footer and named in every
        # article's structured data: a change to one is a change to the site.
        post_save.connect(bump_site, sender=PolicyPage, dispatch_uid="bump-site-PolicyPage")
        post_delete.connect(bump_site, sender=PolicyPage, dispatch_uid="bump-site-del-PolicyPage")

        from masthead.site.purge import on_story_changed
        from masthead.stories.signals import story_changed

        story_changed.connect(on_story_changed, dispatch_uid="cdn-purge")
