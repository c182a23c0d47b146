"""The source form and its routing rules, as editors fill them in.

What a form can refuse before anything is stored lives here: addresses the
fetcher's guard refuses (``wire.fetch.Fetcher.destination``: not http(s),
credentials, backslashes, private, loopback, link-local or metadata
addresses in any spelling, ports other than WIRE_ALLOWED_PORTS — unless
``settings.WIRE_ALLOWED_PRIVATE_HOSTS`` lists the host), names that only mean
this machine or its network (``localhost``, ``*.local``, dotless names),
drop folders outside ``settings.WIRE_DROP_ROOT``, intervals outside a
minute … a day, and auto-publish set by someone who does not edit the rule's
desk. Names are not looked up here: a name that *resolves* to a private
address is refused by the same guard at every connection, which is the
check that counts. Permission is checked again by
``sources_admin.save_source``; the form only says it early and clearly.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_lazy

from masthead.newsroom.models import Desk, StaffRole
from masthead.newsroom.roles import NO_ACCESS, StaffAccess
from masthead.wire.fetch import Fetcher, FetchError
from masthead.wire.folder import drop_root
from masthead.wire.models import RoutingRule, Source
from masthead.wire.sources_admin import (
    PULL_KINDS,
    managed_desks,
    may_auto_publish,
    publishes_on,
)

MIN_INTERVAL = 60
MAX_INTERVAL = 24 * 60 * 60
MAX_RULES = 20
# C0 and C1 controls, and the byte-order noncharacters: never in a name.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ufffe\uffff]")
# Names that only ever mean this machine or its private network.
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa")


# Addresses -----------------------------------------------------------------------------


def refuse_controls(value: str) -> str:
    if CONTROL.search(value):
        raise ValidationError(
            gettext_lazy("Remove the control characters (invisible characters) in this text.")
        )
    return value


# Names are not looked up here (a form must not wait on DNS, and the answer can
# change by the time of the poll): the fetcher's guard is asked about the rest
# of the address as if the name resolved to this public address.
_UNRESOLVED = "93.184.216.34"


def _no_lookup(host: str, port: int) -> list[str]:
    return [_UNRESOLVED]


def destination_refusal(url: str) -> str | None:
    """Why a source may not poll ``url``, or None: the fetcher's own guard
    (``wire.fetch.Fetcher.destination``) minus the name lookup, plus names that
    only ever mean this machine or its private network."""
    try:
        destination = Fetcher(resolver=_no_lookup).destination(url)
    except FetchError as error:
        reason = error.reason.removeprefix("destination not allowed: ")
        if re.search(r" is (a|an|the) [^,]*address$|^port ", reason):
            reason += " (an operator can allow a host in WIRE_ALLOWED_PRIVATE_HOSTS)"
        return f"Not allowed: {reason}."
    host = destination.host.rstrip(".").lower()
    if host in {name.strip().lower().rstrip(".") for name in settings.WIRE_ALLOWED_PRIVATE_HOSTS}:
        return None
    if ":" in host:  # an IPv6 address, which the guard has checked
        return None
    if host == "localhost" or host.endswith(LOCAL_SUFFIXES) or "." not in host:
        return f"“{host}” is a name on this machine or its private network: not allowed."
    return None


def clean_source_url(value: str) -> str:
    value = value.strip()
    refusal = destination_refusal(value)
    if refusal:
        raise ValidationError(refusal)
    URLValidator(schemes=["http", "https"], message="This is not a valid web address.")(value)
    return value


# Drop folders ----------------------------------------------------------------------------


def clean_drop_folder(value: str) -> str:
    """The folder, resolved: it must exist, be a folder and lie inside the drop root.

    A relative path is taken from the root. Symbolic links are resolved first,
    so a link inside the root pointing out of it is refused too.
    """
    value = value.strip()
    root = drop_root()
    if not value:
        raise ValidationError(gettext("Name a folder inside %(root)s.") % {"root": root})
    folder = Path(value)
    if not folder.is_absolute():
        folder = root / folder
    try:
        resolved = folder.resolve()
    except (OSError, RuntimeError):  # a loop of symbolic links
        raise ValidationError(
            gettext("%(value)s cannot be resolved to a folder.") % {"value": value}
        ) from None
    if not resolved.is_relative_to(root):
        raise ValidationError(
            gettext("Drop folders must be inside %(root)s (WIRE_DROP_ROOT).") % {"root": root}
        )
    if not resolved.exists():
        raise ValidationError(
            gettext("There is no folder %(value)s inside %(root)s.")
            % {"value": value, "root": root}
        )
    if not resolved.is_dir():
        raise ValidationError(
            gettext("%(resolved)s is a file, not a folder.") % {"resolved": resolved}
        )
    if not os.access(resolved, os.R_OK | os.X_OK):
        raise ValidationError(
            gettext("Masthead cannot read the folder %(resolved)s.") % {"resolved": resolved}
        )
    return str(resolved)


# The source ------------------------------------------------------------------------------


def https_first(field: models.Field, **kwargs) -> forms.Field | None:
    """Model fields as form fields, addresses typed without a scheme taken as https://."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class SourceForm(forms.ModelForm):
    url = forms.CharField(
        label=gettext_lazy("Address (URL)"),
        max_length=500,
        required=False,
        help_text=gettext_lazy("Feeds: the http(s) address to poll."),
        widget=forms.URLInput(attrs={"class": "wide-input", "spellcheck": "false"}),
    )
    folder = forms.CharField(
        label=gettext_lazy("Drop folder"),
        max_length=500,
        required=False,
        help_text=gettext_lazy("Drop folders: a folder on the server inside the drop root."),
    )
    slug = forms.SlugField(
        max_length=100,
        required=False,
        help_text=gettext_lazy("Its short name in addresses; made from the name when left empty."),
    )
    interval_seconds = forms.IntegerField(
        label=gettext_lazy("Poll every (seconds)"),
        min_value=MIN_INTERVAL,
        max_value=MAX_INTERVAL,
        initial=300,
        help_text=gettext_lazy("Between 60 (a minute) and 86400 (a day)."),
    )

    class Meta:
        model = Source
        fields = ["name", "slug", "kind", "provider", "url", "folder", "desk", "interval_seconds"]
        formfield_callback = https_first

    def __init__(self, *args, access: StaffAccess = NO_ACCESS, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["desk"].queryset = managed_desks(access)
        self.fields["folder"].help_text = f"Drop folders: a folder inside {drop_root()}."

    def clean_name(self) -> str:
        return refuse_controls(self.cleaned_data["name"].strip())

    def clean_provider(self) -> str:
        return refuse_controls(self.cleaned_data["provider"].strip())

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"] or slugify(self.cleaned_data.get("name", ""))
        if not slug:
            raise ValidationError(
                gettext_lazy("Give the source a short name in Latin letters and digits.")
            )
        return slug[:100]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        url = cleaned.get("url", "")
        folder = cleaned.get("folder", "")
        if kind in PULL_KINDS:
            cleaned["folder"] = ""
            if not url:
                self.add_error("url", gettext_lazy("A feed needs the address to poll."))
            else:
                self._clean_into("url", url, clean_source_url)
        elif kind == Source.Kind.FOLDER:
            cleaned["url"] = ""
            self._clean_into("folder", folder, clean_drop_folder)
            self._refuse_shared_folder(cleaned.get("folder", ""))
        elif kind == Source.Kind.PUSH:
            cleaned["url"] = cleaned["folder"] = ""
        return cleaned

    def _clean_into(self, name: str, value: str, clean) -> None:
        try:
            self.cleaned_data[name] = clean(value)
        except ValidationError as error:
            self.add_error(name, error)

    def _refuse_shared_folder(self, folder: str) -> None:
        if not folder or "folder" in self.errors:
            return
        others = Source.objects.filter(folder=folder).exclude(pk=self.instance.pk)
        other = others.first()
        if other is not None:
            self.add_error(
                "folder",
                gettext("That folder is already the drop folder of “%(other)s”.")
                % {"other": other.name},
            )


# Routing rules -------------------------------------------------------------------------------


def publishers():
    """Accounts that publish on some desk: the choices for “publish as”."""
    roles = (StaffRole.Role.DESK_EDITOR, StaffRole.Role.CHIEF_EDITOR)
    return (
        get_user_model()
        .objects.filter(is_active=True, staff_roles__role__in=roles)
        .distinct()
        .order_by("username")
    )


def _comma_list(value: str) -> str:
    refuse_controls(value)
    return ", ".join(part.strip() for part in value.split(",") if part.strip())


class PublisherChoice(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return user.get_full_name() or user.get_username()


class RoutingRuleForm(forms.ModelForm):
    max_urgency = forms.IntegerField(
        label=gettext_lazy("Urgency at most"),
        min_value=1,
        max_value=9,
        required=False,
        help_text=gettext_lazy("1 = flash … 9; empty: any."),
    )
    publish_as = PublisherChoice(queryset=None, required=False, label=gettext_lazy("Publish as"))

    class Meta:
        model = RoutingRule
        fields = ["desk", "keywords", "subjects", "max_urgency", "auto_publish", "publish_as"]
        labels = {"auto_publish": "Publish on its own"}
        help_texts = {"auto_publish": "Only an editor of the rule's desk may turn this on."}

    def __init__(self, *args, access: StaffAccess = NO_ACCESS, **kwargs):
        super().__init__(*args, **kwargs)
        self.access = access
        self.fields["desk"].queryset = Desk.objects.all()
        self.fields["publish_as"].queryset = publishers()

    def clean_keywords(self) -> str:
        return _comma_list(self.cleaned_data["keywords"])

    def clean_subjects(self) -> str:
        return _comma_list(self.cleaned_data["subjects"])

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("auto_publish"):
            cleaned["publish_as"] = None
            return cleaned
        desk, publisher = cleaned.get("desk"), cleaned.get("publish_as")
        if desk is None or not self._publishing_changed(desk, publisher):
            return cleaned
        if not may_auto_publish(self.access, desk.pk):
            self.add_error(
                "auto_publish",
                gettext("Only an editor of the %(desk)s desk may turn on auto-publish.")
                % {"desk": desk.name},
            )
        elif publisher is None:
            self.add_error(
                "publish_as", gettext_lazy("Say whom auto-published stories are published as.")
            )
        elif not publishes_on(publisher, desk.pk):
            self.add_error(
                "publish_as",
                gettext("%(publisher)s does not publish on the %(desk)s desk.")
                % {"publisher": publisher, "desk": desk.name},
            )
        return cleaned

    def _publishing_changed(self, desk: Desk, publisher) -> bool:
        before = self.instance
        if before.pk is None or not before.auto_publish:
            return True
        return before.desk_id != desk.pk or before.publish_as_id != getattr(publisher, "pk", None)


class BaseRuleFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args, access: StaffAccess = NO_ACCESS, **kwargs):
        self.access = access
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "access": self.access}

    def rules_to_keep(self) -> list[RoutingRule]:
        """The rules, new and changed, in the order given; call after ``is_valid()``."""
        forms_in_order = self.ordered_forms if self.can_order else self.forms
        kept = []
        for form in forms_in_order:
            if self.can_delete and self._should_delete_form(form):
                continue
            if form.instance.pk is None and not form.has_changed():
                continue
            kept.append(form.save(commit=False))
        return kept

    def rules_to_delete(self) -> list[RoutingRule]:
        return [form.instance for form in self.deleted_forms if form.instance.pk is not None]


RuleFormSet = forms.inlineformset_factory(
    Source,
    RoutingRule,
    form=RoutingRuleForm,
    formset=BaseRuleFormSet,
    extra=1,
    can_delete=True,
    can_order=True,
    max_num=MAX_RULES,
    validate_max=True,
)
