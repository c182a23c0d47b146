from django.apps import AppConfig


class WireConfig(AppConfig):
    name = "masthead.wire"
    verbose_name = "Wire desk"
