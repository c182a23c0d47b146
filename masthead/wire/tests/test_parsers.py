"""parse() dispatch and sniff(): the kind of a drop-folder file from its first bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from masthead.wire.items import ParseError
from masthead.wire.parsers import parse, sniff

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("rss_reuters_world.xml", "rss"),
        ("atom_afp_mideast.xml", "rss"),
        ("ninjs1_ap_iran.json", "ninjs"),
        ("ninjs2_wire_list.json", "ninjs"),
        ("newsml_item_iran.xml", "newsml"),
        ("newsml_message_mideast.xml", "newsml"),
        ("iptc/newsml-g2/LISTING_6_Simple_NewsML-G2_Package.xml", "newsml"),
        ("iptc/ninjs/2.1_dpa_text.json", "ninjs"),
    ],
)
def test_every_fixture_sniffs_to_its_kind_and_parses(name, kind):
    body = (FIXTURES / name).read_bytes()
    assert sniff(body) == kind
    assert parse(body, kind).items


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"\xef\xbb\xbf  [{}]", "ninjs"),
        (b'\n{"uri": "x"}', "ninjs"),
        (b'<?xml version="1.0"?>\n<!-- c --><rdf:RDF xmlns:rdf="x"/>', "rss"),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"/>', "rss"),
        ('<?xml version="1.0" encoding="UTF-16"?><rss/>'.encode("utf-16"), "rss"),
        (b"<g2:newsMessage xmlns:g2='http://iptc.org/std/nar/2006-10-01/'/>", "newsml"),
        (b"<conceptItem/>", "newsml"),  # so the NewsML-G2 parser can say why it is refused
    ],
)
def test_sniff(body, kind):
    assert sniff(body) == kind


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"<html><body>hi</body></html>", "root element is 'html'"),
        (b"hello", "neither JSON nor XML"),
        (b'<!DOCTYPE rss [<!ENTITY a "b">]><rss/>', "entity declarations are not allowed"),
        (b"<rss>\x00</rss>", "NUL"),
        ("not bytes", "expected bytes"),
    ],
)
def test_sniff_refuses(body, match):
    with pytest.raises(ParseError, match=match):
        sniff(body)
