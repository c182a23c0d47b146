"""Superuser admin for the outlet, its editions, desks, authors and policy pages."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from masthead.newsroom.models import Author, AuthorName, Desk, Edition, Outlet, PolicyPage


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["name", "language", "calendar", "time_zone", "url_root", "host", "is_default"]
    fields = [
        "name",
        "slug",
        "language",
        "calendar",
        "time_zone",
        "url_root",
        "host",
        "publication_name",
        "tagline",
        "about",
        "address",
        "is_default",
    ]

    def get_readonly_fields(self, request, obj=None):
        # The root is in every address of the edition's stories; the default stays one.
        return ["url_root", "is_default"] if obj is not None else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is None or not obj.is_default


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "email", "is_demo"]
    raw_id_fields = ["logo", "share_image"]

    def has_add_permission(self, request) -> bool:
        return not Outlet.objects.exists()


@admin.register(Desk)
class DeskAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "edition", "editor", "email", "position"]
    list_editable = ["position"]
    list_filter = ["edition"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["editor"]


class AuthorNameInline(admin.StackedInline):
    """The author's name, job title, bio, expertise, languages, location and work elsewhere
    in another edition's language (“fa”); every field but the name may stay empty."""

    model = AuthorName
    extra = 0
    verbose_name = _("name in another edition's language")
    verbose_name_plural = _("names in other editions' languages")


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    inlines = [AuthorNameInline]
    list_display = ["name", "kind", "job_title", "email", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "job_title", "names__name"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["user", "photo"]


@admin.register(PolicyPage)
class PolicyPageAdmin(admin.ModelAdmin):
    list_display = ["title", "edition", "kind", "slug", "is_published", "position", "updated_at"]
    list_editable = ["position"]
    list_filter = ["edition", "kind", "is_published"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
