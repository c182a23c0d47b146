from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "masthead.api"
    label = "api"
    verbose_name = "News API"

    def ready(self) -> None:
        from masthead.api.rate_limits import configured_rates

        # A mistyped API_RATE_LIMIT stops every command at start-up, in one line,
        # instead of failing on the first request.
        configured_rates()
