from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "masthead.demo"
    verbose_name = "Demo outlet"
