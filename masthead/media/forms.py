"""The form field for an image upload: decoded and made safe while the form is cleaned."""

from __future__ import annotations

from django import forms

from masthead.media.image_safety import ACCEPT, prepare_image


class ImageUploadField(forms.FileField):
    """An image upload; ``cleaned_data`` holds what will be stored (``PreparedImage``).

    The upload is decoded by ``image_safety.prepare_image`` in ``to_python``,
    before anything else reads it, so a bomb, a file that is not an image or
    a damaged one is a clear error on this field, never a 500.
    """

    def __init__(self, **kwargs):
        # The model field's max_length bounds the stored name, which is made
        # anew (media.models.image_path); the upload's own name is never kept.
        kwargs.pop("max_length", None)
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def to_python(self, data):
        upload = super().to_python(data)
        return None if upload is None else prepare_image(upload)
