"""The back office's own writes: notes to the editor, staff and desks.

Story content and workflow are written only by ``masthead.stories.services``;
this module holds what the back office adds around them. Each function
checks the actor's permission, writes the audit record
(``masthead.newsroom.audit.record``) and runs in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy

from masthead.accounts import changes as account_changes
from masthead.newsroom import audit, roles
from masthead.newsroom.author_names import set_names
from masthead.newsroom.models import Author, Desk, StaffRole
from masthead.newsroom.roles import access_for
from masthead.newsroom.slugs import unicode_slug
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
        label = str(StaffRole.Role(self.role).label)
        return f"{label} on {self.desk.name}" if self.desk else label


def _check_administrator(actor) -> None:
    if not access_for(actor).is_administrator:
        raise PermissionDenied(roles.ADMINISTRATORS_ONLY)


def check_may_manage(actor, user) -> None:
    """PermissionDenied, naming why, unless ``actor`` may change ``user``'s account.

    The rule is ``newsroom.roles.GRANTERS``: superusers only by superusers, and
    other accounts only by someone who could have given them every role they hold.
    """
    reason = roles.refusal_to_manage(access_for(actor), user)
    if reason is not None:
        raise PermissionDenied(reason)


def _check_grants(actor, user, grants: list[RoleGrant]) -> None:
    access = access_for(actor)
    held = {(role.role, role.desk_id) for role in StaffRole.objects.filter(user=user)}
    added = [grant for grant in grants if (grant.role, getattr(grant.desk, "pk", None)) not in held]
    if added and user.pk == actor.pk and not access.is_superuser:
        raise PermissionDenied(
            gettext_lazy(
                "You cannot give yourself a role you do not hold; ask another administrator."
            )
        )
    for grant in added:
        reason = roles.refusal_to_grant(access, grant.role)
        if reason is not None:
            raise PermissionDenied(reason)


def _roles_of(user) -> list[str]:
    """The roles as the audit record keeps them: in the outlet's language, whoever acts."""
    with translation.override(settings.LANGUAGE_CODE):
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
    base = unicode_slug(name, 100) or "author"
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
        raise ValidationError(gettext_lazy("Give the new account at least one role."))
    access = access_for(actor)
    for grant in grants:
        reason = roles.refusal_to_grant(access, grant.role)
        if reason is not None:
            raise PermissionDenied(reason)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": gettext_lazy("That username is taken.")})
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


@dataclass(frozen=True)
class StaffEdit:
    """What ``edit_staff_account`` changed, for the page to say."""

    roles_changed: bool
    notified: str  # the old address told of an e-mail change, or ""


@transaction.atomic
def edit_staff_account(
    actor,
    user,
    *,
    full_name: str,
    email: str,
    job_title: str,
    grants: list[RoleGrant],
    expertise: dict[str, str] | None = None,
    names: dict[str, dict[str, str]] | None = None,
) -> StaffEdit:
    """Change ``user``'s profile and roles together: all of it is kept, or nothing.

    Refused (PermissionDenied) unless ``actor`` may manage the account and give
    every role it gains; nobody but a superuser gives themselves a role. A new
    e-mail address is audited old → new and the old address is told.
    """
    check_may_manage(actor, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    notified = _update_profile(
        actor, user, full_name=full_name, email=email, job_title=job_title, expertise=expertise
    )
    # Their name, title and bio in the other editions' languages (newsroom/author_names.py).
    if names and set_names(Author.objects.get(user=user), names):
        audit.record(actor, "staff_profile", user, username=user.username)
    roles_changed = _change_roles(actor, user, grants)
    return StaffEdit(roles_changed=roles_changed, notified=notified)


# What an administrator may set of an author's expertise (Author.clean checks it).
EXPERTISE_FIELDS = ("expertise", "languages", "location", "other_work")


def _update_profile(
    actor, user, *, full_name: str, email: str, job_title: str, expertise: dict | None = None
) -> str:
    old_email = user.email
    first, _, last = full_name.strip().partition(" ")
    user.first_name, user.last_name, user.email = first[:150], last[:150], email
    user.full_clean()
    user.save(update_fields=["first_name", "last_name", "email"])
    author = Author.objects.filter(user=user).first()
    profile = ("name", "email", "job_title", *EXPERTISE_FIELDS)
    before = tuple(getattr(author, name) for name in profile) if author else None
    if author is None:
        author = Author(user=user, slug=_unique_author_slug(full_name))
    author.name, author.email, author.job_title = full_name, email, job_title
    for name in EXPERTISE_FIELDS:
        if expertise is not None and isinstance(expertise.get(name), str):
            setattr(author, name, expertise[name])
    author.full_clean()
    author.save()
    if before != tuple(getattr(author, name) for name in profile):
        audit.record(actor, "staff_profile", user, username=user.username)
    if old_email == email:
        return ""
    told = account_changes.record_email_change(actor, user, old_email, email)
    return old_email if told else ""


def _change_roles(actor, user, grants: list[RoleGrant]) -> bool:
    keeps_administrator = any(g.role == StaffRole.Role.ADMINISTRATOR for g in grants)
    if user.pk == actor.pk and not keeps_administrator and not actor.is_superuser:
        raise ValidationError(gettext_lazy("You cannot take away your own administrator role."))
    _check_grants(actor, user, grants)
    before = _roles_of(user)
    _set_roles(user, grants)
    after = _roles_of(user)
    if before == after:
        return False
    audit.record(
        actor,
        "staff_roles",
        user,
        note=f"{', '.join(before) or 'no role'} → {', '.join(after) or 'no role'}",
        before=before,
        after=after,
    )
    return True


@transaction.atomic
def set_staff_active(actor, user, active: bool) -> None:
    """Deactivate or reactivate an account the actor may manage.

    Deactivating signs the account out everywhere (its sessions are deleted, so
    a later reactivation does not bring them back), lets its edit locks lapse
    and stops its API tokens (they check the account on every request).
    """
    check_may_manage(actor, user)
    if user.pk == actor.pk and not active:
        raise ValidationError(gettext_lazy("You cannot deactivate your own account."))
    if user.is_active == active:
        return
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        EditLock.objects.filter(user=user).delete()
        account_changes.end_sessions(user)
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
