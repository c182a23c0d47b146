"""ninjs 1.x and 2.x: the IPTC's examples, our fixtures, and hostile JSON."""

from __future__ import annotations

import json
import socket
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from masthead.wire.items import ParseError
from masthead.wire.parsers import ninjs as ninjs_parser
from masthead.wire.parsers import parse

FIXTURES = Path(__file__).parent / "fixtures"


def doc(value) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def v2(uri: str = "urn:x:1", **fields) -> dict:
    return {"uri": uri, "headlines": [{"value": "Headline"}], **fields}


def refused(body: bytes, match: str) -> ParseError:
    cpu, wall = time.process_time(), time.monotonic()
    with pytest.raises(ParseError, match=match) as info:
        parse(body, "ninjs")
    assert time.process_time() - cpu < 2 and time.monotonic() - wall < 2
    return info.value


def test_a_ninjs_1_item_from_the_fixtures():
    (copy,) = parse((FIXTURES / "ninjs1_ap_iran.json").read_bytes(), "ninjs").items
    assert (
        copy.provider_id == "http://api.wire.example.net/content/7a1f0d2e9c6b4e55b9f1a3d0c8e2b417"
    )
    assert copy.version == "3"
    assert copy.headline.startswith("Iran's president visits quake-hit Khorasan")
    assert copy.dek.startswith("Iran's president toured")
    assert copy.body_html.startswith("<p>TEHRAN, Iran (AEP)")
    assert copy.byline == "By Nasser Karimi, Associated Example Press"
    assert copy.dateline == "TEHRAN, Iran"
    assert copy.language == "en" and copy.urgency == 3 and copy.status == "usable"
    assert copy.subjects == ["disaster and accident", "earthquake"]
    assert copy.first_created == datetime(2026, 11, 30, 8, 14, tzinfo=UTC)
    assert copy.version_created == datetime(2026, 11, 30, 11, 42, tzinfo=UTC)
    assert copy.provider == "Associated Example Press"
    assert copy.problems == []


def test_a_ninjs_2_list_from_the_fixtures():
    feed = parse((FIXTURES / "ninjs2_wire_list.json").read_bytes(), "ninjs")
    assert feed.refused == []
    talks, snow, package = feed.items
    assert talks.headline == "Israel and Lebanon agree to talks on maritime border, US says"
    assert talks.dek.startswith("Israel and Lebanon have agreed")
    assert talks.byline == "By Humeyra Pamuk, Example Wire"
    assert talks.first_created == datetime(2026, 11, 30, 11, 58, tzinfo=UTC)
    assert talks.urgency == 2
    assert snow.language == "fa" and snow.headline.startswith("بارش برف")
    assert snow.first_created == datetime(2026, 11, 30, 6, 35, tzinfo=UTC)  # +03:30
    assert package.is_package
    assert package.parts == [
        "urn:newsml:wire.example.de:20261130:261130-99-512733",
        "urn:newsml:wire.example.de:20261130:261130-99-512734",
    ]


@pytest.mark.parametrize(
    "path", sorted((FIXTURES / "iptc" / "ninjs").glob("*.json")), ids=lambda p: p.name
)
def test_the_iptc_examples_parse(path):
    feed = parse(path.read_bytes(), "ninjs")
    assert len(feed.items) == 1 and feed.refused == []
    assert feed.items[0].provider_id and feed.items[0].headline


def test_iptc_dpa_text_maps_2x_fields():
    (copy,) = parse((FIXTURES / "iptc" / "ninjs" / "2.1_dpa_text.json").read_bytes(), "ninjs").items
    assert copy.provider == "dpa" and copy.language == "de" and copy.urgency == 4
    assert copy.byline == "Von Christian Hollmann, dpa"
    assert copy.body_html.startswith('<section class="main"><p>Für Lucien Favre')
    assert copy.version_created == datetime(2019, 5, 10, 14, 2, 28, tzinfo=UTC)


def test_repeated_keys_are_noted_not_refused():
    (copy,) = parse(
        (FIXTURES / "iptc" / "ninjs" / "1.4_businesswire-newsml-20130731006140.json").read_bytes(),
        "ninjs",
    ).items
    assert any("repeats keys" in p for p in copy.problems)


def test_an_items_wrapper_and_a_plain_array_are_accepted():
    items = [v2("urn:a"), v2("urn:b")]
    assert len(parse(doc(items), "ninjs").items) == 2
    assert len(parse(doc({"items": items}), "ninjs").items) == 2


def test_status_embargo_and_text_bodies():
    embargo = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    copy = parse(
        doc(
            v2(
                pubstatus="canceled",
                embargoed=embargo.isoformat(),
                bodies=[{"contenttype": "text/plain", "value": "One & two.\n\nThree <four>."}],
                headlines=[
                    {"role": "short", "value": "Short"},
                    {"role": "main", "value": "<b>Main</b>"},
                ],
            )
        ),
        "ninjs",
    ).items[0]
    assert copy.status == "canceled"
    assert copy.embargoed_until == embargo
    assert copy.body_html == "<p>One &amp; two.</p><p>Three &lt;four&gt;.</p>"
    assert copy.headline == "Main"


def test_geojson_places_validate_offline(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the schema tried to reach the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    place = {"name": "Tehran", "geojson": {"type": "Point", "coordinates": [51.39, 35.69]}}
    assert parse(doc(v2(places=[place])), "ninjs").items
    bad = {"name": "Tehran", "geojson": {"type": "Point", "coordinates": "here"}}
    refused(doc(v2(places=[bad])), "not valid ninjs 2.2")


def test_an_invalid_item_in_a_list_is_refused_alone():
    feed = parse(
        doc([v2("urn:a"), {"uri": 5, "headlines": []}, v2("urn:c", urgency="high")]), "ninjs"
    )
    assert [c.provider_id for c in feed.items] == ["urn:a"]
    assert feed.refused[0].startswith("item 2: not valid ninjs")
    assert feed.refused[1].startswith("item 3: not valid ninjs 2.2 at urgency")


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ({"headline": "no uri"}, "not valid ninjs 1.6"),
        ({"uri": "x", "headline": ["a list"]}, "not valid ninjs 1.6 at headline"),
        ({"uri": "x", "standard": {"name": "ninjs", "version": "3.0"}}, "3.0.* not supported"),
        ({"uri": "x", "pubstatus": "killed"}, "pubstatus"),
        ({"uri": "x", "$standard": {"name": "ninjs", "version": "1.0"}, "urgency": 3}, "ninjs 1.0"),
        ([1, 2], "not a JSON object"),
        ("just a string", "expected an object"),
        ([], "empty list"),
    ],
)
def test_wrong_shapes_are_refused(value, match):
    refused(doc(value), match)


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"", "empty"),
        (b"<rss/>", "not valid JSON"),
        (b'{"uri": "x",}', "not valid JSON"),
        (b'{"uri": "x"', "not valid JSON"),
        ('{"uri": "x", "headline": "خبر"}'.encode("cp1256"), "not UTF-8"),
        (b'{"uri": "x", "urgency": NaN}', "NaN is not valid JSON"),
        (b'{"uri": "x", "urgency": 1e400}', "number too large"),
        (b'{"uri": "x", "urgency": ' + b"9" * 5000 + b"}", "more than 40 digits"),
        (b'{"uri": "x", "headline": "\\ud800"}', "lone surrogate"),
        (b'{"uri": "x", "headline": "a\\u0000b"}', "NUL"),
        (b"[" * 100_000 + b"]" * 100_000, "nested deeper"),
        (b'{"a":' * 50 + b"1" + b"}" * 50, "nested deeper than 32"),
        (b'{"uri": "x"} {"uri": "y"}', "not valid JSON"),
    ],
)
def test_hostile_json_is_refused(body, match):
    refused(body, match)


def test_a_bom_is_tolerated():
    assert parse(b"\xef\xbb\xbf" + doc(v2()), "ninjs").items


def test_duplicates_and_versions():
    feed = parse(
        doc([v2("urn:a", version="1"), v2("urn:a", version="1"), v2("urn:a", version="2")]), "ninjs"
    )
    assert [(c.provider_id, c.version) for c in feed.items] == [("urn:a", "1"), ("urn:a", "2")]
    assert feed.refused == ["item 2: duplicate of an earlier item (urn:a); kept the first"]


def test_html_in_headlines_and_bylines_becomes_text():
    (copy,) = parse(
        doc(
            {
                "uri": "x",
                "headline": "<script>alert(1)</script>Gaza &amp; <i>aid</i>",
                "byline": "<b>By X</b>",
            }
        ),
        "ninjs",
    ).items
    assert copy.headline == "Gaza & aid" and copy.byline == "By X"


def test_future_dates_are_flagged_and_not_used():
    future = (timezone.now() + timedelta(days=30)).isoformat()
    (copy,) = parse(doc(v2(firstcreated=future, versioncreated=future)), "ninjs").items
    assert copy.first_created is None and copy.version_created is None
    assert len([p for p in copy.problems if "in the future" in p]) == 2


def test_bad_urgency_and_naive_dates_are_noted():
    (copy,) = parse(doc(v2(urgency=12, versioncreated="2026-11-30T10:00:00")), "ninjs").items
    assert copy.urgency is None
    assert any("urgency" in p for p in copy.problems)
    assert copy.version_created == datetime(2026, 11, 30, 10, tzinfo=UTC)
    assert any("no time zone" in p for p in copy.problems)


def test_the_item_cap():
    items = [{"uri": f"urn:{i}"} for i in range(10_005)]
    feed = parse(doc(items), "ninjs")
    assert len(feed.items) == 10_000
    assert feed.refused == ["more than 10000 items in one document: item 10001 and later ignored"]


def test_validators_are_built_once():
    assert ninjs_parser.validator("2.2") is ninjs_parser.validator("2.2")
    for version in ninjs_parser.VERSIONS:
        assert ninjs_parser.validator(version) is not None
