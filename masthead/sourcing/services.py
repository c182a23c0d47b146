"""Every write to sourcing: approving unnamed sources, and the outlet's choice of rules.

An approval is written only here, as a new revision of the story (through
``stories.services.keep_revision``, under the story's row lock) carrying
``{by_id, by_name, at, reason}`` on the source, with an audit record, in one
transaction. Approving is an editor's act: a desk editor of the story's desk
or a chief editor. How approvals survive later saves, and why no form or API
can forge one, is ``approvals.py``.

Withdrawing an approval is refused while the story is scheduled and not yet
out (it would go out with the approval it had): unschedule it first. On a
published story it writes a new revision; readers keep seeing the published
one, and the next update is refused by the rule until the source is approved
again or changed.

Rules (``rules.RULES``) are switched on and off, and tied to the policy page
that states them, by chief editors and administrators.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from masthead.newsroom import audit
from masthead.newsroom.models import PolicyPage
from masthead.newsroom.roles import access_for
from masthead.newsroom.text import clean_line
from masthead.sourcing.kinds import APPROVAL
from masthead.sourcing.models import SourcingRule
from masthead.sourcing.rules import RULES
from masthead.stories import services as story_services
from masthead.stories import versions
from masthead.stories.models import Story

REASON_MAX = 300


def _check_approves(actor, story: Story) -> None:
    if not access_for(actor).edits(story.desk_id):
        raise PermissionDenied(
            gettext_lazy(
                "Only an editor of the story's desk, or a chief editor, approves unnamed sources."
            )
        )
    if story.status == Story.Status.WITHDRAWN:
        raise PermissionDenied(gettext_lazy("A withdrawn story cannot be changed."))


def _unnamed_source(story: Story, source_id) -> tuple[story_services.Content, dict]:
    latest = story.latest_revision
    content = story_services.Content.of(latest or story)
    wanted = source_id if isinstance(source_id, str) else None
    source = next(
        (s for s in content.sources if s.get("id") == wanted and s.get("kind") == "unnamed"),
        None,
    )
    if source is None:
        raise ValidationError(
            {
                "source": gettext_lazy(
                    "The story's latest revision has no such unnamed source: reload the page."
                )
            }
        )
    return content, source


def _display_name(actor) -> str:
    return clean_line(actor.get_full_name() or actor.get_username())[:150]


@transaction.atomic
def approve_source(actor, story: Story, source_id: str, reason: str) -> Story:
    """Record that ``actor`` approves relying on the unnamed source ``source_id``, and why."""
    story = story_services.lock_story(story)
    _check_approves(actor, story)
    reason = clean_line(reason if isinstance(reason, str) else "")
    if not reason:
        raise ValidationError(
            {"reason": gettext_lazy("Say why the source may stay unnamed and be relied on.")}
        )
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {
                "reason": gettext("Keep the reason under %(reason_max)s characters.")
                % {"reason_max": REASON_MAX}
            }
        )
    content, source = _unnamed_source(story, source_id)
    approval = {
        "by_id": actor.pk,
        "by_name": _display_name(actor),
        "at": timezone.now().isoformat(),
        "reason": reason,
    }
    return _decide(actor, story, content, source, approval, "source_approve", reason)


@transaction.atomic
def withdraw_approval(actor, story: Story, source_id: str, reason: str = "") -> Story:
    """Take back the approval of an unnamed source (see the module docstring for when)."""
    story = story_services.lock_story(story)
    _check_approves(actor, story)
    if story.status == Story.Status.SCHEDULED and not story.is_live():
        raise ValidationError(
            gettext_lazy("The story is scheduled with this source approved: unschedule it first.")
        )
    reason = clean_line(reason if isinstance(reason, str) else "")[:REASON_MAX]
    content, source = _unnamed_source(story, source_id)
    if not source.get(APPROVAL):
        return story
    return _decide(actor, story, content, source, None, "source_withdraw_approval", reason)


# The revision note of each decision, by its audit action.
_DECISION_NOTES = {
    "source_approve": "Approved unnamed source “{}”",
    "source_withdraw_approval": "Withdrew approval of unnamed source “{}”",
}


def _decide(actor, story: Story, content, source: dict, approval, action: str, reason: str):
    """Keep a revision with ``approval`` (None: none) on ``source``, and audit it."""
    described = source.get("description", "")
    revision = story_services.keep_revision(
        actor,
        story,
        content,
        _DECISION_NOTES[action].format(described)[:300],
        decided={source["id"]: approval},
    )
    audit.record(
        actor,
        action,
        story,
        note=reason,
        source=source["id"],
        description=described,
        revision=revision.number,
    )
    return story


def check_manages_rules(actor) -> None:
    access = access_for(actor)
    if not (access.is_chief_editor or access.is_administrator):
        raise PermissionDenied(
            gettext_lazy("Only chief editors and administrators set the sourcing rules.")
        )


@transaction.atomic
def set_rule(
    actor, code: str, *, is_enforced: bool, policy_page: PolicyPage | None = None
) -> SourcingRule:
    """Switch rule ``code`` on or off and name the policy page that states it.

    Bumps the "site" scope: the policy pages, and the box on articles that links
    to them, may state which rules the outlet enforces.
    """
    check_manages_rules(actor)
    if code not in RULES:
        raise ValidationError({"code": gettext_lazy("No such sourcing rule.")})
    if not isinstance(is_enforced, bool):
        raise ValidationError({"is_enforced": gettext_lazy("Say whether the rule is enforced.")})
    if policy_page is not None and not PolicyPage.objects.filter(pk=policy_page.pk).exists():
        raise ValidationError({"policy_page": gettext_lazy("No such policy page.")})
    rule, _ = SourcingRule.objects.select_for_update().get_or_create(code=code)
    rule.is_enforced = is_enforced
    rule.policy_page = policy_page
    rule.updated_by = actor if actor is not None and actor.is_authenticated else None
    rule.save()
    audit.record(
        actor,
        "sourcing_rule",
        rule,
        note=f"{code}: {'enforced' if is_enforced else 'not enforced'}",
        policy_page=policy_page.pk if policy_page is not None else None,
    )
    versions.bump([versions.SITE])
    return rule
