"""Who may do what to which story. Checked by every service, not only by views.

Writers create stories on their desks, edit their own while they are
drafts, submit them and pull them back until an editor claims them; desk
editors read, edit and move every story of their desks (pulling back is the
writer's alone: editors return a story with a note); chief editors those of
every desk; administrators hold no content role by themselves. A story is a
writer's own when they created it or a byline names their author profile.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext, gettext_lazy

from masthead.newsroom.models import Desk
from masthead.newsroom.roles import StaffAccess, access_for
from masthead.stories.models import Story
from masthead.stories.workflow import Transition, Who


def is_own(access: StaffAccess, story: Story) -> bool:
    if access.user_id is None:
        return False
    if story.created_by_id == access.user_id:
        return True
    return story.bylines.filter(author__user_id=access.user_id).exists()


def can_create(user, desk: Desk) -> bool:
    return access_for(user).writes_for(desk.pk)


def can_read(user, story: Story) -> bool:
    access = access_for(user)
    if access.edits(story.desk_id):
        return True
    return access.has_content_role and is_own(access, story)


def can_edit(user, story: Story) -> bool:
    if story.status == Story.Status.WITHDRAWN:
        return False
    access = access_for(user)
    if access.edits(story.desk_id):
        return True
    return (
        story.status == Story.Status.DRAFT
        and access.writes_for(story.desk_id)
        and is_own(access, story)
    )


def can_take(user, story: Story, transition: Transition) -> bool:
    access = access_for(user)
    if transition.who == Who.AUTHOR:
        return access.writes_for(story.desk_id) and is_own(access, story)
    if access.edits(story.desk_id):
        return True
    if transition.who == Who.AUTHOR_OR_EDITOR:
        return access.writes_for(story.desk_id) and is_own(access, story)
    return False


def check_create(user, desk: Desk) -> None:
    if not can_create(user, desk):
        raise PermissionDenied(
            gettext("You do not write for the %(desk)s desk.") % {"desk": desk.name}
        )


def check_read(user, story: Story) -> None:
    if not can_read(user, story):
        raise PermissionDenied(gettext_lazy("You may not open this story."))


def check_edit(user, story: Story) -> None:
    if not can_edit(user, story):
        if story.status == Story.Status.WITHDRAWN:
            raise PermissionDenied(gettext_lazy("A withdrawn story cannot be edited."))
        raise PermissionDenied(
            "Only the desk's editors may edit this story now"
            if story.status != Story.Status.DRAFT
            else "You may not edit this story."
        )


def check_take(user, story: Story, transition: Transition) -> None:
    if not can_take(user, story, transition):
        raise PermissionDenied(
            gettext("You may not “%(step)s” on this desk.") % {"step": transition.label.lower()}
        )
