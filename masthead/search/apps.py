from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "masthead.search"
    verbose_name = "Search"
