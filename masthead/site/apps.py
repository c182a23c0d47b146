from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "masthead.site"
    label = "masthead_site"
    verbose_name = "Public site"
