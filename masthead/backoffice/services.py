"""The back office's own writes: notes to the editor, staff and desks.

Story content and workflow are written only by ``masthead.stories.services``;
this module holds what the back office adds around them. Each function
checks the actor's permission, writes the audit record
(``masthead.newsroom.audit.record``) and runs in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify

from masthead.newsroom import audit
from masthead.newsroom.models import Author, Desk, StaffRole
from masthead.newsroom.roles import access_for
from masthead.newsroom.text import clean_paragraphs
from masthead.stories import permissions
from masthead.stories.models import EditLock, Story

User = get_user_model()


# Stories ----------------------------------------------------------------------


@transaction.atomic
def save_notes_to_editor(actor, story: Story, notes: str) -> bool:
    """Keep the internal notes of ``story``; True if they changed.

    Notes are not part of a revision (readers never see them), so
    ``stories.services.save_story`` does not carry them; they follow the same
    permission as the content.
    """
    notes = clean_paragraphs(notes)
    current = Story.objects.select_for_update().get(pk=story.pk)
    if current.notes_to_editor == notes:
        return False
    permissions.check_edit(actor, current)
    Story.objects.filter(pk=story.pk).update(notes_to_editor=notes)
    audit.record(actor, "notes_to_editor", story)
    return True


# Staff ----------------------------------------------------------------------


@dataclass(frozen=True)
class RoleGrant:
    role: str
    desk: Desk | None = None

    def describe(self) -> str:
        label = StaffRole.Role(self.role).label
        return f"{label} on {self.desk.name}" if self.desk else label


def _check_administrator(actor) -> None:
    if not access_for(actor).is_administrator:
        raise PermissionDenied("Only administrators manage staff and desks.")


def _roles_of(user) -> list[str]:
    return [
        RoleGrant(role.role, role.desk).describe()
        for role in StaffRole.objects.filter(user=user).select_related("desk")
    ]


def _set_roles(user, grants: list[RoleGrant]) -> None:
    StaffRole.objects.filter(user=user).delete()
    for grant in grants:
        role = StaffRole(user=user, role=grant.role, desk=grant.desk)
        role.full_clean()
        role.save()
    if hasattr(user, "_masthead_access"):
        del user._masthead_access


def _unique_author_slug(name: str) -> str:
    base = slugify(name, allow_unicode=True)[:100] or "author"
    candidate, number = base, 1
    while Author.objects.filter(slug=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


@transaction.atomic
def create_staff_account(
    actor,
    *,
    username: str,
    full_name: str,
    email: str,
    job_title: str,
    password: str,
    grants: list[RoleGrant],
):
    """A new staff account with its author profile (for bylines) and roles."""
    _check_administrator(actor)
    if not grants:
        raise ValidationError("Give the new account at least one role.")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "That username is taken."})
    first, _, last = full_name.strip().partition(" ")
    user = User(username=username, email=email, first_name=first[:150], last_name=last[:150])
    user.is_staff = True
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    author = Author(
        name=full_name,
        slug=_unique_author_slug(full_name),
        job_title=job_title,
        email=email,
        user=user,
    )
    author.full_clean()
    author.save()
    _set_roles(user, grants)
    audit.record(
        actor, "staff_create", user, note=", ".join(_roles_of(user)), username=user.username
    )
    return user


@transaction.atomic
def change_staff_roles(actor, user, grants: list[RoleGrant]) -> None:
    _check_administrator(actor)
    keeps_administrator = any(g.role == StaffRole.Role.ADMINISTRATOR for g in grants)
    if user.pk == actor.pk and not keeps_administrator and not actor.is_superuser:
        raise ValidationError("You cannot take away your own administrator role.")
    before = _roles_of(user)
    _set_roles(user, grants)
    after = _roles_of(user)
    if before != after:
        audit.record(
            actor,
            "staff_roles",
            user,
            note=f"{', '.join(before) or 'no role'} → {', '.join(after) or 'no role'}",
            before=before,
            after=after,
        )


@transaction.atomic
def update_staff_profile(actor, user, *, full_name: str, email: str, job_title: str) -> None:
    _check_administrator(actor)
    first, _, last = full_name.strip().partition(" ")
    user.first_name, user.last_name, user.email = first[:150], last[:150], email
    user.full_clean()
    user.save(update_fields=["first_name", "last_name", "email"])
    author = Author.objects.filter(user=user).first()
    if author is None:
        author = Author(user=user, slug=_unique_author_slug(full_name))
    author.name, author.email, author.job_title = full_name, email, job_title
    author.full_clean()
    author.save()
    audit.record(actor, "staff_profile", user, username=user.username)


@transaction.atomic
def set_staff_active(actor, user, active: bool) -> None:
    """Deactivate (the account can no longer log in, its edit locks lapse) or reactivate."""
    _check_administrator(actor)
    if user.pk == actor.pk and not active:
        raise ValidationError("You cannot deactivate your own account.")
    if user.is_active == active:
        return
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        EditLock.objects.filter(user=user).delete()
    audit.record(actor, "staff_activate" if active else "staff_deactivate", user)


# Desks ----------------------------------------------------------------------

DESK_FIELDS = ("name", "slug", "description", "editor", "email", "phone", "position")


@transaction.atomic
def save_desk(actor, desk: Desk) -> Desk:
    """Create or change a desk that a form has filled in and validated."""
    _check_administrator(actor)
    creating = desk.pk is None
    before = {} if creating else Desk.objects.filter(pk=desk.pk).values(*DESK_FIELDS).first()
    desk.full_clean()
    desk.save()
    if creating:
        audit.record(actor, "desk_create", desk)
        return desk
    after = Desk.objects.filter(pk=desk.pk).values(*DESK_FIELDS).first()
    changed = sorted(name for name in DESK_FIELDS if before.get(name) != after.get(name))
    if changed:
        audit.record(actor, "desk_update", desk, note=", ".join(changed), changed=changed)
    return desk
