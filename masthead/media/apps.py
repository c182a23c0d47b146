from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_save


class MediaConfig(AppConfig):
    name = "masthead.media"
    verbose_name = "Media"

    def ready(self) -> None:
        from masthead.media import image_safety, tasks
        from masthead.media.models import Image, Rendition

        image_safety.harden_pillow()
        # Renditions follow their image (media/tasks.py).
        pre_save.connect(tasks.remember_stored_state, sender=Image, dispatch_uid="rendition-state")
        post_save.connect(tasks.renditions_after_save, sender=Image, dispatch_uid="renditions")
        post_delete.connect(
            tasks.remove_file_after_delete, sender=Rendition, dispatch_uid="rendition-file"
        )
