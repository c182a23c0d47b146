"""The Django admin, open to superusers only.

Staff do their daily work in the back office; the admin is the operators'
tool for the managed lists (desks, authors, labels, tags, the outlet).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class SuperuserAdminSite(admin.AdminSite):
    site_header = "Masthead administration"
    site_title = "Masthead admin"

    def has_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser


class MastheadAdminConfig(AdminConfig):
    default_site = "masthead.admin_site.SuperuserAdminSite"
