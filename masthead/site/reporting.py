"""What readers and machines are told of how a story was reported.

The article's "How we reported this" box and its JSON-LD (``citation``,
``isBasedOn``, ``backstory``) are built here from the story's sources, and
only ever from ``sourcing.kinds.public_sources``: nothing staff-only (how the
outlet knows an unnamed source, an editor's approval) is read by any code
below. The wire copy a story was written from comes from two places — the
wire desk's ``StoryBasis`` rows (``wire.attribution.credits_for``) and the
wire sources an editor listed — and is merged into one ``Credits`` (each wire
item once), which the byline's "Based on reporting by" line, the box's
"Agency copy" list and ``isBasedOn`` all read.

Everything shown depends on the story's content (its ``story:<id>`` scope),
its corrections (the same scope), its wire basis (added only while the story
is not public; the publish bumps the scope) and the desk's editor and the
outlet's policy pages (the ``site`` scope): the scopes of the article's
cached fragments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language, gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from masthead.newsroom.calendars import native_digits
from masthead.newsroom.editions import edition_netlocs
from masthead.sourcing.kinds import KINDS, Outcome, public_sources
from masthead.stories.models import Correction, Label
from masthead.wire.attribution import BasedOn, Credits, web_url

# An opening <p> tag of the sanitised body: the sanitiser writes tags in lower
# case, allows no ``id`` on any element and escapes every "<" in text, so each
# match is a paragraph of the story and numbering them in order is stable.
PARAGRAPH = re.compile(r"<p(?=[\s>])")

# Shown beside the kicker and in the box: what each type of work is (Trust Project).
TYPE_OF_WORK = {
    Label.Kind.NEWS: _("News: a report of facts the outlet verified."),
    Label.Kind.BREAKING: _("Breaking news: a first report of events as they happen; updated."),
    Label.Kind.EXCLUSIVE: _("Exclusive: news first reported by us, from our own reporting."),
    Label.Kind.ANALYSIS: _("Analysis: interpretation of the news based on evidence."),
    Label.Kind.OPINION: _("Opinion: the author's view, argued from facts; not the outlet's news."),
    Label.Kind.INTERVIEW: _("Interview: what someone told our reporter, in their words."),
    Label.Kind.REPORTAGE: _("Reportage: first-hand reporting from the scene."),
    Label.Kind.BACKGROUND: _("Background: context and explanation to understand the news."),
    Label.Kind.REVIEW: _("Review: a critic's assessment of a work, product or event."),
    Label.Kind.ROUNDUP: _("Roundup: a summary of several reports, ours and others'."),
}
# The kinds shown in the box, in this order (the table's order, wire as "Agency copy").
BOX_ORDER = (
    "own_reporting",
    "person",
    "unnamed",
    "statement",
    "response",
    "outlet_report",
    "document",
    "wire",
)


# How many changes of a kind a story carries, in words (``Reporting.changes_in_words``).
CHANGE_COUNTS = {
    Correction.Kind.CORRECTION: lambda n: ngettext(
        "%(count)s correction", "%(count)s corrections", n
    ),
    Correction.Kind.CLARIFICATION: lambda n: ngettext(
        "%(count)s clarification", "%(count)s clarifications", n
    ),
    Correction.Kind.UPDATE: lambda n: ngettext("%(count)s update", "%(count)s updates", n),
}


def in_words_list(items) -> str:
    """“a, b and c” as the active language writes a list."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    separator = pgettext("list separator", ", ")
    return gettext("%(items)s and %(last)s") % {
        "items": separator.join(items[:-1]),
        "last": items[-1],
    }


def type_of_work(label: Label | None) -> str:
    """What a reader is told the story's type of work means ("" without a label)."""
    if label is None:
        return ""
    return TYPE_OF_WORK.get(label.kind, "")


def is_external(url: str) -> bool:
    """A link off the site (``SITE_URL``'s host or an edition's; without ``SITE_URL``, every
    source address)."""
    if not settings.SITE_URL:
        return True
    ours = {urlsplit(settings.SITE_URL).hostname}
    ours |= {urlsplit(f"//{netloc}").hostname for netloc in edition_netlocs()}
    return urlsplit(url).hostname not in ours


@dataclass(frozen=True)
class Entry:
    """One public source as the box shows it."""

    kind: str
    fields: dict  # the public view of the source
    link: str = ""  # http(s) only
    external: bool = True
    outcome: str = ""  # a response's outcome, in words
    paragraphs: tuple[int, ...] = ()


@dataclass(frozen=True)
class Group:
    kind: str
    heading: str
    entries: list[Entry]


@dataclass
class Reporting:
    groups: list[Group] = field(default_factory=list)
    method_note: str = ""
    corrections: list[Correction] = field(default_factory=list)
    # The body paragraphs some source points at (they get anchors: #p-3).
    paragraphs: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.groups or self.method_note)

    @property
    def changes(self) -> dict[str, int]:
        """How many corrections, clarifications and updates the story carries, by kind."""
        counts: dict[str, int] = {}
        for correction in self.corrections:
            name = correction.get_kind_display()
            counts[name] = counts.get(name, 0) + 1
        return counts

    @property
    def changes_in_words(self) -> str:
        """“2 corrections and 1 update”, in the active language."""
        return in_words_list(
            # The count in the language's digits (``۲ اصلاحیه``): calendars.native_digits.
            CHANGE_COUNTS[kind](count) % {"count": native_digits(str(count), get_language())}
            for kind, count in self._kind_counts()
        )

    def _kind_counts(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for correction in self.corrections:
            counts[correction.kind] = counts.get(correction.kind, 0) + 1
        return list(counts.items())

    @property
    def last_change(self):
        return self.corrections[-1].published_at if self.corrections else None


def merged_credits(credits: Credits, sources) -> Credits:
    """The wire desk's basis plus the wire sources an editor listed, each item once.

    An item is the same when its wire item id, else its address, else its
    headline and agency match.
    """
    works = list(credits.works)
    seen = set()
    for work in works:
        seen.update(_keys(work))
    for source in public_sources(sources):
        if source.get("kind") != "wire":
            continue
        work = BasedOn(
            headline=source.get("headline") or "",
            agency=source.get("provider") or "",
            url=web_url(source.get("url") or ""),
            item_id=source.get("wire_item"),
        )
        keys = _keys(work)
        if keys & seen:
            continue
        seen.update(keys)
        works.append(work)
    return Credits(works)


def _keys(work: BasedOn) -> set:
    keys = set()
    if work.item_id:
        keys.add(("item", work.item_id))
    if work.url:
        keys.add(("url", work.url))
    if work.headline:
        keys.add(("headline", work.headline.casefold(), work.agency.casefold()))
    return keys


def how_we_reported(story, credits: Credits, corrections) -> Reporting:
    """The box of ``story``: its public sources by kind, method note and changes."""
    by_kind: dict[str, list[Entry]] = {}
    paragraphs: set[int] = set()
    # A pointer past the body's last paragraph (edited away since) is not shown.
    last = len(PARAGRAPH.findall(story.body or ""))
    sources = [
        {**source, "paragraphs": [n for n in source.get("paragraphs") or () if n <= last]}
        for source in public_sources(story.sources)
    ]
    for source in sources:
        kind = source["kind"]
        if kind == "wire":
            paragraphs.update(source.get("paragraphs") or ())
            continue  # from the merged credits below
        by_kind.setdefault(kind, []).append(_entry(source))
        paragraphs.update(source.get("paragraphs") or ())
    wire_paragraphs = _wire_paragraphs(sources)
    wire = [
        Entry(
            "wire",
            {"headline": work.headline, "provider": work.agency},
            work.url,
            is_external(work.url) if work.url else True,
            paragraphs=wire_paragraphs.get(work.item_id or work.url or work.headline, ()),
        )
        for work in credits.works
    ]
    if wire:
        by_kind["wire"] = wire
    groups = [Group(k, KINDS[k].public_heading, by_kind[k]) for k in BOX_ORDER if k in by_kind]
    return Reporting(
        groups=groups,
        method_note=story.method_note or "",
        corrections=[c for c in corrections if c.kind != Correction.Kind.REINSTATEMENT],
        paragraphs=frozenset(paragraphs),
    )


def _wire_paragraphs(sources) -> dict:
    found = {}
    for source in sources:
        if source.get("kind") == "wire" and source.get("paragraphs"):
            key = (
                source.get("wire_item")
                or web_url(source.get("url") or "")
                or source.get("headline")
            )
            found[key] = tuple(source["paragraphs"])
    return found


def _entry(source: dict) -> Entry:
    url = web_url(source.get("url") or "")
    outcome = ""
    if source["kind"] == "response":
        outcome = Outcome.CHOICES.get(source.get("outcome", ""), "")
    return Entry(
        kind=source["kind"],
        fields=source,
        link=url,
        external=is_external(url) if url else True,
        outcome=outcome,
        paragraphs=tuple(source.get("paragraphs") or ()),
    )


# JSON-LD -----------------------------------------------------------------


def citations(sources) -> list[dict]:
    """schema.org ``citation``: the reports, documents and statements the story cites.

    Another outlet's report is a ``NewsArticle``; a document or a statement a
    ``CreativeWork``. A statement is cited only when it has an address (a
    statement nobody can look up is shown in the box, not claimed as a work).
    """
    works = []
    for source in public_sources(sources):
        kind = source["kind"]
        if KINDS[kind].schema_relation != "citation":
            continue
        url = web_url(source.get("url") or "")
        if kind == "outlet_report":
            work = {
                "@type": "NewsArticle",
                "headline": source.get("title") or f"Report by {source['outlet']}",
                "publisher": {"@type": "Organization", "name": source["outlet"]},
            }
        elif kind == "document":
            work = {"@type": "CreativeWork", "name": source["title"]}
            if source.get("publisher"):
                work["publisher"] = {"@type": "Organization", "name": source["publisher"]}
        else:  # statement
            if not url:
                continue
            speaker = source["speaker"] + (f", {source['role']}" if source.get("role") else "")
            work = {"@type": "CreativeWork", "name": f"Statement by {speaker}"}
            if source.get("summary"):
                work["abstract"] = source["summary"]
        if url:
            work["url"] = url
        if source.get("date"):
            work["datePublished"] = source["date"]
        works.append(work)
    return works


def policy_of_kind(policies, kind: str):
    """The published policy page of ``kind``, or None (a lazy context value can't be None)."""
    return next((policy for policy in policies if policy.kind == kind), "")


def add_to_context(request, context: dict) -> None:
    """What ``site/story.html`` needs for the box, the type of work and collective bylines.

    Lazy: a page whose fragments are warm reads nothing here. ``context``
    already has the story, its corrections and ``based_on`` (merged credits).
    """
    from masthead.newsroom.models import PolicyPage
    from masthead.site import selectors

    story = context["story"]
    context["reporting"] = SimpleLazyObject(
        lambda: how_we_reported(story, context["based_on"], context["corrections"])
    )
    context["type_of_work"] = SimpleLazyObject(lambda: type_of_work(story.label))
    context["no_bylines_policy"] = SimpleLazyObject(
        lambda: policy_of_kind(selectors.published_policies(request), PolicyPage.Kind.NO_BYLINES)
    )
