"""The demo's live wire: three agencies' feeds, served by the demo itself.

``data/wire.toml`` holds the agencies and their copy. Each item is released
``after`` minutes past the moment its source was set up (its ``Source`` row's
``created_at``), so the Media Wire queue fills while a new user watches; a
second version of an item replaces the first once released, and a
``canceled`` version is the agency's kill. Each feed is rendered in its
agency's format — RSS 2.0 (Django's feed generator), IPTC ninjs 2.1 (JSON)
and NewsML-G2 (lxml) — and polled over HTTP by the demo's worker like any
real source, through the same fetch, parse and store path.

The URLs exist only when ``settings.DEMO_WIRE`` is on, which `masthead demo`
sets; production never serves them.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from html import escape
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.feedgenerator import Rss201rev2Feed
from lxml import etree

from masthead.wire.models import RoutingRule, Source

WIRE_FILE = Path(__file__).with_name("data") / "wire.toml"
NEWSML_NS = "http://iptc.org/std/nar/2006-10-01/"
XHTML_NS = "http://www.w3.org/1999/xhtml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class DemoItem:
    source: str
    id: str
    after: int  # minutes past the source's set-up; <= 0: already out
    headline: str
    dek: str
    body: tuple[str, ...]
    dateline: str
    byline: str
    urgency: int
    subjects: tuple[str, ...]
    version: int = 1
    status: str = "usable"
    embargo_hours: int = 0  # not for use until this long after its release

    def embargo(self, start: datetime) -> datetime | None:
        if not self.embargo_hours:
            return None
        return self.released_at(start) + timedelta(hours=self.embargo_hours)

    def released_at(self, start: datetime) -> datetime:
        return start + timedelta(minutes=self.after)

    def body_html_with_dateline(self, provider: str) -> str:
        """The body as RSS agencies send it: "TEHRAN (CNA) – " opens the first paragraph."""
        short = "".join(word[0] for word in provider.split() if word[0].isupper())
        first, *rest = self.body
        lead = f"{self.dateline} ({short}) – {first}"
        return "".join(f"<p>{escape(text)}</p>" for text in (lead, *rest))

    @property
    def body_html(self) -> str:
        return "".join(f"<p>{escape(text)}</p>" for text in self.body)


@cache
def wire_data() -> tuple[list[dict], list[DemoItem]]:
    data = tomllib.loads(WIRE_FILE.read_text(encoding="utf-8"))
    items = [
        DemoItem(
            **{
                **raw,
                "body": tuple(raw["body"]),
                "subjects": tuple(raw["subjects"]),
            }
        )
        for raw in data["item"]
    ]
    return data["source"], items


def released(slug: str, start: datetime, now: datetime) -> list[tuple[DemoItem, DemoItem]]:
    """(first version, latest released version) of each item out by ``now``, newest first."""
    _, items = wire_data()
    out: dict[str, list[DemoItem]] = {}
    for item in items:
        if item.source == slug and item.released_at(start) <= now:
            out.setdefault(item.id, []).append(item)
    pairs = [(versions[0], max(versions, key=lambda v: v.version)) for versions in out.values()]
    return sorted(pairs, key=lambda pair: pair[1].released_at(start), reverse=True)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _RssWithContent(Rss201rev2Feed):
    """RSS 2.0 with the full text in ``content:encoded``, as agencies send it."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content"])


def render_rss(provider: str, base: str, pairs, start: datetime) -> tuple[bytes, str]:
    feed = _RssWithContent(
        title=f"{provider}: latest",
        link=base,
        description=f"The latest reports of {provider}.",
        language="en",
    )
    for first, latest in pairs:
        feed.add_item(
            title=latest.headline,
            link=f"{base}items/{latest.id}/",
            description=latest.dek,
            unique_id=latest.id,
            unique_id_is_permalink=False,
            pubdate=first.released_at(start),
            updateddate=latest.released_at(start),
            author_name=latest.byline,
            categories=list(latest.subjects),
            content=latest.body_html_with_dateline(provider),
        )
    return feed.writeString("utf-8").encode(), "application/rss+xml; charset=utf-8"


def render_ninjs(provider: str, base: str, pairs, start: datetime) -> tuple[bytes, str]:
    items = []
    for first, latest in pairs:
        item = {
            "uri": latest.id,
            "type": "text",
            "version": str(latest.version),
            "firstcreated": _iso(first.released_at(start)),
            "versioncreated": _iso(latest.released_at(start)),
            "pubstatus": latest.status,
            "urgency": latest.urgency,
            "language": "en",
            "headlines": [{"role": "main", "value": latest.headline}],
            "descriptions": [{"role": "summary", "value": latest.dek}],
            "bodies": [{"role": "main", "contenttype": "text/html", "value": latest.body_html}],
            "by": latest.byline,
            "located": latest.dateline,
            "subjects": [{"name": name} for name in latest.subjects],
            "copyrightholder": provider,
        }
        if latest.embargo(start):
            item["embargoed"] = _iso(latest.embargo(start))
        items.append(item)
    return json.dumps(items, ensure_ascii=False).encode(), "application/json"


def _g2(tag: str) -> str:
    return f"{{{NEWSML_NS}}}{tag}"


def render_newsml(provider: str, base: str, pairs, start: datetime) -> tuple[bytes, str]:
    message = etree.Element(_g2("newsMessage"), nsmap={None: NEWSML_NS})
    header = etree.SubElement(message, _g2("header"))
    etree.SubElement(header, _g2("sent")).text = _iso(timezone.now())
    item_set = etree.SubElement(message, _g2("itemSet"))
    for first, latest in pairs:
        news = etree.SubElement(
            item_set,
            _g2("newsItem"),
            guid=latest.id,
            version=str(latest.version),
            standard="NewsML-G2",
            standardversion="2.33",
            conformance="power",
        )
        news.set(XML_LANG, "en")
        etree.SubElement(
            news,
            _g2("catalogRef"),
            href="http://www.iptc.org/std/catalog/catalog.IPTC-G2-Standards_38.xml",
        )
        meta = etree.SubElement(news, _g2("itemMeta"))
        etree.SubElement(meta, _g2("itemClass"), qcode="ninat:text")
        etree.SubElement(meta, _g2("provider"), literal=provider)
        etree.SubElement(meta, _g2("versionCreated")).text = _iso(latest.released_at(start))
        etree.SubElement(meta, _g2("firstCreated")).text = _iso(first.released_at(start))
        etree.SubElement(meta, _g2("pubStatus"), qcode=f"stat:{latest.status}")
        content = etree.SubElement(news, _g2("contentMeta"))
        etree.SubElement(content, _g2("urgency")).text = str(latest.urgency)
        etree.SubElement(content, _g2("language"), tag="en")
        for name in latest.subjects:
            subject = etree.SubElement(content, _g2("subject"), type="cpnat:abstract")
            etree.SubElement(subject, _g2("name")).text = name
        etree.SubElement(content, _g2("headline")).text = latest.headline
        etree.SubElement(content, _g2("dateline")).text = latest.dateline
        etree.SubElement(content, _g2("by")).text = latest.byline
        etree.SubElement(content, _g2("description"), role="drol:summary").text = latest.dek
        content_set = etree.SubElement(news, _g2("contentSet"))
        inline = etree.SubElement(
            content_set, _g2("inlineXML"), contenttype="application/xhtml+xml"
        )
        html = etree.SubElement(inline, f"{{{XHTML_NS}}}html", nsmap={None: XHTML_NS})
        etree.SubElement(
            etree.SubElement(html, f"{{{XHTML_NS}}}head"), f"{{{XHTML_NS}}}title"
        ).text = latest.headline
        body = etree.SubElement(html, f"{{{XHTML_NS}}}body")
        for text in latest.body:
            etree.SubElement(body, f"{{{XHTML_NS}}}p").text = text
    xml = etree.tostring(message, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml, "application/vnd.iptc.g2.newsmessage+xml"


RENDERERS = {
    Source.Kind.RSS: render_rss,
    Source.Kind.NINJS: render_ninjs,
    Source.Kind.NEWSML: render_newsml,
}


def feed(request, slug: str) -> HttpResponse:
    """One demo agency's feed as its worker polls it."""
    source = Source.objects.filter(slug=slug).first()
    sources, _ = wire_data()
    known = {entry["slug"]: entry for entry in sources}
    if source is None or slug not in known or source.kind not in RENDERERS:
        raise Http404("No such demo feed.")
    pairs = released(slug, source.created_at, timezone.now())
    # Item links point at the agency's (reserved, never resolving) site.
    base = f"https://www.{slug}.example/"
    body, content_type = RENDERERS[source.kind](
        known[slug]["provider"], base, pairs, source.created_at
    )
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = "no-cache"
    return response


# The demo's routing: the Caspian agency's economy copy goes to the Economy
# desk's queue; everything else to Media Wire's.
ROUTED = {"caspian-news-agency": ("economy", "Economy, Currency")}
FIRST_POLL_AFTER = timedelta(seconds=5)  # the server is up by then


def load_sources(desks: dict, now: datetime) -> list[Source]:
    """The demo agencies as wire sources polling this demo's own feeds.

    A source keeps its ``created_at`` (its release clock) when the demo is
    loaded again, so a restart does not send the same copy twice.
    """
    sources = []
    entries, _ = wire_data()
    for entry in entries:
        source, _ = Source.objects.update_or_create(
            slug=entry["slug"],
            defaults={
                "name": entry["name"],
                "kind": entry["kind"],
                "provider": entry["provider"],
                "url": f"{settings.DEMO_URL}/demo/wire/{entry['slug']}/",
                "desk": desks["media-wire"],
                "interval_seconds": entry["interval"],
                "paused": False,
            },
        )
        Source.objects.filter(pk=source.pk, next_poll_at__lt=now + FIRST_POLL_AFTER).update(
            next_poll_at=now + FIRST_POLL_AFTER
        )
        if entry["slug"] in ROUTED:
            desk_slug, subjects = ROUTED[entry["slug"]]
            RoutingRule.objects.update_or_create(
                source=source, position=0, defaults={"desk": desks[desk_slug], "subjects": subjects}
            )
        sources.append(source)
    return sources
