from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "masthead.worker"
    label = "masthead_worker"
    verbose_name = "Background work"
