"""Who may call which staff route: the rules the permission matrix reads (RELIABILITY.md A1).

One entry per named route of the back office (``/desk/…``) and of the staff
API (``/api/desk/…``). Each says, written out here and not read from
``stories/permissions.py``, who may call the route, on which object, and
what the call changes when it is allowed. ``test_permission_matrix`` lists
every route of the URL conf and fails with its name when this table has no
entry for it: a new route without a rule fails the suite.

The people hold their roles on the "own" desk; "other" is a desk they hold
nothing on. On the own desk a story is the writer's own. The roles are the
project's (``StaffRole.Role``): writer (journalists, news-writers and
analysts are all writers; "analyst" is a job title, not a role), desk
editor, chief editor, administrator, and a signed-in account with no role.
API tokens carry no scopes of their own: a token acts as its account, so
the staff API is tried with a token of each role, one of an account with no
role (a token that may do nothing), a revoked token and none.

What a refusal looks like is the same everywhere and decided by
``refusal``: the back office sends a visitor who is not signed in to the
sign-in page (302), answers 403 to an account without a staff role, 404 for
a story the person may not open that is not live (the same answer as for a
story that does not exist: RELIABILITY.md A3), and 403 otherwise; the staff
API answers 401 without a valid token, 404 for a story the token's account
may not open (live or not) and 403 for a step it may not take. A few routes
refuse by redirecting back with a message (``refuses_by_redirect``): what
matters there, like everywhere, is that nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from masthead.stories.models import Story

S = Story.Status

ANONYMOUS = "anonymous"
NO_ROLE = "no role"
WRITER = "writer"
DESK_EDITOR = "desk editor"
CHIEF_EDITOR = "chief editor"
ADMINISTRATOR = "administrator"
# For the staff API: no Authorization header, and a token that is unknown or revoked.
NO_TOKEN = "no token"
BAD_TOKEN = "revoked token"

AT_THE_DOOR = (ANONYMOUS, NO_TOKEN, BAD_TOKEN)  # refused before any rule is read
STAFF = (WRITER, DESK_EDITOR, CHIEF_EDITOR, ADMINISTRATOR)
BACK_OFFICE_ACTORS = (ANONYMOUS, NO_ROLE, *STAFF)
API_ACTORS = (NO_TOKEN, BAD_TOKEN, NO_ROLE, *STAFF)

# Story states as the matrix builds them: "embargoed" is scheduled with an embargo.
EMBARGOED = "embargoed"
STATES = (
    S.DRAFT,
    S.SUBMITTED,
    S.IN_EDIT,
    S.READY,
    S.SCHEDULED,
    EMBARGOED,
    S.PUBLISHED,
    S.WITHDRAWN,
)
LIVE_STATES = (S.PUBLISHED,)
WORKING = (S.DRAFT, S.SUBMITTED, S.IN_EDIT, S.READY)


@dataclass(frozen=True)
class Cell:
    actor: str
    desk: str  # "own" or "other": the desk of the object the route names
    state: str | None = None  # the story's, for routes that name a story

    @property
    def own_desk(self) -> bool:
        return self.desk == "own"


# Who: written out from the role descriptions (docs/editorial-guide.md), not from the code.


def staff(cell: Cell) -> bool:
    return cell.actor in STAFF


def edits_desk(cell: Cell) -> bool:
    """Desk editors of the desk, and chief editors of every desk."""
    return cell.actor == CHIEF_EDITOR or (cell.actor == DESK_EDITOR and cell.own_desk)


def edits_any_desk(cell: Cell) -> bool:
    return cell.actor in (DESK_EDITOR, CHIEF_EDITOR)


def administrator(cell: Cell) -> bool:
    return cell.actor == ADMINISTRATOR


def reads_story(cell: Cell) -> bool:
    """Editors of its desk; its own writer (the writer's stories are on the own desk)."""
    return edits_desk(cell) or (cell.actor == WRITER and cell.own_desk)


def edits_story(cell: Cell) -> bool:
    """Not once withdrawn; editors of its desk; its writer while it is a draft."""
    if cell.state == S.WITHDRAWN:
        return False
    return edits_desk(cell) or (cell.actor == WRITER and cell.own_desk and cell.state == S.DRAFT)


def writes_for_desk(cell: Cell) -> bool:
    return edits_desk(cell) or (cell.actor == WRITER and cell.own_desk)


def content_role(cell: Cell) -> bool:
    return cell.actor in (WRITER, DESK_EDITOR, CHIEF_EDITOR)


def chief_or_administrator(cell: Cell) -> bool:
    return cell.actor in (CHIEF_EDITOR, ADMINISTRATOR)


def sees_or_owns(cell: Cell) -> bool:
    """An image or wire item of a desk: its editors, chief editors, and its own writer."""
    return reads_story(cell)


def works_on_desk(cell: Cell) -> bool:
    """The wire queue of a desk: those who write for it, chief editors and administrators."""
    return writes_for_desk(cell) or chief_or_administrator(cell)


def sees_reports(cell: Cell) -> bool:
    """Readers' reports are the editors' (writers and administrators are refused, 403); an
    editor of another desk is told the report does not exist."""
    return not edits_any_desk(cell) or edits_desk(cell)


def manages_desk(cell: Cell) -> bool:
    """A desk's wire sources: its editors, chief editors and administrators."""
    return edits_desk(cell) or administrator(cell)


def editor_or_administrator(cell: Cell) -> bool:
    return edits_any_desk(cell) or administrator(cell)


@dataclass(frozen=True)
class Effect:
    """What one allowed call adds: revisions of the story and audit rows."""

    revisions: int = 0
    audit_rows: int = 0
    changes: bool = True  # some row changes (False: a read, or a heartbeat)


READ = Effect(changes=False)
AUDITED = Effect(audit_rows=1)
NEW_REVISION = Effect(revisions=1, audit_rows=1)


@dataclass(frozen=True)
class Rule:
    may: Callable[[Cell], bool]
    method: str = "GET"
    target: str = "none"  # what the route's ids name (see test_permission_matrix.World.kwargs)
    states: tuple[str, ...] = ()  # the story states the route is tried in
    effect: Effect = READ
    # The form the call sends; a name the test knows (``test_permission_matrix.PAYLOADS``).
    payload: str = ""
    refuses_by_redirect: bool = False
    # When a refused staff member is told the object does not exist (404): "story" (one
    # they may not open, unless it is live), "never", or a test of who sees the object at
    # all (an image, a wire item or source, a report): those who do not get 404, others 403.
    hides: str | Callable[[Cell], bool] = "never"
    public: bool = False  # anyone may call it, signed in or not
    query: str = ""  # a GET's query string
    desks: tuple[str, ...] = ("own", "other")
    actors: tuple[str, ...] = field(default=BACK_OFFICE_ACTORS)


def may_link(cell: Cell) -> bool:
    """Linking a story and the person's own draft translation: who may open the story (its
    page is the door, live or not) and so may see both and edit the draft."""
    return reads_story(cell)


def anyone_staff(**more) -> Rule:
    return Rule(may=staff, desks=("own",), **more)


ALL = STATES
READ_STATES = (S.DRAFT, S.SUBMITTED, EMBARGOED, S.PUBLISHED, S.WITHDRAWN)

BACK_OFFICE: dict[str, Rule] = {
    # Pages every staff member has.
    # The way to the sign-in page, and the words of the scripts: anyone's.
    "backoffice:login": Rule(may=lambda cell: True, desks=("own",), public=True),
    "backoffice:jsi18n": Rule(may=lambda cell: True, desks=("own",), public=True),
    "backoffice:mine": anyone_staff(),
    "backoffice:board": anyone_staff(),
    "backoffice:search": anyone_staff(),
    "backoffice:audit": Rule(may=editor_or_administrator, desks=("own",)),
    "backoffice:story_new": Rule(may=content_role, desks=("own",)),
    "backoffice:media_picker": anyone_staff(),
    "backoffice:media": anyone_staff(),
    "backoffice:sourcing_rules": Rule(may=chief_or_administrator, desks=("own",)),
    "backoffice:tags": Rule(may=edits_any_desk, desks=("own",)),
    "backoffice:staff": Rule(may=administrator, desks=("own",)),
    "backoffice:staff_new": Rule(may=administrator, desks=("own",)),
    "backoffice:desks": Rule(may=administrator, desks=("own",)),
    "backoffice:desk_new": Rule(may=administrator, desks=("own",)),
    # The story and everything on its page.
    "backoffice:story": Rule(may=reads_story, target="story", hides="story", states=ALL),
    "backoffice:history": Rule(may=reads_story, target="story", hides="story", states=READ_STATES),
    "backoffice:preview": Rule(
        may=reads_story, target="revision", hides="story", states=READ_STATES
    ),
    "backoffice:step": Rule(
        may=edits_desk,
        method="POST",
        target="story",
        hides="story",
        states=(S.SUBMITTED,),
        payload="claim",
        effect=AUDITED,
    ),
    "backoffice:autosave": Rule(
        may=edits_story,
        method="POST",
        target="story",
        hides="story",
        states=(S.DRAFT, S.SUBMITTED, S.PUBLISHED, S.WITHDRAWN),
        payload="story_form",
        effect=NEW_REVISION,
    ),
    "backoffice:lock": Rule(
        may=reads_story, method="POST", target="story", hides="story", states=(S.DRAFT, S.PUBLISHED)
    ),
    "backoffice:unlock": Rule(
        may=reads_story, method="POST", target="story", hides="story", states=(S.DRAFT, S.PUBLISHED)
    ),
    "backoffice:slug": Rule(
        may=edits_desk,
        method="POST",
        target="story",
        hides="story",
        states=(S.DRAFT, S.PUBLISHED),
        payload="slug",
        effect=AUDITED,
    ),
    "backoffice:developing": Rule(
        may=edits_desk,
        method="POST",
        target="story",
        hides="story",
        states=(S.PUBLISHED,),
        payload="developing",
        effect=AUDITED,
    ),
    "backoffice:thread": Rule(
        may=edits_desk,
        method="POST",
        target="story",
        hides="story",
        states=(S.PUBLISHED,),
        payload="thread",
        effect=AUDITED,
    ),
    # Translations (a desk of a second edition, on which the writer and the editor work).
    "backoffice:translate": Rule(
        may=reads_story,
        method="POST",
        target="story",
        hides="story",
        states=(S.DRAFT, S.PUBLISHED),
        payload="translate",
        effect=Effect(revisions=1, audit_rows=2),  # the new draft, and that it translates
    ),
    "backoffice:translation_link": Rule(
        may=may_link,
        method="POST",
        target="story",
        hides="story",
        states=(S.PUBLISHED,),
        payload="link",
        effect=AUDITED,
        refuses_by_redirect=True,
    ),
    "backoffice:translation_unlink": Rule(
        may=may_link,
        method="POST",
        target="linked_story",
        hides="story",
        states=(S.PUBLISHED,),
        effect=AUDITED,
    ),
    "backoffice:restore": Rule(
        may=edits_story,
        method="POST",
        target="revision",
        hides="story",
        states=(S.DRAFT, S.IN_EDIT, S.WITHDRAWN),
        payload="base_revision",
        effect=NEW_REVISION,
    ),
    "backoffice:share": Rule(
        may=reads_story,
        method="POST",
        target="story",
        hides="story",
        states=(S.DRAFT, S.IN_EDIT),
        effect=AUDITED,
    ),
    "backoffice:revoke_preview": Rule(
        may=edits_desk,
        method="POST",
        target="preview_link",
        hides="story",
        states=(S.IN_EDIT,),
        effect=AUDITED,
    ),
    "backoffice:source_approve": Rule(
        may=edits_desk,
        method="POST",
        target="unnamed_source",
        hides="story",
        states=(S.IN_EDIT,),
        payload="approval",
        effect=NEW_REVISION,
    ),
    "backoffice:source_withdraw_approval": Rule(
        may=edits_desk,
        method="POST",
        target="approved_source",
        hides="story",
        states=(S.IN_EDIT,),
        payload="approval",
        effect=NEW_REVISION,
    ),
    # Media.
    "backoffice:media_upload": Rule(
        may=content_role, method="POST", desks=("own",), payload="image", effect=AUDITED
    ),
    # An image in no story: its uploader's and its desk's; to anyone else it does not exist.
    "backoffice:media_image": Rule(may=sees_or_owns, target="image", hides=sees_or_owns),
    "backoffice:media_focal_point": Rule(
        may=sees_or_owns,
        method="POST",
        target="image",
        hides=sees_or_owns,
        payload="focal_point",
        effect=AUDITED,
    ),
    # Tags, staff and desks.
    "backoffice:tag": Rule(may=edits_any_desk, target="tag", desks=("own",)),
    "backoffice:tag_merge": Rule(
        may=edits_any_desk,
        method="POST",
        target="tag",
        desks=("own",),
        payload="merge",
        effect=AUDITED,
    ),
    "backoffice:staff_edit": Rule(may=administrator, target="user", desks=("own",)),
    "backoffice:staff_active": Rule(
        may=administrator,
        method="POST",
        target="user",
        desks=("own",),
        payload="deactivate",
        effect=AUDITED,
    ),
    "backoffice:desk_edit": Rule(may=administrator, target="desk", desks=("own",)),
    # The wire desk: the queue for every staff member, an item of a desk one works on.
    "wire:queue": anyone_staff(),
    "wire:poll": anyone_staff(query="since=2026-01-01T00:00:00Z"),
    "wire:item": Rule(may=works_on_desk, target="item", hides=works_on_desk),
    "wire:write": Rule(
        may=writes_for_desk,
        method="POST",
        target="none",
        hides=works_on_desk,  # an item of a desk one does not work on
        payload="wire_write",
        effect=Effect(revisions=1, audit_rows=2),  # the draft, and the item it is based on
        refuses_by_redirect=True,
    ),
    "wire:add": Rule(
        may=edits_desk,
        method="POST",
        target="item",
        hides=works_on_desk,
        states=(S.IN_EDIT,),
        payload="wire_add",
        effect=NEW_REVISION,
        refuses_by_redirect=True,
    ),
    "wire_sources:list": anyone_staff(),
    "wire_sources:new": Rule(may=editor_or_administrator, desks=("own",)),
    "wire_sources:edit": Rule(may=manages_desk, target="source", hides=works_on_desk),
    "wire_sources:pause": Rule(
        may=manages_desk, method="POST", target="source", hides=works_on_desk, effect=AUDITED
    ),
    "wire_sources:resume": Rule(
        may=manages_desk, method="POST", target="paused_source", hides=works_on_desk, effect=AUDITED
    ),
    "wire_sources:poll": Rule(
        may=manages_desk, method="POST", target="source", hides=works_on_desk, effect=AUDITED
    ),
    "wire_sources:secret": Rule(
        may=manages_desk, method="POST", target="push_source", hides=works_on_desk, effect=AUDITED
    ),
    "wire_sources:delete": Rule(
        may=manages_desk,
        method="POST",
        target="source",
        hides=works_on_desk,
        payload="confirm",
        effect=AUDITED,
    ),
    # Readers' error reports: the desk's editors.
    "corrections:queue": Rule(may=edits_any_desk, desks=("own",)),
    "corrections:report": Rule(may=edits_desk, target="report", hides=sees_reports),
    "corrections:accept": Rule(
        may=edits_desk, method="POST", target="report", hides=sees_reports, effect=AUDITED
    ),
    "corrections:decline": Rule(
        may=edits_desk,
        method="POST",
        target="report",
        hides=sees_reports,
        payload="reason",
        effect=AUDITED,
    ),
}


def api(may: Callable[[Cell], bool], method: str, states, **more) -> Rule:
    return Rule(
        may=may,
        method=method,
        target="story",
        hides="story",
        states=states,
        actors=API_ACTORS,
        **more,
    )


API: dict[str, Rule] = {
    "api:desk-stories": Rule(
        may=writes_for_desk,
        method="POST",
        actors=API_ACTORS,
        payload="api_create",
        effect=NEW_REVISION,
    ),
    "api:desk-story": api(reads_story, "GET", READ_STATES),
    "api:desk-story-save": api(
        edits_story,
        "PUT",
        (S.DRAFT, S.SUBMITTED, S.PUBLISHED, S.WITHDRAWN),
        payload="api_save",
        effect=NEW_REVISION,
    ),
}

# Each workflow step over the API: the state it starts from, and who takes it.
API_STEPS: dict[str, tuple[str, Callable[[Cell], bool], str]] = {
    "submit": (S.DRAFT, lambda cell: reads_story(cell), ""),
    "claim": (S.SUBMITTED, edits_desk, ""),
    "approve": (S.IN_EDIT, edits_desk, ""),
    "return": (S.SUBMITTED, edits_desk, "note"),
    "schedule": (S.READY, edits_desk, "when"),
    "unschedule": (S.SCHEDULED, edits_desk, ""),
    "publish": (S.READY, edits_desk, ""),
    "publish_update": (S.PUBLISHED, edits_desk, ""),
    "publish_correction": (S.PUBLISHED, edits_desk, "note"),
    "withdraw": (S.PUBLISHED, edits_desk, "note"),
    # The writer's alone (an editor only of a story of their own: none here).
    "pull_back": (S.SUBMITTED, lambda cell: cell.actor == WRITER and cell.own_desk, ""),
    "reinstate": (S.WITHDRAWN, edits_desk, "note"),
}
# Reinstating keeps the reinstated text as a new revision.
STEP_EFFECTS = {"reinstate": NEW_REVISION}
for _step, (_state, _who, _payload) in API_STEPS.items():
    API[f"api:desk-transition-{_step}"] = api(
        _who, "POST", (_state,), payload=_payload, effect=STEP_EFFECTS.get(_step, AUDITED)
    )

RULES: dict[str, Rule] = {**BACK_OFFICE, **API}

# The prefixes the matrix covers: every route under them needs a rule.
STAFF_PREFIXES = ("desk/", "api/desk/")
