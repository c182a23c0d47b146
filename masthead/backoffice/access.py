"""Who may enter the back office, and how its answers are cached: never.

Every desk view is wrapped in ``staff_member_required`` (or
``administrator_required``): a visitor who is not logged in goes to
``settings.LOGIN_URL``; a logged-in account without a staff role gets 403.
The roles themselves come from ``masthead.newsroom.roles.access_for``, and
what a role may do to a story from ``masthead.stories.permissions``; this
module only guards the door. Responses carry ``Cache-Control: private,
no-store``: the back office shows unpublished work, which no shared cache,
browser history or back button may keep.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy

from masthead.newsroom.roles import StaffAccess, access_for
from masthead.stories import permissions
from masthead.stories.models import Story

NO_SUCH_STORY = "No such story."  # as the other 404s of the back office ("No such revision.")


def story_or_404(request: HttpRequest, story_id: int, stories=None) -> Story:
    """The story ``story_id`` if this person may open it.

    A story they may not open answers exactly as one that does not exist
    (404, same page) unless it is live, whose existence is no secret (403):
    no id walk tells a draft of another desk from a gap (RELIABILITY.md A3).
    """
    queryset = Story.objects.all() if stories is None else stories
    story = queryset.filter(pk=story_id).first()
    if story is None:
        raise Http404(NO_SUCH_STORY)
    if not permissions.can_read(request.user, story):
        if not story.is_live():
            raise Http404(NO_SUCH_STORY)
        permissions.check_read(request.user, story)
    return story


def never_stored(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_store=True)
    return response


def _guarded(view: Callable, allowed: Callable[[StaffAccess], bool]) -> Callable:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return never_stored(redirect_to_login(request.get_full_path()))
        request.access = access_for(request.user)
        try:
            if not allowed(request.access):
                raise PermissionDenied(gettext_lazy("Your account has no role in the back office."))
            response = view(request, *args, **kwargs)
        except PermissionDenied as error:
            response = render(request, "backoffice/403.html", {"reason": str(error)}, status=403)
        except Http404 as error:
            response = render(request, "backoffice/404.html", {"reason": str(error)}, status=404)
        return never_stored(response)

    return wrapper


def staff_member_required(view: Callable) -> Callable:
    """Logged in and holding a staff role (writer, editor, chief editor or administrator)."""
    return _guarded(view, lambda access: access.is_staff_member)


def administrator_required(view: Callable) -> Callable:
    """Logged in as an administrator of the outlet: staff and desk management."""

    def is_administrator(access: StaffAccess) -> bool:
        if access.is_staff_member and not access.is_administrator:
            raise PermissionDenied(gettext_lazy("Only administrators manage staff and desks."))
        return access.is_administrator

    return _guarded(view, is_administrator)


def editor_required(view: Callable) -> Callable:
    """A desk editor of some desk, a chief editor or an administrator (the audit log)."""

    def is_editor(access: StaffAccess) -> bool:
        if not access.is_staff_member:
            return False
        if not (access.edits_any_desk or access.is_administrator):
            raise PermissionDenied(gettext_lazy("The audit log is for editors and administrators."))
        return True

    return _guarded(view, is_editor)
