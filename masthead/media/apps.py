from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "masthead.media"
    verbose_name = "Media"

    def ready(self) -> None:
        from masthead.media import image_safety

        image_safety.harden_pillow()
