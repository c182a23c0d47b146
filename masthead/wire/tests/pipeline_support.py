"""Sources and agency copy for the pipeline's tests (ingest, tasks, folder, push)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from django.utils import timezone

from masthead.factories import make_desk
from masthead.wire.items import ParsedFeed, WireCopy
from masthead.wire.models import RoutingRule, Source

_numbers = itertools.count(1)


def make_source(name: str | None = None, *, desk=None, kind=Source.Kind.NINJS, **fields) -> Source:
    number = next(_numbers)
    name = name or f"Agency {number}"
    fields.setdefault("slug", f"agency-{number}")
    fields.setdefault("provider", name)
    if kind in (Source.Kind.RSS, Source.Kind.NINJS, Source.Kind.NEWSML):
        fields.setdefault("url", f"https://wire.example/{number}.xml")
    return Source.objects.create(name=name, kind=kind, desk=desk or make_desk(), **fields)


def make_rule(source: Source, desk=None, **fields) -> RoutingRule:
    return RoutingRule.objects.create(source=source, desk=desk or source.desk, **fields)


def copy(provider_id: str = "urn:item:1", **fields) -> WireCopy:
    fields.setdefault("headline", f"Headline of {provider_id}")
    fields.setdefault("body_html", f"<p>The body of {provider_id}, long enough to compare.</p>")
    return WireCopy(provider_id=provider_id, **fields)


def feed(*copies: WireCopy, refused: list[str] | None = None) -> ParsedFeed:
    return ParsedFeed(items=list(copies), refused=list(refused or []))


def ago(**delta) -> datetime:
    return timezone.now() - timedelta(**delta)


def ahead(**delta) -> datetime:
    return timezone.now() + timedelta(**delta)
