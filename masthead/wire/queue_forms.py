"""The wire queue's forms: its filters (GET) and the choice of desk for a story."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from masthead.wire.models import Source
from masthead.wire.queue import QueueFilter

URGENCY_CHOICES = [
    ("", gettext_lazy("Any urgency")),
    ("2", gettext_lazy("Flash and urgent (1–2)")),
    ("4", gettext_lazy("Up to 4")),
    ("6", gettext_lazy("Up to 6")),
]


class QueueFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label=gettext_lazy("Search"))
    source = forms.ModelChoiceField(
        Source.objects.all(), required=False, empty_label=gettext_lazy("Every source")
    )
    urgency = forms.TypedChoiceField(
        choices=URGENCY_CHOICES, required=False, coerce=int, empty_value=None
    )
    day = forms.DateField(
        required=False,
        label=gettext_lazy("Received on"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    unseen = forms.BooleanField(required=False, label=gettext_lazy("Only items I have not opened"))

    def queue_filter(self) -> QueueFilter:
        """The filters understood; a filter that is not is left out (the page says so)."""
        if not self.is_bound:
            return QueueFilter()
        self.is_valid()
        data = self.cleaned_data
        source = data.get("source")
        return QueueFilter(
            text=(data.get("q") or "").strip(),
            source_id=source.pk if source else None,
            max_urgency=data.get("urgency"),
            day=data.get("day"),
            unseen=bool(data.get("unseen")),
        )
