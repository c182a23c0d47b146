"""The outlet's sourcing rules as one table: what each asks of a story before it goes out.

    unnamed_needs_approval     every unnamed source was approved by an editor, with a reason
    allegation_needs_response  a story making an accusation lists a response sought
                               (“response sought, none received” counts)

Each rule has a code (what refusals, the audit trail and the API name it by),
a title and a public explanation (what the rules page and the policy say), the
kind of policy page that states it (``PolicyPage.Kind``), and a check: a
function of the content being published (anything with ``sources`` and
``makes_allegation``: a ``Revision`` or ``stories.services.Content``) that
returns the problems it finds, each naming the rule and the source.

The outlet chooses per rule (``SourcingRule``, set in the back office through
``services.set_rule``): whether publish enforces it, and which policy page
states it. No row means enforced, with the published page of the rule's kind.

``enforce`` is what ``stories.services`` calls on the revision about to become
public, on every path that makes one public (publish, schedule, update,
correction, republish): the back office, the API and auto-publishing all go
through those services, so none of them can skip a rule. A refusal is one
``ValidationError`` whose messages name the rule and point to the policy.

Why no library: these are the outlet's editorial standards, a short table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from masthead.newsroom.models import PolicyPage
from masthead.sourcing.kinds import KINDS, is_approved
from masthead.sourcing.models import SourcingRule

P = PolicyPage.Kind


@dataclass(frozen=True)
class Problem:
    """One thing a rule finds wrong; ``source_id`` is "" when no one source is at fault."""

    rule: str
    message: str
    source_id: str = ""


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    explanation: str
    policy_kind: str
    check: Callable[[object], list[Problem]]


def _name(number: int, source: dict) -> str:
    kind = KINDS[source["kind"]]
    described = source.get("description") or source.get("party") or ""
    return f"source {number} ({kind.label.lower()}{f', “{described}”' if described else ''})"


def _unnamed_approved(content) -> list[Problem]:
    return [
        Problem(
            "unnamed_needs_approval",
            f"{_name(number, source)} has no editor's approval with a reason.",
            source["id"],
        )
        for number, source in enumerate(content.sources or [], start=1)
        if source.get("kind") == "unnamed" and not is_approved(source)
    ]


def _allegation_answered(content) -> list[Problem]:
    if not content.makes_allegation:
        return []
    if any(source.get("kind") == "response" for source in content.sources or []):
        return []
    return [
        Problem(
            "allegation_needs_response",
            "the story makes an accusation and lists no response sought from whom it accuses "
            "(add a “response or denial” source; “response sought, none received” counts).",
        )
    ]


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule(
            "unnamed_needs_approval",
            "An unnamed source needs an editor's approval",
            "We name our sources. When we grant anonymity, an editor of the desk knows who "
            "the source is, approves relying on them and records why; the story says why "
            "anonymity was granted.",
            P.UNNAMED_SOURCES,
            _unnamed_approved,
        ),
        Rule(
            "allegation_needs_response",
            "An accusation needs a response sought",
            "Before we publish an accusation we ask whom it accuses for a response, and say "
            "what they answered, or that none came by publication.",
            P.ETHICS,
            _allegation_answered,
        ),
    )
}


@dataclass(frozen=True)
class Setting:
    """A rule with the outlet's choice for it."""

    rule: Rule
    is_enforced: bool
    policy_page: PolicyPage | None


def settings() -> list[Setting]:
    """Every rule of the table, in its order, with what the outlet chose (default: enforced).

    The policy page is the one chosen if it is still published, else the outlet's
    published page of the rule's kind, else none.
    """
    chosen = {row.code: row for row in SourcingRule.objects.select_related("policy_page")}
    # The newsroom's rules are stated by the default edition's pages (one of each kind there).
    pages = PolicyPage.objects.published().filter(edition__is_default=True).exclude(kind=P.OTHER)
    by_kind = {page.kind: page for page in pages}
    result = []
    for rule in RULES.values():
        row = chosen.get(rule.code)
        page = row.policy_page if row is not None else None
        if page is None or not page.is_published:
            page = by_kind.get(rule.policy_kind)
        result.append(Setting(rule, row.is_enforced if row is not None else True, page))
    return result


def problems(content, only: Iterable[str] | None = None) -> list[Problem]:
    """What the enforced rules (or the rules named in ``only``) find wrong with ``content``."""
    wanted = set(only) if only is not None else None
    found = []
    for setting in settings():
        if wanted is not None and setting.rule.code not in wanted:
            continue
        if wanted is None and not setting.is_enforced:
            continue
        found.extend(setting.rule.check(content))
    return found


def refusal(content) -> ValidationError | None:
    """The error publishing ``content`` meets, naming each rule broken and its policy; or None."""
    found = problems(content)
    if not found:
        return None
    by_code = {setting.rule.code: setting for setting in settings()}
    messages = []
    for problem in found:
        setting = by_code[problem.rule]
        policy = (
            f" Our policy: {setting.policy_page.title}, {setting.policy_page.get_absolute_url()}"
            if setting.policy_page is not None
            else ""
        )
        messages.append(
            f"Not published: the rule “{setting.rule.title}” ({problem.rule}) is not met: "
            f"{problem.message}{policy}"
        )
    return ValidationError(messages, code="sourcing_rule")


def enforce(content) -> None:
    """Raise the refusal (``refusal``) if an enforced rule is broken; called by every publish."""
    error = refusal(content)
    if error is not None:
        raise error
