from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "masthead.desk"
    label = "desk"
    verbose_name = "Back office"
