from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "masthead.newsroom"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        # The system check of dependency floors (`masthead check`, `manage check`).
        from masthead import deploy_checks  # noqa: F401
