"""The back office's forms: the story editor, the workflow panel, filters, staff and desks.

The body uses django-prose-editor (ProseMirror/Tiptap) with only the
extensions whose HTML our sanitiser keeps (``newsroom.sanitize``): what an
editor can make in the editor is what readers will get. The model sanitises
the body again on save, whatever the form did.
"""

from __future__ import annotations

import copy
import re

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import get_language, gettext, gettext_lazy, pgettext_lazy
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import (
    ProseEditorWidget,
    importmap,
    prose_editor_js,
    prose_editor_media,
)
from js_asset import Media

from masthead.backoffice.outlet_time import OutletDateTimeField, in_utc, zone_label
from masthead.backoffice.services import RoleGrant
from masthead.backoffice.source_rows import PostedSources, blank_rows, rows_from_sources
from masthead.media.figures import figure_html
from masthead.media.forms import ImageUploadField
from masthead.media.models import Image
from masthead.newsroom.author_names import editions_of_other_languages
from masthead.newsroom.calendars import native_digits
from masthead.newsroom.models import Author, AuthorName, Desk, StaffRole
from masthead.newsroom.roles import StaffAccess, refusal_to_grant
from masthead.newsroom.sanitize import MAX_BODY_CHARS, sanitize_body
from masthead.newsroom.text import clean_line, clean_paragraphs
from masthead.sourcing import kinds
from masthead.stories import body_images, image_visibility
from masthead.stories.models import Correction, DatelineKind, Label, Story, Tag
from masthead.stories.services import NEW_TAGS_MAX, Content, tag_name_and_slug

# django-prose-editor's own media, with its editor.css replaced by our logical-property copy
# (the package's menu, dialogs and placeholder sit on the left otherwise, in Persian too).
BODY_EDITOR_MEDIA = Media(
    importmap=importmap,
    css={"all": ["django_prose_editor/material-icons.css", "backoffice/prose-editor.css"]},
    js=[prose_editor_js],
)


class BodyEditorWidget(ProseEditorWidget):
    """The body editor, styled for both directions (``static/backoffice/prose-editor.css``)."""

    @property
    def media(self):
        return prose_editor_media(base=BODY_EDITOR_MEDIA, preset=self.preset)


# Editor extensions, each producing only tags and attributes the sanitiser allows.
BODY_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto", "tel"]},
    "History": True,
    "HTML": True,
    # Our own (backoffice/static/backoffice/figures.js): library images and
    # galleries as figures (media/figures.py), chosen in a picker dialog.
    "ImageFigure": {"pickerUrl": reverse_lazy("backoffice:media_picker")},
    "ImageGallery": {"pickerUrl": reverse_lazy("backoffice:media_picker")},
    # django-prose-editor turns the browser's spell checking off by default.
    "NoSpellCheck": False,
}
BYLINE_SLOTS = 4
# Commas separate new tags: the Latin one, the Arabic one (Persian text) and the full-width one.
TAG_SEPARATORS = re.compile("[,\u060c\uff0c]")
HEADLINE_MAX = Story._meta.get_field("headline").max_length


def add_errors(form, error: ValidationError) -> None:
    """A service's refusal shown on the form: on its field when it names one."""
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            form.add_error(name if name in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


def clean_body(html: str) -> str:
    """Sanitised body; the editor's lone empty paragraph is an empty body."""
    cleaned = sanitize_body(html)
    return "" if cleaned in ("<p></p>", "<p><br></p>") else cleaned


class AuthorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, author: Author) -> str:
        if author.is_collective:
            return gettext("%(name)s (collective)") % {"name": author.name}
        return author.name


class LabelChoiceField(forms.ModelChoiceField):
    """Labels named in the staff member's language (``Label.names``): تحلیل, not Analysis."""

    def label_from_instance(self, label: Label) -> str:
        return label.name_in(get_language())


class ImageChoiceField(forms.ModelChoiceField):
    """An image by id, among those ``user`` may see (``stories.image_visibility``).

    Any other id is refused exactly like one that does not exist.
    """

    user = None

    def to_python(self, value):
        image = super().to_python(value)
        if image is not None and not image_visibility.can_see(self.user, image):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return image


class WrittenInEitherDirection:
    """A form whose typed text reads in its own direction: every text input and
    text area gets ``dir="auto"`` unless it names one, so a Persian headline
    reads right to left in an English back office and an English quote left
    to right in a Persian one (docs/editions.md, "Right to left")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            typed = isinstance(widget, forms.Textarea) or (
                isinstance(widget, forms.TextInput) and widget.input_type in {"text", "search"}
            )
            if typed:
                widget.attrs.setdefault("dir", "auto")


class NoInput(forms.Widget):
    """A field the form reads itself (the sources panel's rows): it renders nothing."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        return ""

    def value_from_datadict(self, data, files, name):
        return None


class StoryForm(WrittenInEitherDirection, forms.Form):
    """Everything an editor changes in a story, plus the revision it started from."""

    base_revision = forms.IntegerField(required=False, widget=forms.HiddenInput)
    headline = forms.CharField(
        label=gettext_lazy("Headline"),
        max_length=HEADLINE_MAX,
        widget=forms.TextInput(
            attrs={"data-count": "", "autocomplete": "off", "dir": "auto", "spellcheck": "true"}
        ),
    )
    dek = forms.CharField(
        label=gettext_lazy("Dek"),
        required=False,
        max_length=400,
        widget=forms.Textarea(
            attrs={"rows": 2, "data-count": "", "dir": "auto", "spellcheck": "true"}
        ),
        help_text=gettext_lazy("The standfirst under the headline."),
    )
    body = ProseEditorFormField(
        label=gettext_lazy("Body"),
        required=False,
        widget=BodyEditorWidget,
        config={"extensions": BODY_EXTENSIONS},
        sanitize=clean_body,
    )
    label = LabelChoiceField(
        Label.objects.all(),
        required=False,
        empty_label=gettext_lazy("(none)"),
        label=gettext_lazy("Label"),
    )
    desk = forms.ModelChoiceField(
        Desk.objects.none(), empty_label=None, label=pgettext_lazy("form field", "Desk")
    )
    tags = forms.ModelMultipleChoiceField(
        Tag.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Tags"),
    )
    new_tags = forms.CharField(
        required=False,
        max_length=1000,
        label=gettext_lazy("New tags"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "auto", "spellcheck": "true"}),
        help_text=gettext_lazy("Comma-separated. A tag the outlet already has is reused."),
    )
    dateline = forms.CharField(
        required=False,
        max_length=100,
        label=gettext_lazy("Dateline"),
        help_text=gettext_lazy("Where it was reported."),
    )
    dateline_kind = forms.ChoiceField(
        choices=[("", "—"), *DatelineKind.choices],
        required=False,
        label=gettext_lazy("Reported or written from"),
        help_text=gettext_lazy(
            "Reported from: we were there. Written from: we wrote it there, from elsewhere."
        ),
    )
    # Read from the panel's rows (``backoffice/source_rows.py``), never as one input.
    sources = forms.Field(required=False, widget=NoInput)
    method_note = forms.CharField(
        required=False,
        max_length=kinds.TEXT,
        label=gettext_lazy("How we reported this"),
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto", "spellcheck": "true"}),
        help_text=gettext_lazy(
            "Shown to readers with the sources: how the story was reported and checked."
        ),
    )
    makes_allegation = forms.BooleanField(
        required=False,
        label=gettext_lazy("The story makes an allegation"),
        help_text=gettext_lazy(
            "An accusation against a person or organisation: they should be asked "
            "to respond (add a “Response or denial” source)."
        ),
    )
    # Without the editor's script: a figure added at the end of the body by image id.
    figure_image = forms.IntegerField(
        required=False,
        min_value=1,
        label=gettext_lazy("Add an image to the body"),
        help_text=gettext_lazy(
            "The image's number in the media library; it goes at the end of the body."
        ),
    )
    figure_caption = forms.CharField(
        required=False,
        max_length=500,
        label=gettext_lazy("Its caption"),
        help_text=gettext_lazy("Blank: the image's own."),
    )
    figure_credit = forms.CharField(
        required=False,
        max_length=200,
        label=gettext_lazy("Its credit"),
        help_text=gettext_lazy("Blank: the image's own."),
    )
    lead_image = ImageChoiceField(Image.objects.all(), required=False, widget=forms.HiddenInput)
    lead_image_upload = ImageUploadField(
        required=False,
        label=gettext_lazy("Upload a lead image"),
        help_text=gettext_lazy(
            "JPEG, PNG, WebP or GIF. Location and camera data are removed from the file."
        ),
    )
    remove_lead_image = forms.BooleanField(
        required=False, label=gettext_lazy("Remove the lead image")
    )
    lead_image_alt = forms.CharField(
        required=False,
        max_length=300,
        label=gettext_lazy("Alt text"),
        help_text=gettext_lazy(
            "What the image shows, for readers who cannot see it. Required with an image."
        ),
    )
    lead_image_caption = forms.CharField(
        required=False, max_length=500, label=gettext_lazy("Caption")
    )
    lead_image_credit = forms.CharField(
        required=False, max_length=200, label=gettext_lazy("Credit")
    )
    seo_title = forms.CharField(
        required=False,
        max_length=120,
        label=gettext_lazy("SEO title"),
        widget=forms.TextInput(attrs={"data-count": ""}),
        help_text=gettext_lazy("Title for search engines, if not the headline."),
    )
    seo_description = forms.CharField(
        required=False,
        max_length=300,
        label=gettext_lazy("SEO description"),
        widget=forms.Textarea(attrs={"rows": 2, "data-count": ""}),
        help_text=gettext_lazy("Description for search engines, if not the dek."),
    )
    notes_to_editor = forms.CharField(
        label=gettext_lazy("Notes to editor"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Internal: never shown to readers."),
    )

    def __init__(
        self, *args, user, access: StaffAccess, current_desk: Desk | None = None, **kwargs
    ):
        byline_count = kwargs.pop("byline_count", 0)
        super().__init__(*args, **kwargs)
        self.fields["lead_image"].user = user
        self.user = user
        desks = Desk.objects.all()
        writable = [desk.pk for desk in desks if access.writes_for(desk.pk)]
        if current_desk is not None:
            writable.append(current_desk.pk)
        self.fields["desk"].queryset = Desk.objects.filter(pk__in=writable)
        authors = Author.objects.filter(is_active=True).order_by("kind", "name")
        self.byline_names = []
        for slot in range(max(BYLINE_SLOTS, byline_count + 1)):
            name = f"byline_{slot + 1}"
            self.fields[name] = AuthorChoiceField(
                authors,
                required=False,
                empty_label="—",
                label=gettext("Byline %(number)s")
                % {"number": native_digits(str(slot + 1), get_language())},
            )
            self.byline_names.append(name)
        self.new_image: Image | None = None

    @classmethod
    def initial_for(cls, content: Content, *, base_revision_id: int | None, notes: str) -> dict:
        image = content.lead_image
        initial = {
            "base_revision": base_revision_id,
            "headline": content.headline,
            "dek": content.dek,
            "body": content.body,
            "label": content.label,
            "desk": content.desk,
            "tags": content.tags,
            "dateline": content.dateline,
            "dateline_kind": content.dateline_kind,
            "sources": content.sources,
            "method_note": content.method_note,
            "makes_allegation": content.makes_allegation,
            "lead_image": image,
            "lead_image_alt": image.alt_text if image else "",
            "lead_image_caption": image.caption if image else "",
            "lead_image_credit": image.credit if image else "",
            "seo_title": content.seo_title,
            "seo_description": content.seo_description,
            "notes_to_editor": notes,
        }
        for slot, author in enumerate(content.authors):
            initial[f"byline_{slot + 1}"] = author
        return initial

    def current_image(self) -> Image | None:
        """The lead image the form holds now (before any upload), to show it.

        A posted id the person may not see shows nothing, as a missing one.
        """
        value = self["lead_image"].value()
        if isinstance(value, Image):
            return value
        try:
            return self.fields["lead_image"].to_python(value)
        except ValidationError:
            return None

    def typed_image_words(self) -> dict:
        """The alt text, caption and credit as typed, to keep them in a conflict's merged form."""
        return {
            name: self.cleaned_data.get(name, "")
            for name in ("lead_image_alt", "lead_image_caption", "lead_image_credit")
        }

    def bylines(self) -> list:
        return [self[name] for name in self.byline_names]

    def clean_new_tags(self) -> list[str]:
        """The names typed, checked as the tag service will store them (it creates them)."""
        names = [
            name for name in TAG_SEPARATORS.split(self.cleaned_data["new_tags"]) if name.strip()
        ]
        errors = []
        for name in names:
            try:
                tag_name_and_slug(name)
            except ValidationError as error:
                errors.extend(error.messages)
        if len(names) > NEW_TAGS_MAX:
            errors.append(f"Add at most {NEW_TAGS_MAX} new tags at a time.")
        if errors:
            raise ValidationError(errors)
        return names

    def source_rows(self):
        """The panel's rows: as sent (with their problems) or as the revision holds them."""
        if self.is_bound:
            return self.posted_sources.rows
        return rows_from_sources(self.initial.get("sources"))

    def blank_source_rows(self):
        """One empty row per kind, numbered after the others."""
        return blank_rows(len(self.source_rows()))

    @property
    def posted_sources(self) -> PostedSources:
        if not hasattr(self, "_posted_sources"):
            self._posted_sources = PostedSources(self.data)
        return self._posted_sources

    def clean_sources(self) -> list[dict]:
        problem = self.posted_sources.error()
        if problem is not None:
            raise problem
        return self.posted_sources.sources

    def clean_method_note(self) -> str:
        return clean_paragraphs(self.cleaned_data["method_note"])

    def clean_body(self) -> str:
        body = self.cleaned_data.get("body") or ""
        if len(body) > MAX_BODY_CHARS:
            raise ValidationError(
                gettext("The body is longer than %(max_body_chars)s characters.")
                % {"max_body_chars": f"{MAX_BODY_CHARS:,}"}
            )
        return body_images.checked_body(self.user, body)

    def _add_figure(self, cleaned: dict) -> None:
        """Add the figure the no-script fields name at the end of the body."""
        image_id = cleaned.get("figure_image")
        if not image_id or "body" not in cleaned:
            return
        image = Image.objects.filter(pk=image_id).first()
        if image is None or not image_visibility.can_see(self.user, image):
            self.add_error(
                "figure_image", gettext_lazy("No image with that number that you may use.")
            )
            return
        caption = clean_line(cleaned.get("figure_caption")) or None
        credit = clean_line(cleaned.get("figure_credit")) or None
        cleaned["body"] = clean_body(cleaned["body"] + figure_html(image, caption, credit))

    def clean(self) -> dict:
        cleaned = super().clean()
        self._clean_image(cleaned)
        self._add_figure(cleaned)
        authors, seen = [], set()
        for name in self.byline_names:
            author = cleaned.get(name)
            if author is not None and author.pk not in seen:
                authors.append(author)
                seen.add(author.pk)
        cleaned["authors"] = authors
        return cleaned

    def _clean_image(self, cleaned: dict) -> None:
        upload = cleaned.get("lead_image_upload")
        current: Image | None = cleaned.get("lead_image")
        words = {
            "alt_text": clean_line(cleaned.get("lead_image_alt")),
            "caption": clean_line(cleaned.get("lead_image_caption")),
            "credit": clean_line(cleaned.get("lead_image_credit")),
        }
        if upload:
            image = Image(file=upload, **words)  # the upload is already decoded and stripped
        elif current is None or cleaned.get("remove_lead_image"):
            cleaned["lead_image"] = None
            return
        elif all(getattr(current, name) == value for name, value in words.items()):
            return
        else:
            # New words for a picture the published revision may show: a new
            # row sharing the file, so readers' copy changes only on publish.
            image = Image(
                file=current.file.name, width=current.width, height=current.height, **words
            )
        try:
            image.full_clean()
        except ValidationError as error:
            fields = {"file": "lead_image_upload", "alt_text": "lead_image_alt"}
            fields |= {"caption": "lead_image_caption", "credit": "lead_image_credit"}
            for name, messages in error.message_dict.items():
                self.add_error(fields.get(name), messages)
            return
        self.new_image = image

    def image_to_save(self) -> Image | None:
        """The lead image to save: a new one (stored only with the revision) or the chosen one."""
        return self.new_image or self.cleaned_data["lead_image"]

    def content(self, *, lead_image: Image | None, language: str) -> Content:
        """The story as the form has it (tags typed as new are added when saved: views)."""
        data = self.cleaned_data
        return Content(
            headline=data["headline"],
            desk=data["desk"],
            dek=data["dek"],
            body=data["body"],
            label=data["label"],
            dateline=data["dateline"],
            dateline_kind=data["dateline_kind"],
            sources=data["sources"],
            method_note=data["method_note"],
            makes_allegation=data["makes_allegation"],
            lead_image=lead_image,
            language=language,
            seo_title=data["seo_title"],
            seo_description=data["seo_description"],
            tags=list(data["tags"]),
            authors=data["authors"],
        )


class WorkflowForm(WrittenInEitherDirection, forms.Form):
    """The fields a workflow step may need: a note, a time, an embargo, a kind."""

    note = forms.CharField(
        required=False,
        max_length=2000,
        label=gettext_lazy("Note for this step"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Required to return, correct, withdraw or republish; public for updates, "
            "corrections and republishing, and for a withdrawal once readers saw the story."
        ),
    )
    when = OutletDateTimeField(required=False, label=gettext_lazy("Publish at"))
    embargo = forms.BooleanField(
        required=False, help_text=gettext_lazy("Also keep preview links closed until that time.")
    )
    kind = forms.ChoiceField(
        choices=[
            (Correction.Kind.CORRECTION, Correction.Kind.CORRECTION.label),
            (Correction.Kind.CLARIFICATION, Correction.Kind.CLARIFICATION.label),
        ],
        initial=Correction.Kind.CORRECTION,
        required=False,
        label=gettext_lazy("Kind"),
    )
    # Steps hard to take back (``Transition.asks_confirmation``) need it ticked.
    confirm = forms.BooleanField(required=False, label=gettext_lazy("Yes, withdraw this story"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["when"].label = gettext("Publish at (%(zone)s)") % {"zone": zone_label()}


class TagRenameForm(WrittenInEitherDirection, forms.Form):
    name = forms.CharField(max_length=200, label=gettext_lazy("New name"))


class TagMergeForm(forms.Form):
    into = forms.ModelChoiceField(
        Tag.objects.none(),
        label=gettext_lazy("Merge into"),
        empty_label=gettext_lazy("Choose a tag"),
    )

    def __init__(self, *args, tag: Tag, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = Tag.objects.exclude(pk=tag.pk)


class SlugForm(forms.Form):
    slug = forms.CharField(max_length=120, label=gettext_lazy("Slug"))


class BoardFilterForm(forms.Form):
    desk = forms.ModelChoiceField(
        Desk.objects.all(), required=False, empty_label=gettext_lazy("All desks")
    )
    author = AuthorChoiceField(
        Author.objects.filter(is_active=True),
        required=False,
        empty_label=gettext_lazy("Any author"),
    )
    label = LabelChoiceField(
        Label.objects.all(), required=False, empty_label=gettext_lazy("Any label")
    )
    changed_from = forms.DateField(
        required=False,
        label=gettext_lazy("Changed from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    changed_to = forms.DateField(
        required=False, label=gettext_lazy("to"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def zone_note(self) -> str:
        """Which days the range means: the outlet's, and when today began in UTC."""
        midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        return gettext("Days in %(zone)s: today began at %(utc)s.") % {
            "zone": zone_label(midnight),
            "utc": in_utc(midnight),
        }


AUDIT_ACTIONS = [
    ("create", gettext_lazy("Created")),
    ("save", gettext_lazy("Saved")),
    ("notes_to_editor", gettext_lazy("Notes to the editor")),
    ("submit", gettext_lazy("Submitted")),
    ("claim", gettext_lazy("Taken for editing")),
    ("approve", gettext_lazy("Approved")),
    ("return", gettext_lazy("Returned")),
    ("schedule", gettext_lazy("Scheduled")),
    ("unschedule", gettext_lazy("Unscheduled")),
    ("publish", gettext_lazy("Published")),
    ("publish_update", gettext_lazy("Update published")),
    ("publish_correction", gettext_lazy("Correction published")),
    ("withdraw", gettext_lazy("Withdrawn")),
    ("pull_back", gettext_lazy("Pulled back by the writer")),
    ("reinstate", gettext_lazy("Republished after withdrawal")),
    ("change_slug", gettext_lazy("Slug changed")),
    # Developing stories and threads (masthead/stories/developing.py)
    ("developing_start", gettext_lazy("Marked developing")),
    ("developing_end", gettext_lazy("Live coverage ended")),
    ("thread_create", gettext_lazy("Thread started")),
    ("thread_add", gettext_lazy("Put in a thread")),
    ("thread_remove", gettext_lazy("Taken out of its thread")),
    ("share_preview", gettext_lazy("Preview link shared")),
    ("revoke_preview", gettext_lazy("Preview link revoked")),
    # The media library (masthead/media/services.py)
    ("image_upload", gettext_lazy("Image uploaded")),
    ("image_update", gettext_lazy("Image details changed")),
    ("image_focal_point", gettext_lazy("Image focal point moved")),
    ("tag_create", gettext_lazy("Tag created")),
    ("tag_rename", gettext_lazy("Tag renamed")),
    ("tag_merge", gettext_lazy("Tags merged")),
    ("staff_create", gettext_lazy("Staff account created")),
    ("staff_roles", gettext_lazy("Staff roles changed")),
    ("staff_profile", gettext_lazy("Staff profile changed")),
    ("staff_email", gettext_lazy("Staff e-mail address changed")),
    ("staff_password", gettext_lazy("Password changed")),
    ("staff_deactivate", gettext_lazy("Staff account deactivated")),
    ("staff_activate", gettext_lazy("Staff account reactivated")),
    ("desk_create", gettext_lazy("Desk created")),
    ("desk_update", gettext_lazy("Desk changed")),
    # Sourcing (masthead/sourcing/services.py)
    ("source_approve", gettext_lazy("Unnamed source approved")),
    ("source_withdraw_approval", gettext_lazy("Approval of an unnamed source withdrawn")),
    ("sourcing_rule", gettext_lazy("Sourcing rule set")),
    # Wire sources (masthead/wire/sources_admin.py)
    ("wire_source_create", gettext_lazy("Wire source added")),
    ("wire_source_update", gettext_lazy("Wire source changed")),
    ("wire_source_pause", gettext_lazy("Wire source paused")),
    ("wire_source_resume", gettext_lazy("Wire source resumed")),
    ("wire_source_poll_now", gettext_lazy("Wire source polled now")),
    ("wire_source_secret", gettext_lazy("Wire push secret generated")),
    ("wire_source_archive", gettext_lazy("Wire source archived")),
    ("wire_source_delete", gettext_lazy("Wire source deleted")),
    ("wire_autopublish_on", gettext_lazy("Auto-publish turned on")),
    ("wire_autopublish_off", gettext_lazy("Auto-publish turned off")),
    ("wire_autopublish_change", gettext_lazy("Auto-publish changed")),
    # Readers' error reports (masthead/sourcing/reports.py)
    ("error_report_file", gettext_lazy("Reader reported an error")),
    ("error_report_accept", gettext_lazy("Reader's report accepted")),
    ("error_report_decline", gettext_lazy("Reader's report declined")),
    ("error_report_corrected", gettext_lazy("Reader's report corrected")),
    ("error_report_expire", gettext_lazy("Reporters' personal data expired")),
]


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("", gettext_lazy("Any action")), *AUDIT_ACTIONS], required=False
    )
    actor = forms.ModelChoiceField(
        queryset=None, required=False, empty_label=gettext_lazy("Anyone"), label=gettext_lazy("By")
    )

    def __init__(self, *args, actors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = actors


# Staff and desks ----------------------------------------------------------------

NO_ROLE = ""
DESK_ROLE_CHOICES = [
    (NO_ROLE, "—"),
    (StaffRole.Role.WRITER, "Writer"),
    (StaffRole.Role.DESK_EDITOR, "Desk editor"),
]


EXPERTISE_FIELDS = ("expertise", "languages", "location", "other_work")
# A staff member's words in another edition's language (``newsroom.AuthorName``).
NAME_FIELDS = ("name", "job_title", "bio", *EXPERTISE_FIELDS)


class StaffForm(WrittenInEitherDirection, forms.Form):
    username = forms.RegexField(
        regex=r"^[\w.@+-]+\Z",
        max_length=150,
        help_text=gettext_lazy("Letters, digits and . @ + - _ only."),
    )
    full_name = forms.CharField(max_length=120, help_text=gettext_lazy("As bylines show it."))
    email = forms.EmailField(required=False)
    job_title = forms.CharField(
        required=False,
        max_length=120,
        help_text=gettext_lazy("Journalist, news-writer, analyst, editor …"),
    )
    # Author expertise (Trust Project), shown on the author page; rules in Author.clean.
    expertise = forms.CharField(
        required=False,
        max_length=2500,
        label=gettext_lazy("Expertise"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Subjects they know well, one a line."),
    )
    languages = forms.CharField(
        required=False,
        max_length=200,
        label=gettext_lazy("Languages"),
        help_text=gettext_lazy("Comma-separated: “English, Persian”."),
    )
    location = forms.CharField(
        required=False,
        max_length=120,
        label=gettext_lazy("Location"),
        help_text=gettext_lazy("Where they are based."),
    )
    other_work = forms.CharField(
        required=False,
        max_length=4000,
        label=gettext_lazy("Other work"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Addresses of their work elsewhere, one a line (https://…)."),
    )
    password = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("A first password; the person changes it after logging in."),
    )
    chief_editor = forms.BooleanField(required=False, help_text=gettext_lazy("Edits every desk."))
    administrator = forms.BooleanField(
        required=False,
        help_text=gettext_lazy("Manages staff and desks; no content role by itself."),
    )

    def __init__(self, *args, creating: bool, access: StaffAccess, **kwargs):
        super().__init__(*args, **kwargs)
        # A role the person filling the form may not give is shown, greyed out,
        # with the reason; were it posted anyway, the service refuses it.
        for name in ("chief_editor", "administrator"):
            reason = refusal_to_grant(access, name)
            if reason is not None:
                self.fields[name].widget.attrs["disabled"] = True
                self.fields[name].help_text = reason
        self.desks = list(Desk.objects.all())
        for desk in self.desks:
            self.fields[f"desk_{desk.pk}"] = forms.ChoiceField(
                choices=DESK_ROLE_CHOICES, required=False, label=desk.name
            )
        self.name_editions = [] if creating else editions_of_other_languages()
        for edition in self.name_editions:
            self._add_name_fields(edition)
        if creating:
            self.fields["password"].required = True
            for name in EXPERTISE_FIELDS:  # set on the author page once the account exists
                del self.fields[name]
        else:
            del self.fields["password"]
            self.fields["username"].disabled = True

    def _add_name_fields(self, edition) -> None:
        """Their words as ``edition`` shows them (``AuthorName``): name, job title, bio and
        what their author page says of them; empty ones show the profile's."""
        typed = {"dir": "auto", "lang": edition.language}
        language = edition.language
        self.fields[f"name_{language}"] = forms.CharField(
            required=False,
            max_length=120,
            label=gettext_lazy("Name"),
            help_text=gettext_lazy("Empty: the edition shows the name above."),
            widget=forms.TextInput(attrs=typed),
        )
        self.fields[f"job_title_{language}"] = forms.CharField(
            required=False,
            max_length=120,
            label=gettext_lazy("Job title"),
            widget=forms.TextInput(attrs=typed),
        )
        self.fields[f"bio_{language}"] = forms.CharField(
            required=False,
            max_length=4000,
            label=gettext_lazy("Bio"),
            widget=forms.Textarea(attrs={**typed, "rows": 3}),
        )
        # The profile's expertise fields, with the same bounds (rules in clean_expertise).
        for name in EXPERTISE_FIELDS:
            field = copy.deepcopy(self.base_fields[name])
            field.help_text = format_lazy(
                "{} {}", field.help_text, gettext_lazy("Empty: the edition shows the profile's.")
            )
            field.widget.attrs.update(typed)
            self.fields[f"{name}_{language}"] = field

    def name_fieldsets(self) -> list:
        """Per other edition: the edition and its fields, for the template."""
        return [
            (edition, [self[f"{part}_{edition.language}"] for part in NAME_FIELDS])
            for edition in self.name_editions
        ]

    def names(self) -> dict[str, dict[str, str]]:
        """What was typed per language: ``{"fa": {"name": …, "job_title": …, …}}``."""
        return {
            edition.language: {
                part: self.cleaned_data.get(f"{part}_{edition.language}", "")
                for part in NAME_FIELDS
            }
            for edition in self.name_editions
        }

    def desk_fields(self) -> list:
        return [self[f"desk_{desk.pk}"] for desk in self.desks]

    @staticmethod
    def initial_for(user, author: Author | None) -> dict:
        initial = {
            "username": user.username,
            "full_name": author.name if author else user.get_full_name(),
            "email": user.email,
            "job_title": author.job_title if author else "",
            **{name: getattr(author, name) if author else "" for name in EXPERTISE_FIELDS},
        }
        for name in AuthorName.objects.filter(author=author) if author else ():
            for part in NAME_FIELDS:
                initial[f"{part}_{name.language}"] = getattr(name, part)
        for role in StaffRole.objects.filter(user=user):
            if role.desk_id:
                initial[f"desk_{role.desk_id}"] = role.role
            elif role.role == StaffRole.Role.CHIEF_EDITOR:
                initial["chief_editor"] = True
            elif role.role == StaffRole.Role.ADMINISTRATOR:
                initial["administrator"] = True
        return initial

    def grants(self) -> list[RoleGrant]:
        grants = []
        for desk in self.desks:
            role = self.cleaned_data.get(f"desk_{desk.pk}")
            if role:
                grants.append(RoleGrant(role, desk))
        if self.cleaned_data.get("chief_editor"):
            grants.append(RoleGrant(StaffRole.Role.CHIEF_EDITOR))
        if self.cleaned_data.get("administrator"):
            grants.append(RoleGrant(StaffRole.Role.ADMINISTRATOR))
        return grants


class DeskForm(WrittenInEitherDirection, forms.ModelForm):
    class Meta:
        model = Desk
        fields = ["name", "slug", "description", "editor", "email", "phone", "position"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
