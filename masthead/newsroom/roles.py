"""What a staff member may do on which desk, read once per request, and whose account they manage.

The rules about stories (who may take which transition) live with the story
workflow (``masthead/stories/permissions.py``); this module answers "which
desks does this person write for, edit, or all of them?" and, for the staff
pages, "may this person give that role, or change that account?".

Who manages whom is one table, ``GRANTERS``: for each role, what someone must
hold to give it. An account is managed (its profile, e-mail, roles, its
deactivation and reactivation) only by someone who could have given it every
role it holds; a superuser's account only by a superuser::

    superuser ─ gives every role, manages every account
      │
    administrator who is chief editor ─ gives chief editor too
      │
    administrator ─ gives writer, desk editor (any desk), administrator
      │
    chief editor, desk editor, writer ─ manage nobody

Nobody but a superuser gives themselves a role they do not hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from masthead.newsroom.models import StaffRole


@dataclass(frozen=True)
class StaffAccess:
    user_id: int | None
    writer_desks: frozenset[int] = field(default_factory=frozenset)
    editor_desks: frozenset[int] = field(default_factory=frozenset)
    is_chief_editor: bool = False
    is_administrator: bool = False
    is_superuser: bool = False

    @property
    def is_staff_member(self) -> bool:
        return bool(
            self.writer_desks or self.editor_desks or self.is_chief_editor or self.is_administrator
        )

    @property
    def has_content_role(self) -> bool:
        return bool(self.writer_desks or self.editor_desks or self.is_chief_editor)

    @property
    def edits_any_desk(self) -> bool:
        """A desk editor of some desk, or a chief editor."""
        return bool(self.editor_desks or self.is_chief_editor)

    def edits(self, desk_id: int) -> bool:
        return self.is_chief_editor or desk_id in self.editor_desks

    def writes_for(self, desk_id: int) -> bool:
        return self.edits(desk_id) or desk_id in self.writer_desks

    def desks_edited(self) -> frozenset[int] | None:
        """The desks this person edits; None means all of them."""
        return None if self.is_chief_editor else self.editor_desks


NO_ACCESS = StaffAccess(user_id=None)


def access_for(user) -> StaffAccess:
    """The roles of ``user``, cached on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    cached = getattr(user, "_masthead_access", None)
    if cached is not None:
        return cached
    writer, editor, outlet_wide = set(), set(), set()
    for role, desk_id in StaffRole.objects.filter(user=user).values_list("role", "desk_id"):
        if role == StaffRole.Role.WRITER:
            writer.add(desk_id)
        elif role == StaffRole.Role.DESK_EDITOR:
            editor.add(desk_id)
        else:
            outlet_wide.add(role)
    access = StaffAccess(
        user_id=user.pk,
        writer_desks=frozenset(writer),
        editor_desks=frozenset(editor),
        is_chief_editor=StaffRole.Role.CHIEF_EDITOR in outlet_wide,
        is_administrator=StaffRole.Role.ADMINISTRATOR in outlet_wide or user.is_superuser,
        is_superuser=user.is_superuser,
    )
    user._masthead_access = access
    return access


# Who manages whom ---------------------------------------------------------------

R = StaffRole.Role

GRANTERS: dict[str, tuple[frozenset[str], str]] = {
    # role given:     (outlet-wide roles the giver must hold, who that is in a refusal)
    R.WRITER: (frozenset({R.ADMINISTRATOR}), "an administrator"),
    R.DESK_EDITOR: (frozenset({R.ADMINISTRATOR}), "an administrator"),
    R.ADMINISTRATOR: (frozenset({R.ADMINISTRATOR}), "an administrator"),
    R.CHIEF_EDITOR: (
        frozenset({R.ADMINISTRATOR, R.CHIEF_EDITOR}),
        "an administrator who is chief editor",
    ),
}

SUPERUSERS_ONLY = "Only a superuser can change a superuser’s account."
ADMINISTRATORS_ONLY = "Only administrators manage staff and desks."


def _outlet_roles(access: StaffAccess) -> frozenset[str]:
    held = set()
    if access.is_administrator:
        held.add(R.ADMINISTRATOR)
    if access.is_chief_editor:
        held.add(R.CHIEF_EDITOR)
    return frozenset(held)


def refusal_to_grant(access: StaffAccess, role: str) -> str | None:
    """Why ``access`` may not give ``role`` to someone, or None if it may."""
    if access.is_superuser:
        return None
    needed, giver = GRANTERS[role]
    if needed <= _outlet_roles(access):
        return None
    label = StaffRole.Role(role).label.lower()
    return f"Only a superuser, or {giver}, can make someone {label}."


def refusal_to_manage(
    access: StaffAccess, person, roles: Iterable[str] | None = None
) -> str | None:
    """Why ``access`` may not change ``person``'s account, or None if it may.

    ``roles`` are the roles ``person`` holds (read from the database when not
    given); an account that is deactivated keeps them, and is judged by them.
    """
    if not access.is_administrator:
        return ADMINISTRATORS_ONLY
    if access.is_superuser:
        return None
    if person.is_superuser:
        return SUPERUSERS_ONLY
    if person.pk == access.user_id:
        return None  # their own profile; raising their own roles is refused apart
    if roles is None:
        roles = StaffRole.objects.filter(user=person).values_list("role", flat=True)
    for role in sorted(set(roles)):
        needed, giver = GRANTERS[role]
        if not needed <= _outlet_roles(access):
            label = StaffRole.Role(role).label.lower()
            return (
                f"Only a superuser, or {giver}, can change this account: it holds the {label} role."
            )
    return None
