"""Django's user admin, with the consequences every account change has elsewhere.

The admin is open to superusers only (``masthead/admin_site.py``); what they
change here follows ``masthead.accounts.changes`` like the staff pages do: a
new e-mail address is audited old → new and the old address told, a password
set here is audited, and deactivating signs the person out everywhere.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from masthead.accounts import changes
from masthead.newsroom import audit

User = get_user_model()


class AccountAdmin(UserAdmin):
    def save_model(self, request, obj, form, change) -> None:
        # The admin runs this inside the change view's transaction.
        before = User.objects.filter(pk=obj.pk).values("email", "is_active").first()
        super().save_model(request, obj, form, change)
        if not change or before is None:
            return
        if before["email"] != obj.email and changes.record_email_change(
            request.user, obj, before["email"], obj.email
        ):
            self.message_user(
                request,
                f"The e-mail address changed: a notice went to the old one, {before['email']}.",
            )
        if before["is_active"] and not obj.is_active:
            changes.end_sessions(obj)
            audit.record(request.user, "staff_deactivate", obj, note="in the admin")
        elif obj.is_active and not before["is_active"]:
            audit.record(request.user, "staff_activate", obj, note="in the admin")

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, unquote(id))
            changes.record_password_change(request.user, user, "set in the admin")
        return response


admin.site.unregister(User)
admin.site.register(User, AccountAdmin)
