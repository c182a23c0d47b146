from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "masthead.stories"
    verbose_name = "Stories"
