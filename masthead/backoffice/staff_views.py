"""Staff and desk management for the outlet's administrators.

Thin views over ``masthead.backoffice.services``, which check that the actor
may manage the account (``newsroom.roles``: superusers only by superusers, no
one raised above the person who raises them) and record every change in the
audit trail. An account the actor may not manage answers 403, naming why, to
the GET of its page as to every POST; a role the actor may not give is refused
with the form and the reason, also 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from masthead.backoffice import services
from masthead.backoffice.access import administrator_required
from masthead.backoffice.forms import EXPERTISE_FIELDS, DeskForm, StaffForm, add_errors
from masthead.newsroom import roles
from masthead.newsroom.models import Author, Desk, StaffRole

User = get_user_model()


@administrator_required
def staff_list(request: HttpRequest) -> HttpResponse:
    people = (
        User.objects.filter(staff_roles__isnull=False)
        .distinct()
        .order_by("-is_active", "username")
        .prefetch_related(
            Prefetch("staff_roles", queryset=StaffRole.objects.select_related("desk"))
        )
        .select_related("author")
    )
    rows = [
        (
            person,
            roles.refusal_to_manage(
                request.access, person, [role.role for role in person.staff_roles.all()]
            ),
        )
        for person in people
    ]
    return render(request, "backoffice/staff_list.html", {"rows": rows})


@administrator_required
def staff_new(request: HttpRequest) -> HttpResponse:
    form = StaffForm(request.POST or None, creating=True, access=request.access)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.create_staff_account(
                request.user,
                username=data["username"],
                full_name=data["full_name"],
                email=data["email"],
                job_title=data["job_title"],
                password=data["password"],
                grants=form.grants(),
            )
        except PermissionDenied as error:
            form.add_error(None, str(error))
            status = 403
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, gettext("Account “%(username)s” created.") % {"username": user.username}
            )
            return redirect("backoffice:staff")
    if form.is_bound and status == 200:
        status = 400
    return render(
        request, "backoffice/staff_form.html", {"form": form, "person": None}, status=status
    )


@administrator_required
def staff_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=user_id)
    services.check_may_manage(request.user, person)
    author = Author.objects.filter(user=person).first()
    initial = StaffForm.initial_for(person, author)
    form = StaffForm(request.POST or None, initial=initial, creating=False, access=request.access)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            edit = services.edit_staff_account(
                request.user,
                person,
                full_name=data["full_name"],
                email=data["email"],
                job_title=data["job_title"],
                grants=form.grants(),
                expertise={name: data[name] for name in EXPERTISE_FIELDS},
                names=form.names(),
            )
        except PermissionDenied as error:
            form.add_error(None, str(error))
            status = 403
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, gettext("“%(username)s” saved.") % {"username": person.username}
            )
            if edit.notified:
                messages.info(
                    request,
                    f"The e-mail address changed: a notice went to the old one, {edit.notified}.",
                )
            return redirect("backoffice:staff")
    if form.is_bound and status == 200:
        status = 400
    return render(
        request, "backoffice/staff_form.html", {"form": form, "person": person}, status=status
    )


@administrator_required
@require_POST
def staff_active(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=user_id)
    active = request.POST.get("active") == "1"
    try:
        services.set_staff_active(request.user, person, active)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        done = (
            gettext("“%(username)s” reactivated.")
            if active
            else gettext("“%(username)s” deactivated and signed out everywhere.")
        )
        messages.success(request, done % {"username": person.username})
    return redirect("backoffice:staff")


@administrator_required
def desk_list(request: HttpRequest) -> HttpResponse:
    desks = Desk.objects.select_related("editor")
    return render(request, "backoffice/desk_list.html", {"desks": desks})


@administrator_required
def desk_form(request: HttpRequest, desk_id: int | None = None) -> HttpResponse:
    desk = get_object_or_404(Desk, pk=desk_id) if desk_id is not None else None
    form = DeskForm(request.POST or None, instance=desk)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_desk(request.user, form.save(commit=False))
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, gettext("Desk “%(saved)s” saved.") % {"saved": saved.name})
            return redirect("backoffice:desks")
    status = 400 if form.is_bound else 200
    return render(request, "backoffice/desk_form.html", {"form": form, "desk": desk}, status=status)
