"""The media library's forms: filtering the library, uploading files, an image's words."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy

from masthead.backoffice.forms import BoardFilterForm
from masthead.media.image_safety import ACCEPT
from masthead.media.models import Image
from masthead.newsroom.models import Desk, StaffRole

SEARCH_MAX = 200


class UploaderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return user.get_full_name() or user.username


class LibraryFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=SEARCH_MAX, label=gettext_lazy("Search"))
    desk = forms.ModelChoiceField(
        Desk.objects.all(), required=False, empty_label=gettext_lazy("All desks")
    )
    uploader = UploaderChoiceField(
        get_user_model().objects.filter(pk__in=StaffRole.objects.values("user_id")).distinct(),
        required=False,
        empty_label=gettext_lazy("Anyone"),
    )
    credit = forms.CharField(required=False, max_length=SEARCH_MAX, label=gettext_lazy("Credit"))
    uploaded_from = forms.DateField(
        required=False,
        label=gettext_lazy("Uploaded from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    uploaded_to = forms.DateField(
        required=False, label=gettext_lazy("to"), widget=forms.DateInput(attrs={"type": "date"})
    )
    zone_note = BoardFilterForm.zone_note


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class LibraryUploadForm(forms.Form):
    """The files themselves are read from ``request.FILES`` (``files``), one service call each."""

    files = forms.FileField(
        required=False,
        label=gettext_lazy("Images"),
        widget=MultipleFileInput(attrs={"accept": ACCEPT, "multiple": True}),
        help_text=gettext_lazy(
            "JPEG, PNG, WebP or GIF. Caption, credit and copyright written in the "
            "files are read into their fields."
        ),
    )
    desk = forms.ModelChoiceField(
        Desk.objects.none(), required=False, empty_label=gettext_lazy("No desk")
    )

    def __init__(self, *args, access, **kwargs):
        super().__init__(*args, **kwargs)
        desks = [desk.pk for desk in Desk.objects.all() if access.writes_for(desk.pk)]
        self.fields["desk"].queryset = Desk.objects.filter(pk__in=desks)


class ImageWordsForm(forms.ModelForm):
    class Meta:
        model = Image
        fields = [
            "alt_text",
            "decorative",
            "caption",
            "credit",
            "copyright",
            "usage_terms",
            "source",
        ]
        widgets = {"caption": forms.Textarea(attrs={"rows": 3})}

    def _post_clean(self) -> None:
        # The service checks and writes (``media.services.update_image``);
        # alt text may wait until a story shows the picture.
        pass


class FocalPointForm(forms.Form):
    focal_x = forms.FloatField(
        min_value=0,
        max_value=1,
        label=gettext_lazy("Across (0 left, 1 right)"),
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    focal_y = forms.FloatField(
        min_value=0,
        max_value=1,
        label=gettext_lazy("Down (0 top, 1 bottom)"),
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
