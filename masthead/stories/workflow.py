"""The editorial workflow as one table: which action moves a story from which
states to which, and who may take it.

    draft ──submit──▶ submitted ──claim──▶ in edit ──approve──▶ ready
      ▲ ▲                 │ │                 │                  │
      │ └──pull back──────┘ │  (the writer, until an editor claims it)
      └──────return (with a note)─────────────┴──────────────────┘
    in edit / ready ──schedule──▶ scheduled ──(its time comes)──▶ published
    in edit / ready / scheduled ──publish──▶ published
    scheduled ──unschedule──▶ ready
    published ──publish update / publish correction──▶ published
    published / scheduled ──withdraw (with a note, confirmed)──▶ withdrawn
    withdrawn ──reinstate (with a note)──▶ published

Return, pull back, unschedule and withdraw close the story's preview links
(they take it back, off the schedule or off the site: not what a link was
made for); the steps towards and onto the site leave them open.

A scheduled story whose time has come *is* published (visibility by time, no
worker needed): ``Story.effective_status`` reports it so, and the table is
read against that effective state.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from masthead.stories.models import Story

S = Story.Status


class InvalidTransition(Exception):
    """The story is not in a state this action starts from."""


class Action(StrEnum):
    SUBMIT = "submit"
    CLAIM = "claim"
    APPROVE = "approve"
    RETURN = "return"
    SCHEDULE = "schedule"
    UNSCHEDULE = "unschedule"
    PUBLISH = "publish"
    PUBLISH_UPDATE = "publish_update"
    PUBLISH_CORRECTION = "publish_correction"
    WITHDRAW = "withdraw"
    PULL_BACK = "pull_back"
    REINSTATE = "reinstate"


class Who(StrEnum):
    AUTHOR_OR_EDITOR = "author_or_editor"  # the story's own writer, or an editor of its desk
    AUTHOR = "author"  # the story's own writer only (whatever else they are)
    EDITOR = "editor"  # a desk editor of the story's desk, or a chief editor


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[str]
    target: str
    who: Who
    label: str
    needs_note: bool = False
    # Hard to take back: the back office asks "are you sure?" before it.
    asks_confirmation: bool = False
    # Takes the story back, off the schedule or off the site: preview links made
    # before it were not made for that, and close (``stories/preview.py``).
    closes_previews: bool = False


def _t(action, sources, target, who, label, **flags) -> Transition:
    return Transition(action, frozenset(sources), target, who, label, **flags)


TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in (
        _t(Action.SUBMIT, {S.DRAFT}, S.SUBMITTED, Who.AUTHOR_OR_EDITOR, _("Submit to the desk")),
        _t(Action.CLAIM, {S.SUBMITTED}, S.IN_EDIT, Who.EDITOR, _("Take for editing")),
        _t(Action.APPROVE, {S.IN_EDIT}, S.READY, Who.EDITOR, _("Approve")),
        _t(
            Action.RETURN,
            {S.SUBMITTED, S.IN_EDIT, S.READY},
            S.DRAFT,
            Who.EDITOR,
            _("Return to the writer"),
            needs_note=True,
            closes_previews=True,
        ),
        _t(Action.SCHEDULE, {S.IN_EDIT, S.READY}, S.SCHEDULED, Who.EDITOR, _("Schedule")),
        _t(
            Action.UNSCHEDULE,
            {S.SCHEDULED},
            S.READY,
            Who.EDITOR,
            _("Unschedule"),
            closes_previews=True,
        ),
        _t(
            Action.PUBLISH,
            {S.IN_EDIT, S.READY, S.SCHEDULED},
            S.PUBLISHED,
            Who.EDITOR,
            _("Publish now"),
        ),
        _t(Action.PUBLISH_UPDATE, {S.PUBLISHED}, S.PUBLISHED, Who.EDITOR, _("Publish update")),
        _t(
            Action.PUBLISH_CORRECTION,
            {S.PUBLISHED},
            S.PUBLISHED,
            Who.EDITOR,
            _("Publish correction"),
            needs_note=True,
        ),
        _t(
            Action.WITHDRAW,
            {S.PUBLISHED, S.SCHEDULED},
            S.WITHDRAWN,
            Who.EDITOR,
            _("Withdraw"),
            needs_note=True,
            asks_confirmation=True,
            closes_previews=True,
        ),
        _t(
            Action.PULL_BACK,
            {S.SUBMITTED},
            S.DRAFT,
            Who.AUTHOR,
            _("Pull back to draft"),
            closes_previews=True,
        ),
        _t(
            Action.REINSTATE,
            {S.WITHDRAWN},
            S.PUBLISHED,
            Who.EDITOR,
            _("Republish"),
            needs_note=True,
        ),
    )
}

# States in which a story is still being worked on: nothing of it is public,
# so saves show at once in the back office's lists.
WORKING_STATES = frozenset({S.DRAFT, S.SUBMITTED, S.IN_EDIT, S.READY})


def transition_for(action: Action | str, state: str) -> Transition:
    """The transition ``action`` from ``state``, or InvalidTransition."""
    try:
        transition = TRANSITIONS[Action(action)]
    except ValueError:
        raise InvalidTransition(
            gettext("“%(action)s” is not a workflow action.") % {"action": action}
        ) from None
    if state not in transition.sources:
        label = Story.Status(state).label.lower() if state in S.values else state
        raise InvalidTransition(
            gettext("“%(step)s” is not possible for a story that is %(state)s.")
            % {"step": transition.label, "state": label}
        )
    return transition


def transitions_from(state: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if state in t.sources]
