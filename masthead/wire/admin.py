"""Superuser admin for wire sources and their routing rules.

Editors manage sources in the back office (``/desk/wire/sources/``), where
every change is checked per desk and audited; this is the superuser's way in.
It applies the same address and drop-folder checks as the back office form,
never shows the push secret (it can only be replaced), keeps the pipeline's
health and schedule fields read-only, and leaves auto-publish to the back
office, where only an editor of the rule's desk may turn it on.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import models

from masthead.wire.models import RoutingRule, Source
from masthead.wire.source_forms import (
    MAX_INTERVAL,
    MIN_INTERVAL,
    clean_drop_folder,
    clean_source_url,
    https_first,
)
from masthead.wire.sources_admin import PULL_KINDS

HEALTH_FIELDS = [
    "last_polled_at",
    "last_success_at",
    "last_error",
    "last_error_at",
    "failures",
    "items_received",
    "next_poll_at",
    "lease_until",
    "etag",
    "last_modified",
    "created_at",
]


class SourceAdminForm(forms.ModelForm):
    new_push_secret = forms.CharField(
        label="New push secret",
        required=False,
        strip=True,
        min_length=32,
        max_length=128,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Write-only: leave empty to keep the current secret. The back office "
        "generates one for you and shows it once.",
    )
    interval_seconds = forms.IntegerField(min_value=MIN_INTERVAL, max_value=MAX_INTERVAL)

    class Meta:
        model = Source
        # Never the secret itself (write-only, through new_push_secret) nor the lease.
        fields = [
            "name",
            "slug",
            "kind",
            "provider",
            "desk",
            "paused",
            "url",
            "folder",
            "interval_seconds",
        ]
        formfield_callback = https_first

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        for name, clean, needed in (
            ("url", clean_source_url, kind in PULL_KINDS),
            ("folder", clean_drop_folder, kind == Source.Kind.FOLDER),
        ):
            value = cleaned.get(name) or ""
            if not (needed or value):
                continue
            try:
                cleaned[name] = clean(value)
            except forms.ValidationError as error:
                self.add_error(name, error)
        return cleaned

    def save(self, commit=True):
        source = super().save(commit=False)
        if self.cleaned_data.get("new_push_secret"):
            source.push_secret = self.cleaned_data["new_push_secret"]
        if commit:
            source.save()
        return source


class RoutingRuleInline(admin.TabularInline):
    model = RoutingRule
    extra = 0
    fields = [
        "position",
        "desk",
        "keywords",
        "subjects",
        "max_urgency",
        "auto_publish",
        "publish_as",
    ]
    readonly_fields = ["auto_publish", "publish_as"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    form = SourceAdminForm
    list_display = [
        "name",
        "kind",
        "provider",
        "desk",
        "paused",
        "last_success_at",
        "failures",
        "items_received",
        "next_poll_at",
        "has_push_secret",
    ]
    list_filter = ["kind", "paused", "desk"]
    search_fields = ["name", "slug", "provider", "url"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = [*HEALTH_FIELDS, "has_push_secret"]
    inlines = [RoutingRuleInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "provider", "desk", "paused"]}),
        ("Where from", {"fields": ["url", "folder", "interval_seconds"]}),
        ("Push", {"fields": ["has_push_secret", "new_push_secret"]}),
        ("Health (written by the workers)", {"fields": HEALTH_FIELDS}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(boolean=True, description="Push secret set")
    def has_push_secret(self, source: Source) -> bool:
        return bool(source.push_secret)
