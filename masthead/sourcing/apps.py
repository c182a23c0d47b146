from django.apps import AppConfig


class SourcingConfig(AppConfig):
    name = "masthead.sourcing"
    verbose_name = "Sourcing and trust"
