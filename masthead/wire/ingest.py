"""Storing what a parser hands over: wire items, every version, duplicates, routing.

``store(source, parsed)`` is the one way agency copy gets into the wire desk,
whichever way it came (polled, dropped in a folder, pushed). For each
``WireCopy`` it cleans the values (plain-text headline, the one HTML
sanitiser for the body, http(s) links only, dates checked), then, in a
database transaction of that item's own, creates or updates the
``WireItem`` keyed by (source, provider id) and keeps the version in
``WireItemVersion``. A failure inside one item rolls back that item alone:
the items before it stay stored and the ones after it are still tried; the
report lists it under ``failed`` (a fault worth retrying, unlike ``refused``).

How it stays correct:

* Idempotent. The hash of the copy as received (``received_digest``) and its
  version say at once, without sanitising anything, that a document polled
  again holds nothing new; a copy that differs only in what cleaning removes
  changes nothing either.
* Newer wins. A version older than the stored one (a lower version number,
  else an earlier version time) arriving late is kept in the history and
  changes nothing else.
* One row per item. The (source, provider id) constraint makes two stores
  racing on a new item end with one row: the loser's transaction rolls back
  and it runs again as an update of the winner's row.
* Dates outside 1990 … now + 2 days are not used (noted on the item): the
  queue sorts by when *we* received an item, and a far-future date never
  puts an item first anywhere.

Duplicates: the fingerprint of the normalised headline and body text names
the same copy from two sources (or two ids); the later item is linked to the
first with ``duplicate_of`` and the queue shows it once. Routing is
``masthead/wire/routing.py``; kills, withholds and corrections are
``masthead/wire/notices.py``; auto-publishing is ``masthead/wire/autopublish.py``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import nh3
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from masthead import failpoints
from masthead.newsroom.sanitize import (
    MAX_BODY_CHARS,
    sanitize_body,
    without_image_references,
)
from masthead.newsroom.text import clean_line, clean_paragraphs
from masthead.wire import autopublish, notices, routing
from masthead.wire.items import ParsedFeed, Status, WireCopy
from masthead.wire.models import Source, WireItem, WireItemVersion

logger = logging.getLogger(__name__)

MAX_ITEMS = 10_000  # per document; the rest are refused with one message
EARLIEST_DATE = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=2)
# Below this many characters of normalised text, equal copy is not evidence
# of the same item ("Photo", "Correction").
MIN_FINGERPRINT_TEXT = 20
MAX_PROBLEMS = 20

_LOOKS_LIKE_MARKUP = re.compile(r"<[A-Za-z!/?]")
_CHARACTER_REFERENCE = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_NOT_WORDS = re.compile(r"[\W_]+")


@dataclass
class IngestReport:
    """What one document did: provider ids per outcome, readable refusals, stories touched."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # also in created/updated
    refused: list[str] = field(default_factory=list)
    # Items that could not be stored through a fault of ours (database, bug):
    # worth polling again, so the poll does not keep the document's ETag.
    failed: list[str] = field(default_factory=list)
    outdated: list[str] = field(default_factory=list)  # older versions, kept as history
    held: list[str] = field(default_factory=list)  # under embargo (also in created/updated)
    published: list[int] = field(default_factory=list)  # stories auto-published
    flagged: list[int] = field(default_factory=list)  # stories flagged by a notice
    withdrawn: list[int] = field(default_factory=list)  # auto-published stories withdrawn

    def add(self, other: IngestReport) -> IngestReport:
        for name in (f.name for f in dataclasses.fields(self)):
            getattr(self, name).extend(getattr(other, name))
        return self

    def counts(self) -> dict[str, int]:
        return {f.name: len(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def summary(self) -> str:
        """``3 new, 1 updated, 12 unchanged, 1 refused``: what the source's health shows."""
        parts = [
            f"{len(self.created)} new",
            f"{len(self.updated)} updated",
            f"{len(self.unchanged)} unchanged",
        ]
        for name, label in (
            ("duplicates", "duplicate"),
            ("outdated", "older version"),
            ("held", "under embargo"),
            ("refused", "refused"),
            ("failed", "failed"),
            ("published", "auto-published"),
            ("withdrawn", "withdrawn"),
        ):
            if getattr(self, name):
                parts.append(f"{len(getattr(self, name))} {label}")
        return ", ".join(parts)


class Refused(ValueError):
    """One item is not stored; the message says why."""


# Cleaning ---------------------------------------------------------------------


def plain_text(value: str | None) -> str:
    """One line of plain text: markup (and what scripts and styles held) removed.

    Character references are read (feeds escape titles twice as often as not),
    so ``&lt;script&gt;`` is markup here too, and removed.
    """
    value = value or ""
    if _CHARACTER_REFERENCE.search(value):
        value = html.unescape(value)
    for _ in range(3):  # markup escaped inside markup comes out one level per pass
        if not _LOOKS_LIKE_MARKUP.search(value):
            break
        value = html.unescape(nh3.clean(value, tags=set()))
    return clean_line(value)


def _plain_paragraphs(value: str | None) -> str:
    value = value or ""
    if _LOOKS_LIKE_MARKUP.search(value):
        value = html.unescape(nh3.clean(value, tags=set()))
    return clean_paragraphs(value)


def body_text(body_html: str) -> str:
    """The words of sanitised body HTML, for fingerprints and keyword routing."""
    return html.unescape(nh3.clean(re.sub(r"<", " <", body_html), tags=set()))


def _cut(value: str, limit: int, what: str, problems: list[str]) -> str:
    if len(value) <= limit:
        return value
    problems.append(f"The {what} was longer than {limit} characters and was cut.")
    cut = value[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"


def _checked_date(value: datetime | None, what: str, now: datetime, problems: list[str]):
    if value is None:
        return None
    if timezone.is_naive(value):
        problems.append(f"The {what} had no time zone and was not used.")
        return None
    if value < EARLIEST_DATE or value > now + FUTURE_SLACK:
        problems.append(f"The {what} {value:%Y-%m-%d %H:%M} UTC is not plausible and was not used.")
        return None
    return value


def _checked_url(value: str, problems: list[str]) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if not re.match(r"https?://[^\s/]", value, re.IGNORECASE) or len(value) > 1000:
        problems.append("The item's link was not an http(s) address and was dropped.")
        return ""
    return value


def _fingerprint(headline: str, body: str) -> tuple[str, bool]:
    """The hash of the normalised words, and whether there are enough words to compare."""
    words = unicodedata.normalize("NFKC", f"{headline} {body_text(body)}").casefold()
    normal = _NOT_WORDS.sub(" ", words).strip()
    return hashlib.sha256(normal.encode()).hexdigest(), len(normal) >= MIN_FINGERPRINT_TEXT


def _digest(copy: WireCopy) -> str:
    values = dataclasses.asdict(copy)
    values.pop("problems")
    encoded = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class Cleaned:
    """A ``WireCopy`` made fit to store: the item's field values and what was noted."""

    fields: dict
    is_correction: bool
    fingerprint_usable: bool
    routable: routing.Routable

    @property
    def provider_id(self) -> str:
        return self.fields["provider_id"]


def clean_copy(copy: WireCopy, now: datetime, provider: str = "") -> Cleaned:
    """The stored values of ``copy``; ``Refused`` if it cannot be stored at all."""
    problems = [clean_line(str(problem))[:300] for problem in copy.problems]
    provider_id = clean_line(copy.provider_id)
    if not provider_id:
        raise Refused("it has no id")
    if len(provider_id) > 500:
        raise Refused("its id is longer than 500 characters")
    body = without_image_references(sanitize_body(copy.body_html))
    if len(body) > MAX_BODY_CHARS:
        raise Refused(f"its body is longer than {MAX_BODY_CHARS:,} characters")
    dek = _cut(_plain_paragraphs(copy.dek), 5000, "summary", problems)
    headline = plain_text(copy.headline)
    if not headline:
        headline = clean_line(dek) or clean_line(body_text(body))
        if not headline:
            raise Refused("it has no headline and no text")
        problems.append("The item had no headline: its first words stand in for one.")
        headline = _cut(headline, 120, "stand-in headline", [])
    headline = _cut(headline, 500, "headline", problems)
    urgency = copy.urgency
    if urgency is not None and (not isinstance(urgency, int) or not 1 <= urgency <= 9):
        problems.append(f"The urgency {urgency!r} is not one of 1 … 9 and was not used.")
        urgency = None
    status = copy.status
    if status not in (Status.USABLE, Status.WITHHELD, Status.CANCELED):
        problems.append(f"The status {clean_line(str(status))[:40]!r} is unknown: held back.")
        status = Status.WITHHELD
    subjects = list(dict.fromkeys(s for s in (plain_text(s)[:100] for s in copy.subjects) if s))
    if len(subjects) > 100:
        problems.append(f"The item had {len(subjects)} subjects: the first 100 are kept.")
        subjects = subjects[:100]
    embargo = copy.embargoed_until
    if embargo is not None and timezone.is_naive(embargo):
        problems.append("The embargo had no time zone: held until an editor checks it.")
        embargo = datetime.max.replace(tzinfo=UTC) - timedelta(days=1)
    fingerprint, usable = _fingerprint(headline, body)
    fields = {
        "provider_id": provider_id,
        "provider": _cut(plain_text(copy.provider) or provider, 100, "provider", problems),
        "version": _cut(clean_line(copy.version), 50, "version", problems),
        "headline": headline,
        "dek": dek,
        "body": body,
        "byline": _cut(plain_text(copy.byline), 300, "byline", problems),
        "dateline": _cut(plain_text(copy.dateline), 200, "dateline", problems),
        "language": clean_line(copy.language)[:16],
        "urgency": urgency,
        "subjects": subjects,
        "url": _checked_url(copy.url, problems),
        "first_created": _checked_date(copy.first_created, "first date", now, problems),
        "version_created": _checked_date(copy.version_created, "version date", now, problems),
        "embargoed_until": embargo,
        "status": status,
        "fingerprint": fingerprint,
        "received_digest": _digest(copy),
    }
    fields["problems"] = problems[:MAX_PROBLEMS]
    routable = routing.Routable(
        text=f"{headline}\n{dek}\n{body_text(body)}",
        subjects=frozenset(subject.casefold() for subject in subjects),
        urgency=urgency,
    )
    return Cleaned(fields, bool(copy.is_correction), usable, routable)


# Storing ----------------------------------------------------------------------

# Compared to tell a new version from a re-delivery (cleaned values).
CONTENT_FIELDS = (
    "version",
    "headline",
    "dek",
    "body",
    "byline",
    "dateline",
    "language",
    "urgency",
    "subjects",
    "url",
    "first_created",
    "version_created",
    "embargoed_until",
    "status",
)


@dataclass
class _Outcome:
    kind: str  # created | updated | unchanged | outdated
    duplicate: bool = False
    held: bool = False
    published: list[int] = field(default_factory=list)
    flagged: list[int] = field(default_factory=list)
    withdrawn: list[int] = field(default_factory=list)


def _version_number(version: str) -> int | None:
    return int(version) if version.isdigit() and len(version) < 18 else None


def _is_older(cleaned: Cleaned, item: WireItem) -> bool:
    mine, theirs = _version_number(cleaned.fields["version"]), _version_number(item.version)
    if mine is not None and theirs is not None and mine != theirs:
        return mine < theirs
    when, stored = cleaned.fields["version_created"], item.version_created
    return when is not None and stored is not None and when < stored


def _original_of(item: WireItem, usable: bool) -> int | None:
    """The id of the first stored item with the same copy as ``item``, if there is one."""
    if not usable:
        return None
    others = WireItem.objects.filter(fingerprint=item.fingerprint, duplicate_of__isnull=True)
    if item.pk is not None:
        others = others.exclude(pk=item.pk)
    # The id alone: building and reading a whole row (body included) for every
    # item stored was half the cost of storing it (bench/ingest.py).
    return others.order_by("pk").values_list("pk", flat=True).first()


def _add_version(item: WireItem, is_correction: bool, now: datetime) -> None:
    WireItemVersion.objects.create(
        item=item,
        version=item.version,
        headline=item.headline,
        dek=item.dek,
        body=item.body,
        byline=item.byline,
        status=item.status,
        is_correction=is_correction,
        version_created=item.version_created,
        received_at=now,
    )


def _is_held(item: WireItem, now: datetime) -> bool:
    return item.embargoed_until is not None and item.embargoed_until > now


def _create(source, cleaned: Cleaned, rules, now: datetime) -> _Outcome:
    rule = routing.first_match(rules, cleaned.routable)
    item = WireItem(
        source=source,
        desk_id=rule.desk_id if rule else source.desk_id,
        corrected=cleaned.is_correction,
        received_at=now,
        updated_at=now,
        **cleaned.fields,
    )
    item.duplicate_of_id = _original_of(item, cleaned.fingerprint_usable)
    item.save()
    _add_version(item, cleaned.is_correction, now)
    Source.objects.filter(pk=source.pk).update(items_received=F("items_received") + 1)
    outcome = _Outcome("created", duplicate=item.duplicate_of_id is not None)
    outcome.held = _is_held(item, now)
    if rule is not None and rule.auto_publish:
        story_id = autopublish.publish(item, rule, now)
        if story_id is not None:
            outcome.published.append(story_id)
    return outcome


def _update(item: WireItem, cleaned: Cleaned, now: datetime) -> _Outcome:
    if _is_older(cleaned, item):
        _keep_in_history(item, cleaned, now)
        return _Outcome("outdated")
    new = cleaned.fields
    if all(getattr(item, name) == new[name] for name in CONTENT_FIELDS):
        if item.received_digest != new["received_digest"]:
            item.received_digest = new["received_digest"]
            item.save(update_fields=["received_digest"])
        return _Outcome("unchanged")
    fingerprint_before = item.fingerprint
    for name, value in new.items():
        setattr(item, name, value)
    item.corrected = item.corrected or cleaned.is_correction
    item.updated_at = now
    if item.fingerprint != fingerprint_before:
        item.duplicate_of_id = _original_of(item, cleaned.fingerprint_usable)
    item.save()
    _add_version(item, cleaned.is_correction, now)
    followed = notices.apply(item, is_correction=cleaned.is_correction, now=now)
    outcome = _Outcome("updated", duplicate=item.duplicate_of_id is not None)
    outcome.held = _is_held(item, now)
    outcome.flagged, outcome.withdrawn = followed.flagged, followed.withdrawn
    return outcome


def _keep_in_history(item: WireItem, cleaned: Cleaned, now: datetime) -> None:
    new = cleaned.fields
    known = item.versions.filter(
        version=new["version"], headline=new["headline"], body=new["body"], status=new["status"]
    )
    if not known.exists():
        WireItemVersion.objects.create(
            item=item,
            version=new["version"],
            headline=new["headline"],
            dek=new["dek"],
            body=new["body"],
            byline=new["byline"],
            status=new["status"],
            is_correction=cleaned.is_correction,
            version_created=new["version_created"],
            received_at=now,
        )


def _store_item(source: Source, cleaned: Cleaned, rules, now: datetime, known: bool) -> _Outcome:
    """Store one item in a transaction of its own.

    ``known``: the document's look-up found the item stored. An item it did not
    find is inserted without locking first (a query less per new item, most
    of a backlog); if another store inserted it meanwhile, the unique
    constraint refuses the insert and the second attempt locks and updates.
    """
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                item = None
                if known or attempt == 2:
                    item = (
                        WireItem.objects.select_for_update()
                        .filter(source=source, provider_id=cleaned.provider_id)
                        .first()
                    )
                failpoints.reached("wire.store.item")
                if item is None:
                    return _create(source, cleaned, rules, now)
                return _update(item, cleaned, now)
        except IntegrityError:
            if attempt == 2:
                raise  # not the race on a new item: a real fault, for the poll to report
    raise AssertionError("unreachable")


def _stored_digests(source: Source, ids: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        rows = WireItem.objects.filter(source=source, provider_id__in=ids[start : start + 500])
        found.update(rows.values_list("provider_id", "received_digest"))
    return found


def _in_store_order(parsed: ParsedFeed, report: IngestReport) -> list[WireCopy]:
    """The items once each (first wins), oldest first, so the newest is received last."""
    if len(parsed.items) > MAX_ITEMS:
        report.refused.append(
            f"The document held {len(parsed.items):,} items: only the first {MAX_ITEMS:,} "
            "were read."
        )
    seen: set[str] = set()
    items: list[WireCopy] = []
    for number, copy in enumerate(parsed.items[:MAX_ITEMS], start=1):
        key = clean_line(copy.provider_id)
        if key and key in seen:
            report.refused.append(f"item {number}: its id {key[:80]!r} appears twice; first kept")
            continue
        seen.add(key)
        items.append(copy)
    if all(copy.version_created or copy.first_created for copy in items):
        return sorted(items, key=lambda copy: copy.version_created or copy.first_created)
    return items[::-1]  # feeds list the newest first


def store(source: Source, parsed: ParsedFeed) -> IngestReport:
    """Store one document's items for ``source``; each item in a transaction of its own."""
    report = IngestReport(refused=list(parsed.refused))
    copies = _in_store_order(parsed, report)
    stored = _stored_digests(source, [clean_line(copy.provider_id) for copy in copies])
    rules = routing.rules_of(source)
    default_provider = source.provider or source.name
    for copy in copies:
        provider_id = clean_line(copy.provider_id)
        if provider_id in stored and stored[provider_id] == _digest(copy):
            report.unchanged.append(provider_id)
            continue
        now = timezone.now()
        try:
            cleaned = clean_copy(copy, now, default_provider)
        except Refused as reason:
            label = f"item {provider_id[:80]!r}" if provider_id else "an item"
            report.refused.append(f"{label}: {reason}")
            continue
        try:
            outcome = _store_item(source, cleaned, rules, now, provider_id in stored)
        except Exception as error:  # one item's fault must not stop the others: reported
            logger.exception("wire item %r of source %s not stored", provider_id, source.pk)
            report.failed.append(f"item {provider_id[:80]!r}: {type(error).__name__}: {error}")
            continue
        _record(report, cleaned.provider_id, outcome)
    return report


def _record(report: IngestReport, provider_id: str, outcome: _Outcome) -> None:
    getattr(report, outcome.kind).append(provider_id)
    if outcome.duplicate:
        report.duplicates.append(provider_id)
    if outcome.held:
        report.held.append(provider_id)
    report.published.extend(outcome.published)
    report.flagged.extend(outcome.flagged)
    report.withdrawn.extend(outcome.withdrawn)
