"""The readers' "Report an error" form and the desk's decline form."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator, URLValidator
from django.utils.translation import gettext_lazy

from masthead.newsroom.text import clean_paragraphs, strip_invisible
from masthead.sourcing.reports import MAX_REASON_CHARS

# The honeypot's name: a field people never see (hidden by CSS, out of the tab
# order, labelled for screen readers to leave alone) and bots fill in.
HONEYPOT = "website"


class ReportForm(forms.Form):
    what_is_wrong = forms.CharField(
        label=gettext_lazy("What is wrong?"),
        widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
        help_text=gettext_lazy("Quote the sentence and tell us what is right, and how you know."),
    )
    evidence_url = forms.URLField(
        label=gettext_lazy("A link to evidence (optional)"),
        required=False,
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        widget=forms.URLInput(attrs={"placeholder": "https://", "dir": "ltr"}),
    )
    email = forms.EmailField(
        label=gettext_lazy("Your e-mail (optional)"),
        required=False,
        max_length=254,
        help_text=gettext_lazy(
            "Only to tell you what we did. Deleted after the retention period; never published."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}),
    )
    website = forms.CharField(
        label=gettext_lazy("Leave this empty"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.ERROR_REPORT_MAX_CHARS
        field = self.fields["what_is_wrong"]
        field.max_length = limit
        field.validators.append(MaxLengthValidator(limit))
        field.widget.attrs["maxlength"] = str(limit)

    @property
    def honeypot_filled(self) -> bool:
        return bool((self.data.get(HONEYPOT) or "").strip())

    def clean_what_is_wrong(self) -> str:
        text = clean_paragraphs(self.cleaned_data["what_is_wrong"])
        if not text:
            raise forms.ValidationError(gettext_lazy("Tell us what is wrong."))
        return text

    def clean_evidence_url(self) -> str:
        url = self.cleaned_data["evidence_url"]
        if url and strip_invisible(url) != url:
            raise forms.ValidationError(gettext_lazy("The link has invisible characters in it."))
        return url

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if email and (strip_invisible(email) != email or any(c in email for c in "\r\n,;<>")):
            raise forms.ValidationError(gettext_lazy("Enter one plain e-mail address."))
        return email


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is it declined?"),
        max_length=MAX_REASON_CHARS,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        help_text=gettext_lazy("Sent to the reader if they left an e-mail; never published."),
    )
