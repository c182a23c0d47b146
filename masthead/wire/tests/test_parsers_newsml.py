"""NewsML-G2: XSD-checked items, packages and messages; hostile XML refused."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from masthead.fault_servers import HungServer
from masthead.wire.items import ParseError
from masthead.wire.parsers import newsml, parse

FIXTURES = Path(__file__).parent / "fixtures"
IPTC = FIXTURES / "iptc" / "newsml-g2"


def news_item(
    guid: str = "tag:x.example,2026:1",
    *,
    meta: str = "",
    content: str = "<headline>Headline</headline>",
    body: str = "",
    version: str = "1",
) -> str:
    return (
        f'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="{guid}" version="{version}"'
        ' standard="NewsML-G2" standardversion="2.35" conformance="power">'
        '<catalogRef href="http://www.iptc.org/std/catalog/catalog.IPTC-G2-Standards_38.xml"/>'
        '<itemMeta><itemClass qcode="ninat:text"/><provider literal="Wire"/>'
        f"<versionCreated>2026-11-30T10:00:00Z</versionCreated>{meta}</itemMeta>"
        f"<contentMeta>{content}</contentMeta>{body}</newsItem>"
    )


def refused(body: bytes, match: str) -> ParseError:
    cpu, wall = time.process_time(), time.monotonic()
    with pytest.raises(ParseError, match=match) as info:
        parse(body, "newsml")
    assert time.process_time() - cpu < 2 and time.monotonic() - wall < 2
    return info.value


def test_a_news_item_from_the_fixtures():
    (copy,) = parse((FIXTURES / "newsml_item_iran.xml").read_bytes(), "newsml").items
    assert copy.provider_id == "tag:wire.example.com,2026:newsml_L8N3IR0F3"
    assert copy.version == "2"
    assert copy.headline == "Iran's central bank raises deposit rates to 23% to stem rial slide"
    assert copy.dek.startswith("Iran's central bank raised the rate")
    assert copy.byline == "By Elwely Elwelly"
    assert copy.dateline == "DUBAI, Nov 30"
    assert copy.language == "en" and copy.urgency == 3
    assert copy.subjects == ["central bank", "Iran", "medtop:20000523"]  # the name, else the qcode
    assert copy.first_created == datetime(2026, 11, 30, 13, 10, tzinfo=UTC)
    assert copy.version_created == datetime(2026, 11, 30, 14, 2, tzinfo=UTC)
    assert copy.embargoed_until == datetime(2026, 11, 30, 15, tzinfo=UTC)
    assert copy.provider == "Example Wire Agency"
    assert (
        copy.url == "https://wire.example.com/world/middle-east/iran-central-bank-rates-2026-11-30/"
    )
    assert copy.status == "usable" and not copy.is_correction and not copy.is_package
    assert copy.body_html.startswith("<p>DUBAI, Nov 30 (Example Wire)")
    assert "xmlns" not in copy.body_html and "<title>" not in copy.body_html
    assert copy.body_html.count("<p>") == 3


def test_a_news_message_with_a_kill_a_correction_and_a_package():
    feed = parse((FIXTURES / "newsml_message_mideast.xml").read_bytes(), "newsml")
    assert feed.refused == []
    flash, corrected, killed, package = feed.items
    assert flash.urgency == 1
    assert flash.body_html == (
        "<p>SANAA, Nov 30 (Example Wire) - Yemen&#x27;s Houthi movement said on Monday it had"
        " targeted a commercial ship in the Red Sea with drones.</p><p>More to follow.</p>"
    )
    assert corrected.is_correction and corrected.version == "4"
    assert killed.status == "canceled"
    assert package.is_package
    assert package.parts == [flash.provider_id, corrected.provider_id]


def test_iptc_text_document_with_an_nitf_body():
    (copy,) = parse((IPTC / "LISTING_2_NewsML-G2_Text_Document.xml").read_bytes(), "newsml").items
    assert copy.headline == 'Fed to halt QE to avert "bubble"'
    assert copy.byline == "Meredith Jameson"  # no <by>: the creator's name
    assert copy.dateline == "New York, NY"
    assert copy.body_html.startswith("<p>(New York, NY - October 21)")
    assert "hl1" not in copy.body_html  # the NITF head is not body text


def test_iptc_package():
    (copy,) = parse((IPTC / "LISTING_6_Simple_NewsML-G2_Package.xml").read_bytes(), "newsml").items
    assert copy.is_package and len(copy.parts) == 2
    assert copy.provider == "AcmeNews"


@pytest.mark.parametrize(
    "name",
    [
        "LISTING_1_A_NewsML-G2_News_Item.xml",
        "LISTING_22_Sports_story_in_NewsML-G2NITF.xml",
        "LISTING_3_Photo_in_NewsML-G2.xml",
    ],
)
def test_other_iptc_examples(name):
    (copy,) = parse((IPTC / name).read_bytes(), "newsml").items
    assert copy.provider_id and copy.headline


def test_an_iptc_skeleton_message_is_refused_item_by_item():
    skeleton = (IPTC / "LISTING_24_News_Message_conveying_a_complete_News_Package.xml").read_bytes()
    refused(skeleton, "^none of the 5 items is usable; item 1: not valid NewsML-G2")


def test_a_message_keeps_its_valid_items():
    body = (
        '<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><header><sent>2026-11-30T10:00:00Z</sent>'
        "</header><itemSet>"
        + news_item("a").replace(' xmlns="http://iptc.org/std/nar/2006-10-01/"', "")
        + '<newsItem guid="b" version="1" standard="NewsML-G2" standardversion="2.35"/>'
        + "</itemSet></newsMessage>"
    )
    feed = parse(body.encode(), "newsml")
    assert [c.provider_id for c in feed.items] == ["a"]
    assert feed.refused[0].startswith("item 2: not valid NewsML-G2")


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (
            (
                IPTC / "LISTING_10_Abstract_Concept_conveyed_in_a_NewsML-G2_Concept_Item.xml"
            ).read_bytes(),
            "not news",
        ),
        (b'<rss version="2.0"><channel/></rss>', "not NewsML-G2"),
        (
            b'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="x"/>',
            "not valid NewsML-G2",
        ),
        (news_item(meta="<itemClass qcode='ninat:text'/>").encode(), "not valid NewsML-G2"),
        (news_item(content="<urgency>12</urgency>").encode(), "not valid NewsML-G2"),
        (news_item().encode()[:-30], "not well-formed"),
        (b"", "empty"),
        (b'{"uri": "x"}', "not well-formed"),
    ],
)
def test_invalid_documents_are_refused(body, match):
    refused(body, match)


def test_literal_markup_in_a_headline_stays_text():
    (copy,) = parse(
        news_item(content="<headline>&lt;script&gt;alert(1)&lt;/script&gt;</headline>").encode(),
        "newsml",
    ).items
    assert copy.headline == "<script>alert(1)</script>"  # text, escaped wherever it is shown


def test_a_javascript_link_is_dropped():
    meta = '<pubStatus qcode="stat:usable"/><link rel="irel:seeAlso" href="javascript:alert(1)"/>'
    (copy,) = parse(news_item(meta=meta).encode(), "newsml").items
    assert copy.url == ""


def test_status_codes_as_uris_and_signals():
    meta = (
        '<pubStatus uri="http://cv.iptc.org/newscodes/pubstatusg2/withheld"/>'
        '<signal uri="http://cv.iptc.org/newscodes/signal/correction"/>'
    )
    (copy,) = parse(news_item(meta=meta).encode(), "newsml").items
    assert copy.status == "withheld" and copy.is_correction


def test_future_dates_are_flagged():
    future = (timezone.now() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = news_item().replace("2026-11-30T10:00:00Z", future)
    (copy,) = parse(body.encode(), "newsml").items
    assert copy.version_created is None and any("in the future" in p for p in copy.problems)


def test_inline_html_data_is_kept_as_html():
    body = news_item(
        body='<contentSet><inlineData contenttype="text/html">'
        "&lt;p&gt;Hi &lt;b&gt;there&lt;/b&gt;&lt;/p&gt;</inlineData></contentSet>"
    )
    (copy,) = parse(body.encode(), "newsml").items
    assert copy.body_html == "<p>Hi <b>there</b></p>"


def test_entity_bombs_and_external_entities_are_refused():
    bomb = (
        '<!DOCTYPE newsItem [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        + news_item(content="<headline>&b;</headline>")
    )
    refused(bomb.encode(), "entity declarations are not allowed")
    with HungServer() as listener:
        url = f"http://127.0.0.1:{listener.port}/g2.dtd"
        refused(f'<!DOCTYPE newsItem SYSTEM "{url}">{news_item()}'.encode(), "not allowed")
        refused(f'<!DOCTYPE n [<!ENTITY x SYSTEM "{url}">]>{news_item()}'.encode(), "not allowed")
        assert listener.connections() == 0


def test_an_undefined_entity_is_refused_not_dropped():
    refused(news_item(content="<headline>A&nbsp;B</headline>").encode(), "undefined entity")


def test_the_schema_is_compiled_once_and_validation_is_fast():
    assert newsml.schema() is newsml.schema()
    items = "".join(
        news_item(f"tag:x,2026:{i}").replace(' xmlns="http://iptc.org/std/nar/2006-10-01/"', "")
        for i in range(500)
    )
    body = (
        '<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><header><sent>2026-11-30T10:00:00Z</sent>'
        f"</header><itemSet>{items}</itemSet></newsMessage>"
    ).encode()
    started = time.monotonic()
    feed = parse(body, "newsml")
    assert len(feed.items) == 500
    assert time.monotonic() - started < 2
