"""Which desk's queue a wire item goes to: its source's routing rules, as one table.

A source's ``RoutingRule`` rows are tried in order (``position``, then the
order they were made); the first rule whose every filter matches gives the
desk, and says whether the item is auto-published (masthead/wire/autopublish.py).
When no rule matches, the item goes to the source's own desk. A filter left
empty matches every item:

    filter        set on the rule as          an item matches when
    ───────────   ─────────────────────────   ─────────────────────────────────────────
    keywords      "oil, opec, crude"          any one of them is a whole word (any case)
                                              of its headline, dek or body text
    subjects      "economy, medtop:20000344"  any one of them is among its subjects
                                              (names or IPTC qcodes, any case)
    max_urgency   3                           its urgency is stated and at most 3
                                              (1 = flash … 9 = lowest)

Items are routed when they first arrive; later versions stay where editors
found them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from masthead.wire.models import RoutingRule, Source


@dataclass(frozen=True)
class Routable:
    """What routing reads of an item, in plain text."""

    text: str  # headline, dek and body text, one string
    subjects: frozenset[str]  # casefolded
    urgency: int | None


def _words(value: str) -> list[str]:
    return [word.strip().casefold() for word in value.split(",") if word.strip()]


def _has_keyword(rule: RoutingRule, item: Routable) -> bool:
    text = item.text.casefold()
    return any(
        re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) for word in _words(rule.keywords)
    )


def _has_subject(rule: RoutingRule, item: Routable) -> bool:
    return any(subject in item.subjects for subject in _words(rule.subjects))


def _urgent_enough(rule: RoutingRule, item: Routable) -> bool:
    return item.urgency is not None and item.urgency <= rule.max_urgency


@dataclass(frozen=True)
class Filter:
    is_set: Callable[[RoutingRule], bool]
    matches: Callable[[RoutingRule, Routable], bool]


FILTERS: tuple[Filter, ...] = (
    Filter(lambda rule: bool(_words(rule.keywords)), _has_keyword),
    Filter(lambda rule: bool(_words(rule.subjects)), _has_subject),
    Filter(lambda rule: rule.max_urgency is not None, _urgent_enough),
)


def rule_matches(rule: RoutingRule, item: Routable) -> bool:
    return all(f.matches(rule, item) for f in FILTERS if f.is_set(rule))


def rules_of(source: Source) -> list[RoutingRule]:
    """The source's rules in the order they are tried (read once per delivery)."""
    return list(source.rules.select_related("desk", "publish_as").order_by("position", "pk"))


def first_match(rules: Iterable[RoutingRule], item: Routable) -> RoutingRule | None:
    """The first rule ``item`` matches, or None (then it goes to the source's desk)."""
    return next((rule for rule in rules if rule_matches(rule, item)), None)
