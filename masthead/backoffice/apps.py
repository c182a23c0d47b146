from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    """The back office staff work in (URLs under /desk/); not the ``Desk`` model it serves."""

    name = "masthead.backoffice"
    label = "backoffice"
    verbose_name = "Back office"
