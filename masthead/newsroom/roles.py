"""What a staff member may do on which desk, read once per request.

The rules themselves (who may take which transition) live with the story
workflow (``masthead/stories/permissions.py``); this module only answers
"which desks does this person write for, edit, or all of them?".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from masthead.newsroom.models import StaffRole


@dataclass(frozen=True)
class StaffAccess:
    user_id: int | None
    writer_desks: frozenset[int] = field(default_factory=frozenset)
    editor_desks: frozenset[int] = field(default_factory=frozenset)
    is_chief_editor: bool = False
    is_administrator: bool = False

    @property
    def is_staff_member(self) -> bool:
        return bool(
            self.writer_desks or self.editor_desks or self.is_chief_editor or self.is_administrator
        )

    @property
    def has_content_role(self) -> bool:
        return bool(self.writer_desks or self.editor_desks or self.is_chief_editor)

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
    )
    user._masthead_access = access
    return access
