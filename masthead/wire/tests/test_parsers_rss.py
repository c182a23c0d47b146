"""RSS/Atom through feedparser: realistic feeds, and every hostile one refused or defused."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from masthead.fault_servers import HungServer
from masthead.wire.items import ParseError
from masthead.wire.parsers import parse
from masthead.wire.parsers.common import MAX_ITEMS

FIXTURES = Path(__file__).parent / "fixtures"


def rss(
    *items: str, head: str = '<?xml version="1.0" encoding="UTF-8"?>', lang: str = "en"
) -> bytes:
    return (
        f'{head}<rss version="2.0"><channel><title>T</title><link>https://x.example/</link>'
        f"<language>{lang}</language>{''.join(items)}</channel></rss>"
    ).encode()


def item(
    guid: str = "g1", title: str = "Title", link: str = "https://x.example/a", extra: str = ""
) -> str:
    guid_tag = f'<guid isPermaLink="false">{guid}</guid>' if guid is not None else ""
    link_tag = f"<link>{link}</link>" if link is not None else ""
    body = "<description>Body</description>"
    return f"<item><title>{title}</title>{link_tag}{guid_tag}{body}{extra}</item>"


def refused(body: bytes, match: str, **kwargs) -> ParseError:
    cpu, wall = time.process_time(), time.monotonic()
    with pytest.raises(ParseError, match=match) as info:
        parse(body, "rss", **kwargs)
    assert time.process_time() - cpu < 2 and time.monotonic() - wall < 2
    return info.value


def test_a_realistic_rss_feed():
    feed = parse((FIXTURES / "rss_reuters_world.xml").read_bytes(), "rss")
    assert feed.title == "World News — Agency Wire (sample)"
    assert feed.refused == []
    assert len(feed.items) == 5
    first = feed.items[0]
    assert first.provider_id == "tag:wire.example.com,2026:newsml_L8N3IR0A1"
    assert first.headline.startswith("Iran says nuclear talks")
    assert (
        first.url
        == "https://wire.example.com/world/middle-east/iran-nuclear-talks-oman-2026-11-30/"
    )
    assert first.byline == "Parisa Hafezi and John Irish"
    assert first.subjects == ["World", "Middle East", "Iran"]
    assert first.language == "en-us"
    assert first.first_created == datetime(2026, 11, 30, 13, 52, tzinfo=UTC)
    assert first.body_html.startswith("<p>DUBAI/PARIS")
    assert first.status == "usable" and first.problems == []


def test_a_realistic_atom_feed_in_french():
    feed = parse((FIXTURES / "atom_afp_mideast.xml").read_bytes(), "rss")
    assert len(feed.items) == 3
    rial = feed.items[0]
    assert rial.headline == "Iran: la monnaie au plus bas face au dollar, les prix flambent"
    assert rial.first_created == datetime(2026, 11, 30, 12, 40, tzinfo=UTC)  # +01:00 → UTC
    assert rial.version_created == datetime(2026, 11, 30, 13, 15, tzinfo=UTC)
    assert rial.language == "fr"
    assert rial.dek.startswith("Le rial iranien")
    assert "<p>TÉHÉRAN" in rial.body_html
    assert rial.subjects == ["Économie", "Iran"]
    assert rial.byline == "Ali Noorani avec le bureau de Téhéran"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("&lt;script&gt;alert(1)&lt;/script&gt;Iran vote", "Iran vote"),
        ("<![CDATA[<b>Iran</b> &amp; <img src=x onerror=alert(1)>Iraq]]>", "Iran & Iraq"),
        ("AT&amp;T buys &lt;b&gt;X&lt;/b&gt;", "AT&T buys X"),
        ("  Many\n\tspaces  ", "Many spaces"),
    ],
)
def test_titles_become_plain_text(title, expected):
    (copy,) = parse(rss(item(title=title)), "rss").items
    assert copy.headline == expected


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,x",
        "file:///etc/passwd",
        "//x.example/a",
        "ftp://x/",
    ],
)
def test_only_http_links_are_kept(link):
    (copy,) = parse(rss(item(link=link)), "rss").items
    assert copy.url == ""
    assert copy.provider_id == "g1"


def test_a_javascript_guid_is_an_id_but_never_a_url():
    (copy,) = parse(rss(item(guid="javascript:alert(1)", link=None)), "rss").items
    assert copy.provider_id == "javascript:alert(1)"
    assert copy.url == ""


def test_missing_guid_falls_back_to_the_link_and_neither_is_refused():
    feed = parse(
        rss(
            item(guid=None, link="https://x.example/a"), item(guid=None, link="javascript:void(0)")
        ),
        "rss",
    )
    assert [c.provider_id for c in feed.items] == ["https://x.example/a"]
    assert feed.refused == ["item 2: no guid/id and no http(s) link"]


def test_duplicate_guids_keep_the_first():
    feed = parse(rss(item(title="One"), item(title="Two"), item(guid="g2", title="Three")), "rss")
    assert [c.headline for c in feed.items] == ["One", "Three"]
    assert feed.refused == ["item 2: duplicate of an earlier item (g1); kept the first"]


def test_far_future_and_ancient_dates_are_flagged_and_not_used():
    future = (timezone.now() + timedelta(days=400)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    soon = (timezone.now() + timedelta(hours=20)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    feed = parse(
        rss(
            item(guid="a", extra=f"<pubDate>{future}</pubDate>"),
            item(guid="b", extra="<pubDate>Thu, 01 Jan 1970 00:00:00 GMT</pubDate>"),
            item(guid="c", extra=f"<pubDate>{soon}</pubDate>"),
            item(guid="d", extra="<pubDate>yesterday-ish</pubDate>"),
        ),
        "rss",
    )
    far, ancient, near, garbled = feed.items
    assert far.first_created is None and far.version_created is None
    assert any("in the future" in p for p in far.problems)
    assert ancient.first_created is None and any("before 1990" in p for p in ancient.problems)
    assert near.first_created is not None and near.problems == []
    assert garbled.first_created is None and any("unreadable" in p for p in garbled.problems)


def test_the_item_cap_keeps_the_first_10000_with_a_message():
    many = "".join(
        f"<item><guid>g{i}</guid><title>t{i}</title></item>" for i in range(MAX_ITEMS + 50)
    )
    started = time.monotonic()
    feed = parse(rss(many), "rss")
    assert len(feed.items) == MAX_ITEMS
    assert feed.refused == [
        f"more than {MAX_ITEMS} items in one document: item {MAX_ITEMS + 1} and later ignored"
    ]
    assert time.monotonic() - started < 30


BOMBS = {
    "laughs": b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
    b'<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]>'
    b"<rss><channel><title>&f;&f;&f;&f;&f;&f;&f;&f;</title><item><title>&f;</title><guid>x</guid></item></channel></rss>",
    "system": b'<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b"<rss><channel><item><title>&x;</title><guid>x</guid></item></channel></rss>",
    "parameter": b"<!DOCTYPE rss [<!ENTITY % p \"<!ENTITY x 'boom'>\"> %p;]>"
    b"<rss><channel><item><title>&x;</title><guid>x</guid></item></channel></rss>",
}


@pytest.mark.parametrize("name", BOMBS)
def test_entity_bombs_never_reach_feedparser(name):
    refused(BOMBS[name], "entity declarations are not allowed")


def test_a_doctype_after_the_root_is_refused_too():
    late = '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY e "&a;&a;&a;&a;">]>'
    refused(rss(late, item(title="T&e;Z")), "entity declarations are not allowed")
    (copy,) = parse(rss(item(title="<![CDATA[About <!ENTITY> in XML]]>")), "rss").items
    assert copy.headline == "About in XML"  # tags dropped from titles; not refused


def test_an_external_dtd_is_refused_without_a_request():
    with HungServer() as listener:
        url = f"http://127.0.0.1:{listener.port}/rss.dtd"
        for body in (
            f'<!DOCTYPE rss SYSTEM "{url}"><rss><channel><item/></channel></rss>',
            f'<!DOCTYPE rss [<!ENTITY % e SYSTEM "{url}"> %e;]><rss><channel/></rss>',
        ):
            refused(body.encode(), "not allowed")
        assert listener.connections() == 0


def test_a_charset_lie_is_refused_not_stored_as_mojibake():
    lie = rss(item(title="خبر فوري"), head='<?xml version="1.0" encoding="UTF-8"?>')
    lie = lie.decode().encode("cp1256")
    refused(lie, "wrong character encoding")
    refused(lie.replace(b' encoding="UTF-8"', b""), "wrong character encoding")
    honest = lie.replace(b'encoding="UTF-8"', b'encoding="windows-1256"')
    (copy,) = parse(honest, "rss").items
    assert copy.headline == "خبر فوري"


def test_the_http_charset_wins_over_the_declaration():
    body = (
        rss(item(title="خبر فوري"), head='<?xml version="1.0" encoding="windows-1256"?>')
        .decode()
        .encode("cp1256")
    )
    refused(body, "wrong character encoding", content_type="application/rss+xml; charset=utf-8")
    (copy,) = parse(body, "rss", content_type="application/rss+xml; charset=windows-1256").items
    assert copy.headline == "خبر فوري"


def test_nul_bytes_are_refused():
    refused(rss(item(title="a\x00b")), "NUL")


def test_a_numeric_nul_reference_does_not_survive():
    (copy,) = parse(rss(item(title="a&#0;b&#1;c")), "rss").items
    assert "\x00" not in copy.headline and "\x01" not in copy.headline


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"", "empty"),
        (b"<html><body><h1>Not a feed</h1></body></html>", "not an RSS or Atom feed|truncated"),
        (b"just text", "not an RSS or Atom feed|not a readable feed"),
        (b'{"uri": "x"}', "not an RSS or Atom feed|not a readable feed"),
    ],
)
def test_documents_that_are_not_feeds_are_refused(body, match):
    refused(body, match)


def test_a_truncated_feed_is_refused_rather_than_storing_half_an_item():
    whole = (FIXTURES / "rss_reuters_world.xml").read_bytes()
    for cut in (len(whole) // 3, len(whole) // 2, len(whole) - 20):
        refused(whole[:cut], "truncated")


def test_trailing_comments_after_the_root_are_fine():
    body = rss(item()) + b"\n<!-- served from cache in 3 ms -->\n"
    assert len(parse(body, "rss").items) == 1


def test_malformed_but_complete_feeds_are_still_read():
    body = rss(item(title="Fish & chips"))  # a bare ampersand: not XML, common in the wild
    (copy,) = parse(body, "rss").items
    assert copy.headline == "Fish & chips"


def test_deep_nesting_is_refused_before_feedparser():
    deep = "<a>" * 140_000  # feedparser alone: about 1.5 s of CPU per 100,000 levels
    refused(rss(item(title=deep + "</a>" * 140_000)), "nested deeper than 256")
    refused(rss(item(title=deep)), "nested deeper than 256")  # unclosed, malformed
    refused(rss(item(title="A & B" + deep)), "nested deeper than 256")


def test_millions_of_tags_are_refused_before_feedparser():
    refused(rss(item(extra="<x/>" * 1_000_000)), "too many tags")
    cdata = "<![CDATA[" + "<p>x</p>" * 200_000 + "]]>"
    (copy,) = parse(rss(item(extra=f"<content:encoded>{cdata}</content:encoded>")), "rss").items
    assert copy.body_html.count("<p>") == 200_000  # tags inside CDATA are text, not elements


def test_a_document_over_the_size_cap_is_refused():
    body = rss(
        "<item><guid>x</guid><description>" + "x" * (17 * 1024 * 1024) + "</description></item>"
    )
    refused(body, "too large")


def test_an_unknown_kind_is_refused():
    with pytest.raises(ParseError, match="unknown source kind"):
        parse(rss(item()), "gopher")
